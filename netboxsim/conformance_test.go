package netboxsim

import (
	"bytes"
	"slices"

	"context"
	"encoding/json"
	"github.com/graphbox/graphbox/model"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

var (
	docOnce sync.Once
	doc     *openapi3.T
	docErr  error
	docPath string
)

// openAPIDoc loads the document the registry was generated from (model.Document), from
// ../shared/netbox/ next to the repository root.
func openAPIDoc(t *testing.T) *openapi3.T {
	t.Helper()
	docOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			docErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				docErr = os.ErrNotExist
				return
			}
			dir = parent
		}
		docPath = filepath.Join(dir, "..", "shared", "netbox", model.Document)
		if _, err := os.Stat(docPath); err != nil {
			docErr = err
			return
		}
		loader := openapi3.NewLoader()
		doc, docErr = loader.LoadFromFile(docPath)
	})
	if docErr != nil {
		if os.IsNotExist(docErr) {
			t.Skipf("NetBox's OpenAPI document is absent (want ../shared/netbox/%s beside the repository): %v", model.Document, docErr)
		}
		t.Fatalf("load OpenAPI document %s: %v", docPath, docErr)
	}
	return doc
}

// validate checks one response against the document's operation for the path template.
func validate(t *testing.T, d *openapi3.T, template, rawURL string, resp *http.Response, body []byte) error {
	t.Helper()
	item := d.Paths.Value(template)
	if item == nil || item.Get == nil {
		t.Fatalf("no GET %s in the document", template)
	}
	u, _ := url.Parse(rawURL)
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	params := map[string]string{}
	if strings.Contains(template, "{id}") {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		params["id"] = parts[len(parts)-1]
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      &routers.Route{Spec: d, Path: template, PathItem: item, Method: http.MethodGet, Operation: item.Get},
			Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: resp.StatusCode,
		Header: resp.Header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            false,
		},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func TestConformance(t *testing.T) {
	d := openAPIDoc(t)
	ts := testServer(t)
	patchOnce.Do(func() {
		patchNested(t, d, ts.sim.reg)
		patchCustomFields(t, d)
	})
	for _, o := range ts.sim.reg.Objects {
		t.Run(o.Name, func(t *testing.T) {
			// Every object of most types, and the first 1000 of the large ones.
			q := "?limit=1000"
			resp, body := ts.get(t, o.Path+q, DemoFullToken)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s%s: %d %s", o.Path, q, resp.StatusCode, body)
			}
			if err := validate(t, d, o.Path, ts.URL+o.Path+q, resp, body); err != nil {
				t.Errorf("GET %s%s does not conform: %v", o.Path, q, trim(err.Error()))
			}
			validateBrief(t, d, ts, o.Name, o.Path+q+"&brief=1")
			resp, body = ts.get(t, o.Path+"1/", DemoFullToken)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s1/: %d %s", o.Path, resp.StatusCode, body)
			}
			if err := validate(t, d, o.Path+"{id}/", ts.URL+o.Path+"1/", resp, body); err != nil {
				t.Errorf("GET %s1/ does not conform: %v", o.Path, trim(err.Error()))
			}
		})
	}
}

// TestConformanceErrors checks the error answers against the document where it describes them.
func TestConformanceErrors(t *testing.T) {
	d := openAPIDoc(t)
	ts := testServer(t)
	item := d.Paths.Value("/api/dcim/devices/")
	if item == nil || item.Get == nil {
		t.Fatal("no GET /api/dcim/devices/ in the document")
	}
	cases := []struct {
		name, path, token string
		status            int
	}{
		{"no credentials", "/api/dcim/devices/", "", 403},
		{"invalid token", "/api/dcim/devices/", "Token ffffffffffffffffffffffffffffffffffffffff", 403},
		{"no permission", "/api/dcim/devices/", DemoNoPermToken, 403},
		{"bad filter", "/api/dcim/devices/?site_id=abc", DemoFullToken, 400},
		{"missing detail", "/api/dcim/devices/999999/", DemoFullToken, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := ts.get(t, c.path, c.token)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			// The document declares no error responses, so the bodies are checked against the
			// shapes DRF gives them: {"detail": "..."} and {"<param>": ["..."]}.
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, body)
			}
			schema := detailSchema
			if c.status == 400 {
				schema = fieldErrorsSchema
			}
			if err := schema.VisitJSON(v); err != nil {
				t.Errorf("error body %s: %v", body, err)
			}
		})
	}
}

