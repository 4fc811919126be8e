package main

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// moduleRoot is the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// netboxDocument is NetBox's OpenAPI document from ../shared beside the repository.
func netboxDocument(t *testing.T) (*document, string) {
	t.Helper()
	path := filepath.Join(moduleRoot(t), "..", "shared", "netbox", "openapi.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("NetBox's OpenAPI document is not at %s (it sits in ../shared beside the repository on team machines and in CI): %v", path, err)
	}
	doc, err := loadDocument(context.Background(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	return doc, path
}

// TestGeneratedUpToDate regenerates from NetBox's document and compares with what is committed.
func TestGeneratedUpToDate(t *testing.T) {
	doc, _ := netboxDocument(t)
	_, files, _, err := generate(doc, defaultOverrides, "openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := moduleRoot(t)
	for _, f := range files {
		committed, err := os.ReadFile(filepath.Join(root, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, f.Data) {
			t.Errorf("%s differs from what the generator makes of ../shared/netbox/openapi.yaml: run `go generate ./schema`", f.Path)
		}
	}
}

// TestCoverage checks, independently of the generator's own walk, that every endpoint of the
// document answering a paginated list of objects has both root queries.
func TestCoverage(t *testing.T) {
	doc, _ := netboxDocument(t)
	sdl, err := os.ReadFile(filepath.Join(moduleRoot(t), "schema", "zz_generated_schema.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	query := regexp.MustCompile(`(?s)type Query \{\n(.*?)\n\}`).FindSubmatch(sdl)
	if query == nil {
		t.Fatal("no Query type in the SDL")
	}
	roots := map[string]bool{}
	for _, line := range strings.Split(string(query[1]), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), "(")
		roots[name] = true
	}
	reg := model.Default()
	lists := 0
	for _, path := range doc.Paths.Keys {
		op := doc.Paths.Values[path].Get
		if op == nil || strings.Contains(path, "{") {
			continue
		}
		ref := op.Responses["200"].Content["application/json"].Schema.refName()
		if !strings.HasPrefix(ref, "Paginated") {
			continue
		}
		lists++
		obj := reg.ByPath(path)
		if obj == nil {
			t.Errorf("%s: no object type in the registry", path)
			continue
		}
		for _, q := range []string{obj.Single, obj.List} {
			if !roots[q] {
				t.Errorf("%s: no root query %s", path, q)
			}
		}
	}
	if lists != 123 || len(reg.Objects) != lists {
		t.Errorf("document has %d object lists, registry %d objects; NetBox 4.2.2 has 123", lists, len(reg.Objects))
	}
}

// TestGoldenSDL pins the generated types and filters users query most.
func TestGoldenSDL(t *testing.T) {
	sdl, err := os.ReadFile(filepath.Join(moduleRoot(t), "schema", "zz_generated_schema.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Device", "Interface", "IPAddress", "Cable", "Prefix"} {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			for _, head := range []string{"type " + name + "Type {", "type " + name + "TypeOffsetPaginated {", "input " + name + "Filter {"} {
				block := sdlBlock(string(sdl), head)
				if block == "" {
					t.Fatalf("no %q in the SDL", head)
				}
				got.WriteString(block + "\n\n")
			}
			golden := filepath.Join("testdata", name+".graphql")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/schemagen -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from %s (go test ./cmd/schemagen -run GoldenSDL -update rewrites it after review)", name, golden)
			}
		})
	}
}

func sdlBlock(sdl, head string) string {
	i := strings.Index(sdl, "\n"+head+"\n")
	if i < 0 {
		return ""
	}
	rest := sdl[i+1:]
	end := strings.Index(rest, "\n}")
	return rest[:end+2]
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"IPAddress": "ip_address", "VMInterface": "vm_interface", "DeviceType": "device_type",
		"FHRPGroupAssignment": "fhrp_group_assignment", "ASN": "asn", "Site": "site", "RIR": "rir",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChoices(t *testing.T) {
	got := choices("type", []any{"1000base-t", "virtual", "", "a-b", "a_b"}, []any{"1000BASE-T (1GE)", "Virtual", "A B", "A_B"})
	want := []model.Choice{
		{Value: "1000base-t", Label: "1000BASE-T (1GE)", Enum: "TYPE_1000BASE_T"},
		{Value: "virtual", Label: "Virtual", Enum: "TYPE_VIRTUAL"},
		{Value: "a-b", Label: "A B", Enum: "TYPE_A_B"},
		{Value: "a_b", Label: "A_B", Enum: "TYPE_A_B_2"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d choices, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("choice %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPlural(t *testing.T) {
	for in, want := range map[string]string{"interface": "interfaces", "ip_address": "ip_addresses", "policy": "policies", "day": "days", "box": "boxes"} {
		if got := plural(in); got != want {
			t.Errorf("plural(%q) = %q, want %q", in, got, want)
		}
	}
}

// miniDocument is a small NetBox-style document: sites, devices, interfaces, IP addresses
// assigned through a generic relation, and a status endpoint.
const miniDocument = `
openapi: 3.0.3
info: {title: mini, version: "1"}
paths:
  /api/status/:
    get:
      responses: {"200": {content: {application/json: {schema: {type: object}}}}}
  /api/dcim/sites/:
    get:
      parameters:
      - {in: query, name: name, schema: {type: array, items: {type: string}}}
      - {in: query, name: name__ic, schema: {type: array, items: {type: string}}}
      - {in: query, name: status, schema: {type: array, items: {type: string, x-spec-enum-id: abc}}}
      - {in: query, name: q, schema: {type: string}}
      - {in: query, name: limit, schema: {type: integer}}
      responses: {"200": {content: {application/json: {schema: {$ref: '#/components/schemas/PaginatedSiteList'}}}}}
  /api/dcim/sites/{id}/:
    get:
      responses: {"200": {content: {application/json: {schema: {$ref: '#/components/schemas/Site'}}}}}
  /api/dcim/devices/:
    get:
      parameters:
      - {in: query, name: site_id, schema: {type: array, items: {type: integer}}}
      - {in: query, name: site, schema: {type: array, items: {type: string}}}
      - {in: query, name: position__gte, schema: {type: array, items: {type: number}}}
      responses: {"200": {content: {application/json: {schema: {$ref: '#/components/schemas/PaginatedDeviceWithConfigContextList'}}}}}
  /api/dcim/interfaces/:
    get:
      parameters:
      - {in: query, name: device_id, schema: {type: array, items: {type: integer}}}
      - {in: query, name: enabled, schema: {type: boolean}}
      responses: {"200": {content: {application/json: {schema: {$ref: '#/components/schemas/PaginatedInterfaceList'}}}}}
  /api/ipam/ip-addresses/:
    get:
      parameters:
      - {in: query, name: interface_id, schema: {type: array, items: {type: integer}}}
      responses: {"200": {content: {application/json: {schema: {$ref: '#/components/schemas/PaginatedIPAddressList'}}}}}
components:
  schemas:
    PaginatedSiteList: {type: object, properties: {results: {type: array, items: {$ref: '#/components/schemas/Site'}}}}
    PaginatedDeviceWithConfigContextList: {type: object, properties: {results: {type: array, items: {$ref: '#/components/schemas/DeviceWithConfigContext'}}}}
    PaginatedInterfaceList: {type: object, properties: {results: {type: array, items: {$ref: '#/components/schemas/Interface'}}}}
    PaginatedIPAddressList: {type: object, properties: {results: {type: array, items: {$ref: '#/components/schemas/IPAddress'}}}}
    BriefSite: {type: object, properties: {id: {type: integer}, url: {type: string}, display: {type: string}, name: {type: string}, slug: {type: string}}}
    Site:
      type: object
      properties:
        id: {type: integer}
        display: {type: string}
        name: {type: string}
        slug: {type: string}
        status: {type: object, properties: {value: {type: string, enum: [active, planned, ""]}, label: {type: string, enum: [Active, Planned]}}}
        custom_fields: {type: object, additionalProperties: {}}
    DeviceWithConfigContext:
      type: object
      properties:
        id: {type: integer}
        display: {type: string}
        site: {$ref: '#/components/schemas/BriefSite'}
        position: {type: number, nullable: true}
        config_context: {nullable: true, readOnly: true}
    Interface:
      type: object
      properties:
        id: {type: integer}
        display: {type: string}
        device: {$ref: '#/components/schemas/BriefSite'}
        enabled: {type: boolean}
    IPAddress:
      type: object
      properties:
        id: {type: integer}
        display: {type: string}
        assigned_object_type: {type: string, nullable: true}
        assigned_object_id: {type: integer, nullable: true}
        assigned_object: {nullable: true, readOnly: true}
`

func TestBuildMiniDocument(t *testing.T) {
	doc, err := parseDocument([]byte(miniDocument))
	if err != nil {
		t.Fatal(err)
	}
	ov, err := parseOverrides([]byte("models: {DeviceWithConfigContext: Device}\nunions: {IPAddress.assigned_object: IPAddressAssignmentType}\nunion_members: {IPAddressAssignmentType: [Interface]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	reg, skipped, err := build(doc, ov)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(reg.Objects); got != 4 {
		t.Fatalf("%d objects, want 4", got)
	}
	reasons := map[string]string{}
	for _, s := range skipped {
		reasons[s.Path] = s.Reason
	}
	for _, p := range []string{"/api/status/", "/api/dcim/sites/{id}/"} {
		if reasons[p] == "" {
			t.Errorf("%s not reported as skipped", p)
		}
	}

	site, device := reg.Object("Site"), reg.Object("Device")
	checks := []struct {
		name string
		ok   bool
	}{
		{"Device named from DeviceWithConfigContext", device != nil && device.Type == "DeviceType" && device.List == "device_list"},
		{"site status is a choice with enum values", site.Field("status").Kind == model.KindChoice && site.Field("status").Choices[1].Enum == "STATUS_PLANNED"},
		{"custom_fields is JSON", site.Field("custom_fields").Kind == model.KindJSON},
		{"device.site is a foreign key with nested keys", device.Field("site").Kind == model.KindForeignKey && len(device.Field("site").NestedKeys) == 5},
		{"config_context is JSON", device.Field("config_context").Kind == model.KindJSON},
		{"assigned_object is a generic relation", reg.Object("IPAddress").Field("assigned_object").Kind == model.KindGeneric},
		{"site brief keys", len(site.Brief) == 5},
		// Only what the document lists: the mini document has no __regex parameter.
		{"name lookups", site.Filter("name").HasLookup("ic") && !site.Filter("name").HasLookup("regex") && site.Filter("name").Exact},
		{"site_id binds the site field", device.Filter("site_id").Field == "site" && device.Filter("site_id").RelatedKey == "id"},
		{"site (slug) binds the site field", device.Filter("site").RelatedKey == "slug"},
		{"site searchable", site.Search},
		{"Site.devices reverse", site.ReverseField("devices") != nil && site.ReverseField("devices").Via == "site"},
		{"Interface.ip_addresses through the generic relation", reg.Object("Interface").ReverseField("ip_addresses") != nil && reg.Object("Interface").ReverseField("ip_addresses").Via == "assigned_object"},
		{"filter field: site related", device.FilterField("site") != nil && device.FilterField("site").Kind == model.FilterRelated},
		{"filter field: status choice", site.FilterField("status") != nil && site.FilterField("status").Input == "SiteStatusEnum"},
		{"filter field: enabled bool", reg.Object("Interface").FilterField("enabled").Input == "BoolFilterLookup"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not as expected", c.name)
		}
	}
}

// A live /api/schema/ URL is read with the token NetBox wants; without it the refusal is clear.
func TestLoadDocumentFromURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token abc123" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"detail":"Invalid token"}`))
			return
		}
		_, _ = w.Write([]byte(miniDocument))
	}))
	defer srv.Close()
	for _, c := range []struct {
		name, token string
		ok          bool
	}{
		{"bare key", "abc123", true},
		{"full header", "Token abc123", true},
		{"wrong token", "nope", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := loadDocument(context.Background(), srv.URL+"/api/schema/?format=json", c.token)
			if c.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if c.ok && len(doc.Paths.Keys) != 6 {
				t.Errorf("%d paths, want 6", len(doc.Paths.Keys))
			}
			if !c.ok && !strings.Contains(err.Error(), "403") {
				t.Errorf("error %q does not say the upstream refused", err)
			}
		})
	}
}
