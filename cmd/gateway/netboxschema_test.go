package main

import (
	"os"
	"sort"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/schema"
)

// servedNetBoxNames is how many of NetBox 4.6.8's names the served schema had with a compatible
// type when this test was written; the count may only grow (issue 11 serves them all).
const servedNetBoxNames = 2939

// TestNetBoxSchemaCoverage measures the served schema against NetBox 4.6.8's own GraphQL
// schema, name for name: root fields, object fields (reverse relations included) and filter
// input fields, each present with the same named type, list-ness and kind. It logs the counts
// and the types furthest from NetBox's, and fails if coverage drops.
func TestNetBoxSchemaCoverage(t *testing.T) {
	sdl, err := os.ReadFile("../../../shared/netbox/graphql/4.6.8.graphql")
	if err != nil {
		t.Skipf("NetBox 4.6.8's GraphQL schema is not beside the repository (../shared/netbox/graphql/4.6.8.graphql): %v", err)
	}
	nb, err := gqlparser.LoadSchema(&ast.Source{Name: "netbox", Input: string(sdl)})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := gqlparser.LoadSchema(&ast.Source{Name: "graphbox", Input: schema.SDL()})
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ total, served int }
	kinds := map[string]*tally{"root": {}, "object": {}, "filter": {}}
	missingByType := map[string]int{}
	for name, def := range nb.Types {
		if def.BuiltIn || (def.Kind != ast.Object && def.Kind != ast.InputObject) {
			continue
		}
		kind := "object"
		switch {
		case def == nb.Query:
			kind = "root"
		case def.Kind == ast.InputObject:
			kind = "filter"
		}
		var mine *ast.Definition
		if def == nb.Query {
			mine = ours.Query
		} else {
			mine = ours.Types[name]
		}
		for _, f := range def.Fields {
			kinds[kind].total++
			if mine != nil {
				if g := mine.Fields.ForName(f.Name); g != nil && sameShape(f.Type, g.Type) {
					kinds[kind].served++
					continue
				}
			}
			missingByType[name]++
		}
	}
	total, served := 0, 0
	for k, c := range kinds {
		t.Logf("%-6s %5d of %5d NetBox names served with a compatible type", k, c.served, c.total)
		total, served = total+c.total, served+c.served
	}
	t.Logf("all    %5d of %5d", served, total)
	worst := make([]string, 0, len(missingByType))
	for n := range missingByType {
		worst = append(worst, n)
	}
	sort.Slice(worst, func(i, j int) bool { return missingByType[worst[i]] > missingByType[worst[j]] })
	for _, n := range worst[:min(10, len(worst))] {
		t.Logf("  %s: %d names missing or of another type", n, missingByType[n])
	}
	if served < servedNetBoxNames {
		t.Errorf("%d NetBox names served, fewer than the %d served before", served, servedNetBoxNames)
	}
}

// sameShape tells whether ours answers where NetBox's type is expected: the same named type and
// the same list nesting (nullability aside: NetBox's non-null fields may be null here when the
// upstream has no value).
func sameShape(nb, ours *ast.Type) bool {
	if (nb.Elem == nil) != (ours.Elem == nil) {
		return false
	}
	if nb.Elem != nil {
		return sameShape(nb.Elem, ours.Elem)
	}
	return nb.NamedType == ours.NamedType
}