// validateBrief checks a brief list: NetBox's document describes the list only in full form, so
// each result is checked against the Brief<Model> component the document gives for nested
// objects of that type.
func validateBrief(t *testing.T, d *openapi3.T, ts *testSrv, name, path string) {
	t.Helper()
	ref := d.Components.Schemas["Brief"+name]
	if ref == nil || ref.Value == nil {
		// No Brief component: check the brief keys against the full component's properties.
		o := ts.sim.reg.Object(name)
		full := d.Components.Schemas[o.Schema]
		if full == nil || full.Value == nil {
			t.Fatalf("the document has no %s schema", o.Schema)
		}
		restricted := openapi3.NewObjectSchema()
		for _, k := range o.Brief {
			p := full.Value.Properties[k]
			if p == nil {
				t.Errorf("brief key %q is not a property of %s", k, o.Schema)
				continue
			}
			restricted.Properties[k] = p
			restricted.Required = append(restricted.Required, k)
		}
		restricted.WithoutAdditionalProperties()
		ref = openapi3.NewSchemaRef("", restricted)
	}
	p := ts.list(t, path)
	if p.Count == nil || len(p.Results) == 0 {
		t.Fatalf("GET %s: no results", path)
	}
	for i, r := range p.Results {
		var v any = r
		if err := ref.Value.VisitJSON(v); err != nil {
			t.Errorf("GET %s: result %d does not match Brief%s: %v", path, i, name, trim(err.Error()))
			return
		}
	}
}

var patchOnce sync.Once

// patchNested adapts the document where it disagrees with NetBox's own output: many-to-many
// fields serialized with nested=True (Site.asns, ConfigContext.clusters, ...) are described with
// the full component of the related type, but NetBox writes them in nested form. Their items are
// replaced, in memory, by the related component restricted to the registry's NestedKeys, so the
// keys NetBox writes are still checked against the document's property schemas.
func patchNested(t *testing.T, d *openapi3.T, reg *model.Registry) {
	for _, o := range reg.Objects {
		sch := d.Components.Schemas[o.Schema]
		if sch == nil || sch.Value == nil {
			continue
		}
		for _, f := range o.Fields {
			if f.Kind != model.KindManyToMany || len(f.NestedKeys) == 0 {
				continue
			}
			prop := sch.Value.Properties[f.Name]
			if prop == nil || prop.Value == nil || prop.Value.Items == nil || prop.Value.Items.Ref == "" {
				continue
			}
			name := strings.TrimPrefix(prop.Value.Items.Ref, "#/components/schemas/")
			if strings.HasPrefix(name, "Brief") || strings.HasPrefix(name, "Nested") {
				continue
			}
			full := prop.Value.Items.Value
			nested := openapi3.NewObjectSchema()
			for _, k := range f.NestedKeys {
				if p := full.Properties[k]; p != nil {
					nested.Properties[k] = p
					if slices.Contains(full.Required, k) {
						nested.Required = append(nested.Required, k)
					}
				}
			}
			items := *prop.Value
			items.Items = openapi3.NewSchemaRef("", nested)
			sch.Value.Properties[f.Name] = openapi3.NewSchemaRef("", &items)
			t.Logf("document patched: %s.%s items are %s restricted to the nested keys %v", o.Schema, f.Name, name, f.NestedKeys)
		}
	}
}

