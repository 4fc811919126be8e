package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/internal/introspect"
	"github.com/graphbox/graphbox/schema"
)

// netboxDifferences is how many of NetBox 4.6.8's schema elements the served schema lacked or
// typed otherwise when this test was last tightened; it may only fall. Each is listed, with its
// reason, by `go run ./cmd/schemagen` (without -q) and in schema/zz_generated_unmapped.md.
const netboxDifferences = 77

// TestServesNetBoxSchema compares the served schemas with NetBox 4.6.8's own, name for name:
// every type with its kind, every object field and argument, every input field with the same
// type (nullability and list nesting included), every enum value and union member. Version 1
// must match NetBox's root lists exactly; version 2 differs only in returning
// <Model>TypeOffsetPaginated from them.
func TestServesNetBoxSchema(t *testing.T) {
	nb := netboxSchema(t)
	s := newStack(t, nil)
	for _, v := range []struct {
		version int
		path    string
		sdl     string
	}{{1, "/graphql/v1/", schema.SDLV1()}, {2, "/graphql/v2/", schema.SDL()}} {
		ours := introspectSchema(t, s, v.path)
		// What the endpoint answers is the generated SDL: the one the other tests read.
		sdlSchema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "graphbox", Input: v.sdl})
		if gerr != nil {
			t.Fatal(gerr)
		}
		if d, _ := compareSchemas(sdlSchema, ours, 0); len(d) > 0 {
			t.Errorf("%s introspects otherwise than its SDL: %d differences, first %+v", v.path, len(d), d[0])
		}
		diffs, total := compareSchemas(nb, ours, v.version)
		byKind := map[string]int{}
		for _, d := range diffs {
			byKind[d.kind]++
		}
		kinds := make([]string, 0, len(byKind))
		for k := range byKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		t.Logf("version %d: %d of %d NetBox schema elements served as NetBox has them; %d differ", v.version, total-len(diffs), total, len(diffs))
		for _, k := range kinds {
			t.Logf("  %-34s %4d", k, byKind[k])
		}
		if testing.Verbose() {
			for _, d := range diffs {
				t.Logf("    %s %s: %s", d.kind, d.name, d.detail)
			}
		}
		if len(diffs) > netboxDifferences {
			t.Errorf("version %d: %d differences from NetBox's schema, more than the %d before", v.version, len(diffs), netboxDifferences)
		}
	}
}

// netboxSchema is NetBox 4.6.8's GraphQL schema from ../shared; the test skips without it.
func netboxSchema(t *testing.T) *ast.Schema {
	t.Helper()
	sdl, err := os.ReadFile("../../../shared/netbox/graphql/4.6.8.graphql")
	if err != nil {
		t.Skipf("NetBox 4.6.8's GraphQL schema is not beside the repository (../shared/netbox/graphql/4.6.8.graphql): %v", err)
	}
	nb, gerr := gqlparser.LoadSchema(&ast.Source{Name: "netbox", Input: string(sdl)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	return nb
}

type schemaDiff struct{ kind, name, detail string }

// compareSchemas lists how ours differs from NetBox's, and how many elements NetBox's has.
func compareSchemas(nb, ours *ast.Schema, version int) ([]schemaDiff, int) {
	var diffs []schemaDiff
	total := 0
	add := func(kind, name, format string, a ...any) {
		diffs = append(diffs, schemaDiff{kind, name, fmt.Sprintf(format, a...)})
	}
	names := make([]string, 0, len(nb.Types))
	for n, def := range nb.Types {
		if !def.BuiltIn {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		def := nb.Types[n]
		total++
		mine := ours.Types[n]
		if def == nb.Query {
			mine = ours.Query
		}
		if mine == nil {
			add("type missing", n, "%s", def.Kind)
			total += len(def.Fields) + len(def.EnumValues)
			continue
		}
		if mine.Kind != def.Kind {
			add("type of another kind", n, "%s, NetBox %s", mine.Kind, def.Kind)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // __schema, __type: introspection's own
			}
			total++
			name := n + "." + f.Name
			g := mine.Fields.ForName(f.Name)
			if g == nil {
				add(string(def.Kind)+" field missing", name, "%s", f.Type)
				continue
			}
			want := f.Type.String()
			if version == 0 {
				// ours against its own SDL
			} else if def == nb.Query && version == 2 && f.Type.Elem != nil {
				want = f.Type.Elem.Name() + "OffsetPaginated!"
			}
			if g.Type.String() != want {
				kind := string(def.Kind) + " field typed otherwise"
				if strings.TrimSuffix(want, "!") == g.Type.String() {
					kind = string(def.Kind) + " field nullable"
				}
				add(kind, name, "%s, NetBox %s", g.Type, want)
			}
			for _, a := range f.Arguments {
				total++
				ga := g.Arguments.ForName(a.Name)
				switch {
				case ga == nil:
					add("argument missing", name+"("+a.Name+")", "%s", a.Type)
				case ga.Type.String() != a.Type.String():
					add("argument typed otherwise", name+"("+a.Name+")", "%s, NetBox %s", ga.Type, a.Type)
				}
			}
		}
		for _, ev := range def.EnumValues {
			total++
			if mine.EnumValues.ForName(ev.Name) == nil {
				add("enum value missing", n+"."+ev.Name, "")
			}
		}
		for _, m := range def.Types {
			total++
			found := false
			for _, x := range mine.Types {
				found = found || x == m
			}
			if !found {
				add("union member missing", n+"."+m, "")
			}
		}
	}
	return diffs, total
}

// introspectSchema reads the schema a GraphQL endpoint serves by introspection, as a client
// sees it: the standard introspection query, its answer turned back into a schema.
func introspectSchema(t *testing.T, s *stack, path string) *ast.Schema {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": introspect.Query})
	r := s.postTo(t, path, fullToken, body)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: introspection: %+v", path, r.Errors)
	}
	var answer introspect.Schema
	if err := json.Unmarshal(r.Data["__schema"], &answer); err != nil {
		t.Fatal(err)
	}
	sdl, err := answer.SDL()
	if err != nil {
		t.Fatalf("%s: introspection answer: %v", path, err)
	}
	out, gerr := gqlparser.LoadSchema(&ast.Source{Name: path, Input: sdl})
	if gerr != nil {
		t.Fatalf("%s: schema from introspection: %v", path, gerr)
	}
	return out
}
