package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/internal/introspect"
	"github.com/graphbox/graphbox/model"
)

// introspectionServer answers GraphQL queries on a schema with graphql-go's own introspection,
// standing in for a NetBox's /graphql/. With oneOf, it also has the field strawberry adds to
// graphql-core's introspection (schema.py _extend_introspection): __Type.isOneOf, true for the
// inputs the SDL marks @oneOf. graphql-go lacks that field, so the server takes it out of the
// query and puts the answer in.
type introspectionServer struct {
	schema   *graphql.Schema
	root     string // the query type's name
	oneOf    map[string]bool
	token    string // the Authorization header required, "" for none
	requests atomic.Int32
}

// introspectionRoot is the query type the server's graphql-go schema has: graphql-go executes
// only with a resolver for every field of the query type, and introspection needs none, so
// the SDL's own query type is served as an ordinary type and renamed back in answers.
type introspectionRoot struct{}

func (*introspectionRoot) Ok() *bool { return nil }

var schemaBlock = regexp.MustCompile(`(?m)^schema\s*\{[^}]*\}`)

func newIntrospectionServer(t *testing.T, sdl string, oneOf bool, token string) (*introspectionServer, *httptest.Server) {
	t.Helper()
	want, err := parseNetBoxSchema("want", sdl)
	if err != nil {
		t.Fatal(err)
	}
	s := &introspectionServer{root: want.schema.Query.Name, token: token}
	if oneOf {
		s.oneOf = map[string]bool{}
		for name, def := range want.schema.Types {
			if def.Directives.ForName("oneOf") != nil {
				s.oneOf[name] = true
			}
		}
	}
	served := schemaBlock.ReplaceAllString(sdl, "") + "\nschema { query: IntrospectionRoot }\ntype IntrospectionRoot { ok: Boolean }\n"
	if s.schema, err = graphql.ParseSchema(served, &introspectionRoot{}, graphql.UseStringDescriptions()); err != nil {
		t.Fatalf("graphql-go does not take the schema: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

var isOneOfField = regexp.MustCompile(`\bisOneOf\b`)

func (s *introspectionServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "POST a JSON body", http.StatusBadRequest)
		return
	}
	if s.token != "" && r.Header.Get("Authorization") != s.token {
		http.Error(w, "Invalid v1 token", http.StatusForbidden) // NetBoxGraphQLView's refusal
		return
	}
	var req struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	asksOneOf := s.oneOf != nil && isOneOfField.MatchString(req.Query)
	if asksOneOf {
		req.Query = isOneOfField.ReplaceAllString(req.Query, "")
	}
	resp := s.schema.Exec(r.Context(), req.Query, "", nil)
	var data map[string]any
	if len(resp.Data) > 0 {
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	if sch, ok := data["__schema"].(map[string]any); ok {
		if q, ok := sch["queryType"].(map[string]any); ok {
			q["name"] = s.root
		}
		if types, ok := sch["types"].([]any); ok {
			kept := types[:0]
			for _, t := range types {
				t := t.(map[string]any)
				if t["name"] == "IntrospectionRoot" {
					continue
				}
				if asksOneOf {
					t["isOneOf"] = s.oneOf[t["name"].(string)]
				}
				if fields, ok := t["fields"].([]any); ok && t["name"] == "__Type" && s.oneOf != nil {
					t["fields"] = append(fields, map[string]any{"name": "isOneOf", "description": nil, "args": []any{},
						"type": map[string]any{"kind": "SCALAR", "name": "Boolean", "ofType": nil}, "isDeprecated": false, "deprecationReason": nil})
				}
				kept = append(kept, t)
			}
			sch["types"] = kept
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "errors": resp.Errors})
}

// schemaDiff lists every difference between two schemas in what a schema means: types with
// their kind and description, fields, arguments and input fields with type, default value and
// deprecation, interfaces, union members, enum values, the directives on definitions
// (@oneOf, @specifiedBy) and directive definitions; with order, also the order of the document's
// definitions, which the generator follows (strawberry prints them sorted by name).
func schemaDiff(want, got *netboxSchema, order bool) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for _, n := range keysOfBoth(want.schema.Types, got.schema.Types) {
		w, g := want.schema.Types[n], got.schema.Types[n]
		switch {
		case w == nil:
			add("type %s: added", n)
			continue
		case g == nil:
			add("type %s: missing", n)
			continue
		}
		if w.Kind != g.Kind || w.Description != g.Description {
			add("type %s: %s %q, got %s %q", n, w.Kind, w.Description, g.Kind, g.Description)
		}
		if a, b := strings.Join(w.Interfaces, " & "), strings.Join(g.Interfaces, " & "); a != b {
			add("type %s implements %q, got %q", n, a, b)
		}
		if a, b := strings.Join(w.Types, " | "), strings.Join(g.Types, " | "); a != b {
			add("union %s = %q, got %q", n, a, b)
		}
		if a, b := directivesString(w.Directives), directivesString(g.Directives); a != b {
			add("type %s directives %q, got %q", n, a, b)
		}
		if a, b := enumString(w.EnumValues), enumString(g.EnumValues); a != b {
			add("enum %s values\n%s\ngot\n%s", n, a, b)
		}
		if a, b := fieldsString(w.Fields), fieldsString(g.Fields); a != b {
			add("type %s fields\n%s\ngot\n%s", n, a, b)
		}
	}
	for _, n := range keysOfBoth(want.schema.Directives, got.schema.Directives) {
		w, g := want.schema.Directives[n], got.schema.Directives[n]
		if w == nil || g == nil {
			add("directive @%s: in one schema only (want %v, got %v)", n, w != nil, g != nil)
			continue
		}
		if a, b := directiveDefString(w), directiveDefString(g); a != b {
			add("directive %s, got %s", a, b)
		}
	}
	definitions := func(s *netboxSchema) []string {
		var out []string
		for _, d := range s.doc.Definitions {
			out = append(out, d.Name)
		}
		return out
	}
	if a, b := definitions(want), definitions(got); order && !slices.Equal(a, b) {
		add("definitions in another order:\n%v\ngot\n%v", a, b)
	}
	return diffs
}

// keysOfBoth are the keys of two maps, sorted.
func keysOfBoth[V any](a, b map[string]V) []string {
	all := map[string]V{}
	maps.Copy(all, a)
	maps.Copy(all, b)
	return sortedKeys(all)
}

// deprecationOf is whether a definition is deprecated and why, the default reason spelled out.
func deprecationOf(dirs ast.DirectiveList) string {
	d := dirs.ForName("deprecated")
	if d == nil {
		return ""
	}
	if a := d.Arguments.ForName("reason"); a != nil {
		return " @deprecated(" + a.Value.String() + ")"
	}
	return fmt.Sprintf(" @deprecated(%q)", introspect.DefaultDeprecationReason)
}

func directivesString(dirs ast.DirectiveList) string {
	var parts []string
	for _, d := range dirs {
		if d.Name == "deprecated" {
			continue
		}
		s := "@" + d.Name
		for _, a := range d.Arguments {
			s += " " + a.Name + "=" + a.Value.String()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func enumString(values ast.EnumValueList) string {
	var b strings.Builder
	for _, v := range values {
		fmt.Fprintf(&b, "  %s %q%s\n", v.Name, v.Description, deprecationOf(v.Directives))
	}
	return b.String()
}

func inputString(in *ast.ArgumentDefinition) string {
	s := fmt.Sprintf("%s: %s %q", in.Name, in.Type.String(), in.Description)
	if in.DefaultValue != nil {
		s += " = " + in.DefaultValue.String()
	}
	return s + deprecationOf(in.Directives)
}

func fieldsString(fields ast.FieldList) string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "  %s: %s %q", f.Name, f.Type.String(), f.Description)
		if f.DefaultValue != nil {
			b.WriteString(" = " + f.DefaultValue.String())
		}
		b.WriteString(deprecationOf(f.Directives))
		for _, a := range f.Arguments {
			b.WriteString("\n    " + inputString(a))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func directiveDefString(d *ast.DirectiveDefinition) string {
	locs := make([]string, len(d.Locations))
	for i, l := range d.Locations {
		locs[i] = string(l)
	}
	var args []string
	for _, a := range d.Arguments {
		args = append(args, inputString(a))
	}
	return fmt.Sprintf("@%s(%s) repeatable=%v on %s %q", d.Name, strings.Join(args, ", "), d.IsRepeatable, strings.Join(locs, "|"), d.Description)
}

// netboxSDL is NetBox's GraphQL schema of a release, from ../shared beside the repository.
func netboxSDL(t *testing.T, file string) (string, string) {
	t.Helper()
	path := filepath.Join(moduleRoot(t), "..", "shared", "netbox", "graphql", file)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("NetBox's GraphQL schema is not at %s (it sits in ../shared beside the repository on team machines and in CI): %v", path, err)
	}
	return string(data), path
}

// schemaCounts says what a schema has, so that a round trip of an empty answer cannot pass.
func schemaCounts(s *ast.Schema) (oneOf, defaults, deprecated, described int) {
	for _, def := range s.Types {
		if strings.HasPrefix(def.Name, "__") {
			continue
		}
		if def.Directives.ForName("oneOf") != nil {
			oneOf++
		}
		if def.Description != "" {
			described++
		}
		for _, f := range def.Fields {
			if f.DefaultValue != nil {
				defaults++
			}
			if f.Directives.ForName("deprecated") != nil {
				deprecated++
			}
			for _, a := range f.Arguments {
				if a.DefaultValue != nil {
					defaults++
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Directives.ForName("deprecated") != nil {
				deprecated++
			}
		}
	}
	return
}

// NetBox 4.6.8's schema, introspected from a server and converted back, is the schema NetBox
// prints; and the generator makes byte for byte the same files from either.
func TestIntrospectNetBox468(t *testing.T) {
	sdl, path := netboxSDL(t, "4.6.8.graphql")
	want, err := loadNetBoxSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, ts := newIntrospectionServer(t, sdl, true, "Token 0123456789abcdef0123456789abcdef01234567")
	got, err := introspectNetBox(context.Background(), ts.URL+"/graphql/", "0123456789abcdef0123456789abcdef01234567")
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (the standard query, then isOneOf and specifiedByURL)", n)
	}
	if want := strings.TrimPrefix(ts.URL, "http://") + "/graphql/"; got.source != want {
		t.Errorf("source %q, want %q", got.source, want)
	}
	for _, d := range schemaDiff(want, got, true) {
		t.Error(d)
	}
	oneOf, defaults, _, described := schemaCounts(want.schema)
	if oneOf == 0 || defaults == 0 || described == 0 {
		t.Fatalf("NetBox 4.6.8's schema has %d @oneOf inputs, %d default values, %d described types: the comparison proves nothing", oneOf, defaults, described)
	}
	if got.schema.Types["JSON"].Directives.ForName("specifiedBy") == nil {
		t.Error("JSON lost its @specifiedBy")
	}

	doc, _ := netboxDocument(t)
	want.source, got.source = "4.6.8.graphql", "4.6.8.graphql"
	_, fromFile, _, _, err := generate(doc, defaultOverrides, model.Document, want)
	if err != nil {
		t.Fatal(err)
	}
	_, fromURL, _, _, err := generate(doc, defaultOverrides, model.Document, got)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromFile) != len(fromURL) {
		t.Fatalf("%d files from the SDL file, %d from the introspected schema", len(fromFile), len(fromURL))
	}
	for i := range fromFile {
		if fromFile[i].Path != fromURL[i].Path || !bytes.Equal(fromFile[i].Data, fromURL[i].Data) {
			t.Errorf("%s differs between the SDL file and the introspected schema", fromFile[i].Path)
		}
	}
}

// The schema Graphbox serves (its deprecated fields and enum values, its @oneOf inputs) and a
// small schema with what NetBox's lacks (deprecated arguments and input fields, interfaces,
// custom directives, escapes in descriptions, every kind of default) survive the round trip.
func TestIntrospectRoundTrip(t *testing.T) {
	served, err := os.ReadFile(filepath.Join(moduleRoot(t), "schema", "zz_generated_schema_v1.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, sdl          string
		deprecated, oneOfs bool
	}{
		{"served v1", string(served), true, true},
		{"features", featuresSDL, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, err := parseNetBoxSchema("want", c.sdl)
			if err != nil {
				t.Fatal(err)
			}
			oneOf, defaults, deprecated, _ := schemaCounts(want.schema)
			if (deprecated > 0) != c.deprecated || (oneOf > 0) != c.oneOfs || defaults == 0 {
				t.Fatalf("the schema has %d deprecations, %d @oneOf inputs, %d defaults", deprecated, oneOf, defaults)
			}
			_, ts := newIntrospectionServer(t, c.sdl, true, "")
			got, err := introspectNetBox(context.Background(), ts.URL, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range schemaDiff(want, got, false) {
				t.Error(d)
			}
		})
	}
}

// featuresSDL has what NetBox 4.6.8's schema does not.
const featuresSDL = `directive @cost(weight: Int! = 1, "why" note: String = "a \"quoted\" \\ note\n") on FIELD_DEFINITION | OBJECT

directive @oneOf on INPUT_OBJECT

enum Color {
  "the color of\nthe sky"
  BLUE
  RED @deprecated(reason: "Use BLUE.")
  GREEN @deprecated
}

input Filter @oneOf {
  name: String
  ids: [ID!]
}

"""
Options, with "quotes", a back\slash, unicode ☃ and a tab	here.
"""
input Options {
  color: Color = BLUE
  colors: [Color!]! = [RED, GREEN]
  nested: Range = {start: 1, end: null}
  label: String = "x\ty"
  old: Int @deprecated(reason: "Use color.")
  ratio: Float = 0.5
}

type Query {
  node(id: ID!): Node
  thing(options: Options = {color: RED}, filter: Filter, legacy: Boolean = false @deprecated(reason: "Gone."), matrix: [[Int!]]!): Thing @cost(weight: 2)
  things: [Thing!]! @deprecated(reason: "Use thing.")
}

input Range {
  start: Int = 0
  end: Int
}

"A thing."
type Thing implements Node {
  id: ID!
  color: Color!
}

interface Node {
  id: ID!
}
`

// The generator reads the schema from a URL: --graphql https://... with --token.
func TestRunGraphQLURL(t *testing.T) {
	sdl, _ := netboxSDL(t, "4.6.8.graphql")
	_, openapi := netboxDocument(t)
	_, ts := newIntrospectionServer(t, sdl, true, "Bearer nbt_abc.def")
	root := t.TempDir()
	for _, dir := range []string{"model", "schema"} {
		if err := os.Mkdir(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var log strings.Builder
	if err := run(context.Background(), []string{"--openapi", openapi, "--graphql", ts.URL + "/graphql/", "--token", "nbt_abc.def", "--root", root, "-q"}, &log); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "schema", "zz_generated_schema_v1.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(data), "\n")
	if want := strings.TrimPrefix(ts.URL, "http://") + "/graphql/"; !strings.Contains(head, want) {
		t.Errorf("the generated schema's header %q does not name %s", head, want)
	}
	if !strings.Contains(string(data), "device_list(") {
		t.Error("the generated schema has no device_list")
	}
}

// The token goes in the Authorization header as NetBox reads it.
func TestIntrospectToken(t *testing.T) {
	for _, c := range []struct{ token, header string }{
		{"0123456789abcdef0123456789abcdef01234567", "Token 0123456789abcdef0123456789abcdef01234567"},
		{"Token 0123456789abcdef0123456789abcdef01234567", "Token 0123456789abcdef0123456789abcdef01234567"},
		{"nbt_key1.secret", "Bearer nbt_key1.secret"},
		{"Bearer nbt_key1.secret", "Bearer nbt_key1.secret"},
		{" nbt_key1.secret\n", "Bearer nbt_key1.secret"},
	} {
		t.Run(c.header, func(t *testing.T) {
			srv, ts := newIntrospectionServer(t, featuresSDL, false, c.header)
			if _, err := introspectNetBox(context.Background(), ts.URL, c.token); err != nil {
				t.Fatal(err)
			}
			if srv.requests.Load() == 0 {
				t.Fatal("no request")
			}
			_, err := introspectNetBox(context.Background(), ts.URL, "wrong")
			if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "Invalid v1 token") {
				t.Errorf("a wrong token: %v", err)
			}
		})
	}
}

// Without strawberry's __Type.isOneOf (graphql-go), no input is @oneOf and nothing else is lost.
func TestIntrospectWithoutIsOneOf(t *testing.T) {
	srv, ts := newIntrospectionServer(t, featuresSDL, false, "")
	got, err := introspectNetBox(context.Background(), ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (the standard query, then specifiedByURL)", n)
	}
	want, err := parseNetBoxSchema("want", strings.Replace(featuresSDL, "input Filter @oneOf", "input Filter", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range schemaDiff(want, got, false) {
		if !strings.Contains(d, "directive @oneOf") {
			t.Error(d)
		}
	}
}

// Every way a NetBox can fail to give its schema is an error that says which, and none shows
// the token.
func TestIntrospectErrors(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef01234567"
	var calls atomic.Int32
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		setup   func(t *testing.T)
		want    string
	}{
		{"refused", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Invalid v1 token", http.StatusForbidden)
		}, nil, "upstream answered 403 Forbidden: Invalid v1 token"},
		{"GraphQL off", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "The GraphQL API is not enabled.", http.StatusNotFound)
		}, nil, "404 Not Found: The GraphQL API is not enabled."},
		{"redirected", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/graphql/v2/", http.StatusMovedPermanently)
		}, nil, "upstream answered 301 Moved Permanently to /graphql/v2/ (give that URL)"},
		{"introspection disabled", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":null,"errors":[{"message":"GraphQL introspection has been disabled, but the requested query contained the field '__schema'.","locations":[{"line":2,"column":3}]}]}`))
		}, nil, "answered with errors: GraphQL introspection has been disabled"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data": {`)) }, nil, "not JSON"},
		{"an HTML page", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<!DOCTYPE html><html><title>Log in</title></html>"))
		}, nil, "HTML page"},
		{"no data", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data":null}`)) }, nil, "no data"},
		{"no __schema", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data":{}}`)) }, nil, "no __schema"},
		{"not an introspection result", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":{"__schema":{"types":"many"}}}`))
		}, nil, "not an introspection result"},
		{"the second query refused", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				_, _ = w.Write([]byte(`{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"kind":"OBJECT","name":"__Type","fields":[{"name":"isOneOf","type":{"kind":"SCALAR","name":"Boolean"}}]}],"directives":[]}}}`))
				return
			}
			_, _ = w.Write([]byte(`{"errors":[{"message":"Cannot query field 'isOneOf'"},{"message":"two"},{"message":"three"},{"message":"four"},{"message":"five"}]}`))
		}, nil, "Cannot query field 'isOneOf'; two; three; and 2 more"},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":{"__schema":{"types":[` + strings.Repeat(`{"kind":"SCALAR","name":"S"},`, 100) + `]}}}`))
		}, func(t *testing.T) {
			old := fetchMaxBytes
			fetchMaxBytes = 1000
			t.Cleanup(func() { fetchMaxBytes = old })
		}, "larger than 1000 bytes"},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			// With the body read, the server sees the client hang up.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, func(t *testing.T) {
			old := fetchTimeout
			fetchTimeout = 100 * time.Millisecond
			t.Cleanup(func() { fetchTimeout = old })
		}, "within 100ms"},
		{"invalid schema", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"OBJECT","name":"Missing"}}]}],"directives":[]}}}`))
		}, nil, "Undefined type Missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				c.setup(t)
			}
			ts := httptest.NewServer(c.handler)
			defer ts.Close()
			_, err := introspectNetBox(context.Background(), ts.URL+"/graphql/", token)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token: %v", err)
			}
			if !strings.Contains(err.Error(), "introspect "+ts.URL+"/graphql/") && c.name != "invalid schema" {
				t.Errorf("the error does not say what failed: %v", err)
			}
		})
	}
}