// patchCustomFields lets custom_fields values be null: the document describes them with the
// empty schema, which OpenAPI 3.0 reads as not nullable, but NetBox writes every assigned field
// and null for an unset one.
func patchCustomFields(t *testing.T, d *openapi3.T) {
	n := 0
	for _, sch := range d.Components.Schemas {
		if sch == nil || sch.Value == nil {
			continue
		}
		prop := sch.Value.Properties["custom_fields"]
		if prop == nil || prop.Value == nil || prop.Value.AdditionalProperties.Schema == nil || prop.Value.AdditionalProperties.Schema.Value == nil {
			continue
		}
		obj := *prop.Value
		val := *obj.AdditionalProperties.Schema.Value
		val.Nullable = true
		obj.AdditionalProperties.Schema = openapi3.NewSchemaRef("", &val)
		sch.Value.Properties["custom_fields"] = openapi3.NewSchemaRef("", &obj)
		n++
	}
	t.Logf("document patched: custom_fields values of %d schemas may be null", n)
}

var (
	detailSchema = openapi3.NewObjectSchema().
			WithProperty("detail", openapi3.NewStringSchema()).
			WithoutAdditionalProperties()
	fieldErrorsSchema = openapi3.NewObjectSchema().
				WithAdditionalProperties(openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()).WithMinItems(1)).
				WithMinProperties(1)
)

func init() { detailSchema.Required = []string{"detail"} }

func trim(s string) string {
	if i := strings.Index(s, "\n"); i > 0 {
		s = s[:i]
	}
	if len(s) > 1500 {
		return s[:1500] + "..."
	}
	return s
}

// TestConformanceCatchesErrors proves the validation can fail: a detail answer with a value
// outside its enum, a missing required key and a wrong type must each be rejected.
func TestConformanceCatchesErrors(t *testing.T) {
	d := openAPIDoc(t)
	ts := testServer(t)
	resp, body := ts.get(t, "/api/dcim/sites/1/", DemoFullToken)
	if err := validate(t, d, "/api/dcim/sites/{id}/", ts.URL+"/api/dcim/sites/1/", resp, body); err != nil {
		t.Fatalf("the untouched answer does not conform: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for name, spoil := range map[string]func(map[string]any){
		"enum":     func(m map[string]any) { m["status"] = map[string]any{"value": "bogus", "label": "Bogus"} },
		"required": func(m map[string]any) { delete(m, "slug") },
		"type":     func(m map[string]any) { m["id"] = "one" },
	} {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		spoil(c)
		b, _ := json.Marshal(c)
		if err := validate(t, d, "/api/dcim/sites/{id}/", ts.URL+"/api/dcim/sites/1/", resp, b); err == nil {
			t.Errorf("%s: a spoiled answer passed validation", name)
		}
	}
}

// TestConformanceCursor validates every list's first cursor page (?start=, NetBox 4.6). NetBox's
// paginator gives count null in cursor mode (netbox/api/pagination.py), which the document's
// Paginated<Model>List does not allow; the test checks that count is null, then validates the
// rest of the page with count set to 0.
func TestConformanceCursor(t *testing.T) {
	d := openAPIDoc(t)
	ts := testServer(t)
	patchOnce.Do(func() {
		patchNested(t, d, ts.sim.reg)
		patchCustomFields(t, d)
	})
	for _, o := range ts.sim.reg.Objects {
		q := "?start=1&limit=50"
		resp, body := ts.get(t, o.Path+q, DemoFullToken)
		var page map[string]json.RawMessage
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil {
			t.Fatalf("GET %s%s: %d %s", o.Path, q, resp.StatusCode, body)
		}
		if string(page["count"]) != "null" || len(page["results"]) < 3 {
			t.Errorf("GET %s%s: count %s, results %.40s", o.Path, q, page["count"], page["results"])
			continue
		}
		page["count"] = json.RawMessage("0")
		body, _ = json.Marshal(page)
		if err := validate(t, d, o.Path, ts.URL+o.Path+q, resp, body); err != nil {
			t.Errorf("GET %s%s does not conform: %v", o.Path, q, trim(err.Error()))
		}
	}
}
