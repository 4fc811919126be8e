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
	"slices"
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

// netboxDocument is the NetBox OpenAPI document the committed build was generated from
// (model.Document), from ../shared beside the repository.
func netboxDocument(t *testing.T) (*document, string) {
	t.Helper()
	path := filepath.Join(moduleRoot(t), "..", "shared", "netbox", model.Document)
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
	nb, err := loadNetBoxSchema(filepath.Join(moduleRoot(t), "..", "shared", "netbox", "graphql", "4.6.8.graphql"))
	if err != nil {
		t.Skipf("NetBox's GraphQL schema is not beside the repository: %v", err)
	}
	nb.source = "4.6.8.graphql"
	_, files, _, _, err := generate(doc, defaultOverrides, model.Document, nb)
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
			t.Errorf("%s differs from what the generator makes of ../shared/netbox/%s: run `go generate ./schema`", f.Path, model.Document)
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
	// NetBox's own counts: 4.6.8 has the nine list endpoints 4.2.2 lacks (owners, cable bundles, ...).
	want := map[string]int{"4.2.2": 123, "4.6.8": 132}[model.DocumentVersion]
	if lists != want || len(reg.Objects) != lists {
		t.Errorf("document has %d object lists, registry %d objects; NetBox %s has %d", lists, len(reg.Objects), model.DocumentVersion, want)
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
	reg, _, skipped, err := build(doc, ov)
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

// TestOnlyListedParameters checks that every filter parameter and lookup the registry offers is
// one the endpoint lists in the document, for both reference documents (NetBox 4.2.2 has no
// __regex lookups; 4.6.8 lists them).
func TestOnlyListedParameters(t *testing.T) {
	for _, file := range []string{"openapi.yaml", "openapi-4.6.8.json"} {
		t.Run(file, func(t *testing.T) {
			doc, reg := referenceRegistry(t, file)
			checked, regex := 0, 0
			for _, o := range reg.Objects {
				listed := map[string]bool{}
				for _, p := range doc.Paths.Values[o.Path].Get.Parameters {
					listed[p.Name] = true
				}
				for _, fp := range o.Filters {
					names := []string{}
					if fp.Exact {
						names = append(names, fp.Name)
					}
					for _, lk := range fp.Lookups {
						names = append(names, fp.Name+"__"+lk)
						if lk == "regex" {
							regex++
						}
					}
					for _, n := range names {
						checked++
						if !listed[n] {
							t.Errorf("%s: %s is not a parameter of %s in %s", o.Name, n, o.Path, file)
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("no parameters checked")
			}
			t.Logf("%s: %d parameters, %d __regex lookups, all listed", file, checked, regex)
		})
	}
}

var (
	sdlHead   = regexp.MustCompile(`^(type|input|enum)\s+(\w+)`)
	sdlUnion  = regexp.MustCompile(`^union\s+(\w+)\s*=\s*(.*)`)
	sdlMember = regexp.MustCompile(`^(\w+)(\(([^)]*)\))?`)
	sdlReason = regexp.MustCompile(`@deprecated\(reason: "This field is deprecated and will be removed after \d{4}/\d{2}/\d{2}\. (Use the \w+ field instead\.|It is no longer in NetBox's REST API\.)"\)$`)
)

// sdlSurface lists an SDL's members as "Type.member(arg,...)" and "Union.MemberType", with
// whether each is deprecated.
func sdlSurface(t *testing.T, sdl string) map[string]string {
	t.Helper()
	out := map[string]string{}
	cur := ""
	for _, line := range strings.Split(sdl, "\n") {
		if m := sdlHead.FindStringSubmatch(line); m != nil {
			cur = m[2]
			continue
		}
		if m := sdlUnion.FindStringSubmatch(line); m != nil {
			for _, member := range strings.Split(m[2], "|") {
				out[m[1]+"."+strings.TrimSpace(member)] = ""
			}
			continue
		}
		if strings.HasPrefix(line, "}") {
			cur = ""
			continue
		}
		s := strings.TrimSpace(line)
		m := sdlMember.FindStringSubmatch(s)
		if cur == "" || m == nil || strings.HasPrefix(s, "#") {
			continue
		}
		args := ""
		if m[3] != "" {
			var names []string
			for _, a := range strings.Split(m[3], ",") {
				name, _, _ := strings.Cut(a, ":")
				names = append(names, strings.TrimSpace(name))
			}
			args = "(" + strings.Join(names, ",") + ")"
		}
		out[cur+"."+m[1]+args] = s
	}
	return out
}

// acceptedRemovals are served members taken away without deprecation, each for a reason that
// makes keeping it worse than removing it.
var acceptedRemovals = map[string]string{
	"ModuleType.scripts(filters,pagination)": "it listed the scripts whose script module's id equals the device module's (scripts' module_id is core's ScriptModule): wrong answers, never a relation",
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if w != "" && !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// TestServedSurfaceKept holds the deprecation policy: every member Graphbox served from NetBox
// 4.2.2's document is still in the SDL, with the same arguments, and whatever is deprecated
// says so in the policy's words.
func TestServedSurfaceKept(t *testing.T) {
	sdl, err := os.ReadFile(filepath.Join(moduleRoot(t), "schema", "zz_generated_schema.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	now := sdlSurface(t, string(sdl))
	served, err := os.ReadFile(filepath.Join("testdata", "served-4.2.2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// A member keeps its arguments; it may gain optional ones (NetBox's tags(filters:, pagination:)).
	withArgs := map[string][]string{}
	for member := range now {
		name, args, _ := strings.Cut(member, "(")
		withArgs[name] = append(withArgs[name], strings.TrimSuffix(args, ")"))
	}
	kept := 0
	for _, line := range strings.Split(string(served), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kept++
		if _, ok := now[line]; ok {
			continue
		}
		name, args, _ := strings.Cut(line, "(")
		found := false
		for _, have := range withArgs[name] {
			found = found || containsAll(strings.Split(have, ","), strings.Split(strings.TrimSuffix(args, ")"), ","))
		}
		if reason, ok := acceptedRemovals[line]; !found && !ok {
			t.Errorf("%s was served and is gone", line)
		} else if !found {
			t.Logf("%s is gone: %s", line, reason)
		}
	}
	if kept < 6000 {
		t.Fatalf("only %d served members read from testdata/served-4.2.2.txt", kept)
	}
	deprecated := 0
	for member, line := range now {
		if strings.Contains(line, "@deprecated") {
			deprecated++
			if !sdlReason.MatchString(line) {
				t.Errorf("%s: deprecation not in the policy's words: %s", member, line)
			}
		}
	}
	t.Logf("%d served members kept, %d deprecated", kept, deprecated)
}

// rawDocument has the forms of raw drf-spectacular output (as a live NetBox 4.6 serves
// /api/schema/?format=json) that go-netbox's post-processed 4.2.2 document lacks.
const rawDocument = `{
 "openapi": "3.0.3", "info": {"title": "raw", "version": "4.6.8"},
 "paths": {
  "/api/ipam/asn-ranges/": {"get": {
   "parameters": [
    {"in": "query", "name": "start", "description": "Cursor-based pagination: return results with pk >= start, ordered by pk.", "schema": {"type": "integer"}},
    {"in": "query", "name": "start__gte", "schema": {"type": "array", "items": {"type": "integer"}}},
    {"in": "query", "name": "omit", "schema": {"type": "string"}},
    {"in": "query", "name": "name", "schema": {"type": "array", "items": {"type": "string"}}},
    {"in": "query", "name": "name__ic", "schema": {"type": "array", "items": {"type": "string"}}},
    {"in": "query", "name": "name__regex", "schema": {"type": "array", "items": {"type": "string"}}}
   ],
   "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaginatedASNRangeList"}}}}}}},
  "/api/dcim/devices/": {"get": {
   "parameters": [{"in": "query", "name": "color", "schema": {"type": "array", "items": {"type": "string"}}}],
   "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaginatedDeviceList"}}}}}}},
  "/api/ipam/services/": {"get": {
   "parameters": [{"in": "query", "name": "device_id", "schema": {"type": "array", "items": {"type": "integer"}}}],
   "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaginatedServiceList"}}}}}}}
 },
 "components": {"schemas": {
  "PaginatedASNRangeList": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/ASNRange"}}}},
  "PaginatedDeviceList": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Device"}}}},
  "PaginatedServiceList": {"type": "object", "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}}}},
  "ASNRange": {"type": "object", "properties": {"id": {"type": "integer"}, "display": {"type": "string"}, "name": {"type": "string"}, "start": {"type": "integer", "format": "int64"}}},
  "Device": {"type": "object", "required": ["id", "display", "face"], "properties": {
   "id": {"type": "integer"}, "display": {"type": "string"},
   "color": {"oneOf": [{"type": "string", "pattern": "^[0-9a-f]{6}$", "maxLength": 6}, {"type": "string", "maxLength": 0}]},
   "face": {"type": "object", "properties": {"value": {"enum": ["front", "rear", "", null], "type": "string"}, "label": {"type": "string", "enum": ["Front", "Rear"]}}},
   "sync_interval": {"type": "integer", "enum": [1, 60, 43200, null], "maximum": 32767, "nullable": true}}},
  "Service": {"type": "object", "properties": {"id": {"type": "integer"}, "display": {"type": "string"},
   "parent_object_type": {"type": "string"}, "parent_object_id": {"type": "integer"}, "parent": {"readOnly": true, "nullable": true}}}
 }}
}`

func TestBuildRawSpectacular(t *testing.T) {
	doc, err := parseDocument([]byte(rawDocument))
	if err != nil {
		t.Fatal(err)
	}
	ov, err := parseOverrides([]byte(`
unions: {Service.parent: ServiceParentType}
union_members: {ServiceParentType: [Device]}
deprecated:
  after: 2027/06/03
  fields: {Service.device: {type: DeviceType, use: parent}, Device.color: {type: String}}
  filters: {Service.device_id: {type: IDFilterLookup}}
`))
	if err != nil {
		t.Fatal(err)
	}
	reg, ks, _, err := build(doc, ov)
	if err != nil {
		t.Fatal(err)
	}
	dev, asn, svc := reg.Object("Device"), reg.Object("ASNRange"), reg.Object("Service")
	face := dev.Field("face")
	sync := dev.Field("sync_interval")
	checks := []struct {
		name string
		ok   bool
	}{
		{"oneOf of strings is a string", dev.Field("color").Kind == model.KindScalar && dev.Field("color").GraphQL == model.TypeString},
		{"choice enum without null and blank", face.Kind == model.KindChoice && len(face.Choices) == 2 && face.Choices[1].Label == "Rear"},
		{"integer enum less what its maximum forbids", sync.Kind == model.KindScalar && len(sync.Choices) == 2 && sync.Choices[1].Value == "60"},
		{"the cursor start is no filter", asn.Filter("start") != nil && !asn.Filter("start").Exact && asn.Filter("start").HasLookup("gte")},
		{"omit is no filter", asn.Filter("omit") == nil},
		{"listed regex is kept", asn.Filter("name").HasLookup("regex") && !asn.Filter("name").HasLookup("iregex")},
		{"parent_object_type/_id make a generic relation", svc.Field("parent").Kind == model.KindGeneric && svc.Field("parent").TypeKey == "parent_object_type"},
		{"a dropped field is kept, deprecated", len(ks.Fields["Service"]) == 1 && ks.Fields["Service"][0].Reason == "This field is deprecated and will be removed after 2027/06/03. Use the parent field instead."},
		{"a field the document has is not kept", len(ks.Fields["Device"]) == 0},
		{"a dropped filter field is kept", len(ks.Filters["Service"]) == 1 && ks.Filters["Service"][0].Name == "device_id"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not as expected", c.name)
		}
	}
}

// referenceRegistry builds the registry of one of NetBox's documents in ../shared/netbox (skipping
// where it is absent), with the built-in overrides.
func referenceRegistry(t *testing.T, file string) (*document, *model.Registry) {
	t.Helper()
	path := filepath.Join(moduleRoot(t), "..", "shared", "netbox", file)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("NetBox's document %s is absent (../shared beside the repository): %v", file, err)
	}
	doc, err := loadDocument(context.Background(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	ov, err := parseOverrides(defaultOverrides)
	if err != nil {
		t.Fatal(err)
	}
	reg, _, _, err := build(doc, ov)
	if err != nil {
		t.Fatal(err)
	}
	return doc, reg
}
