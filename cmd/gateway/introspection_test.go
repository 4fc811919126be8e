package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/internal/introspect"
)

// The standard introspection query, as GraphiQL's Docs pane, graphql-inspector and the codegen
// tools send it, answers at the default limits, and a client schema built from the answer is
// a valid schema with the types the gateway serves.
func TestStandardIntrospectionQuery(t *testing.T) {
	// graphql-js 16's getIntrospectionQuery() with every option on (tools/introspection/generate).
	query, err := os.ReadFile("testdata/introspection-query.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s := newStack(t, nil)
	resp := s.query(t, "", string(query))
	if resp.Status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("introspection refused: status %d, errors %+v", resp.Status, resp.Errors)
	}
	var schema introspect.Schema
	if err := json.Unmarshal(resp.Data["__schema"], &schema); err != nil {
		t.Fatal(err)
	}
	sdl, err := schema.SDL()
	if err != nil {
		t.Fatal(err)
	}
	built, gerr := gqlparser.LoadSchema(&ast.Source{Name: "introspection", Input: sdl})
	if gerr != nil {
		t.Fatalf("client schema from the introspection answer: %v", gerr)
	}
	for _, name := range []string{"DeviceType", "DeviceTypeOffsetPaginated", "OffsetPaginationInput", "DeviceFilter"} {
		if built.Types[name] == nil {
			t.Errorf("client schema has no type %s", name)
		}
	}
	if q := built.Query; q == nil || q.Fields.ForName("device_list") == nil || q.Fields.ForName("device") == nil {
		t.Errorf("client schema's query type lacks device and device_list")
	}
}

// A query 20 levels deep over object types is still refused at the default depth limit.
func TestDeepObjectQueryRefused(t *testing.T) {
	s := newStack(t, nil)
	q := "id"
	for i := 0; i < 10; i++ {
		q = "device { site { " + q + " } }"
	}
	q = "{ interface_list { results { " + q + " } } }"
	resp := s.query(t, fullToken, q)
	if resp.Status != 400 || len(resp.Data) != 0 || !strings.Contains(strings.Join(resp.codes(), ","), "QUERY_TOO_DEEP") {
		t.Fatalf("deep query: status %d, codes %v, data %v", resp.Status, resp.codes(), resp.Data)
	}
}
