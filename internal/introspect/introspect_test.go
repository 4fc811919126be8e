package introspect

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// What the newer introspection fields say reaches the SDL; a malformed answer is an error,
// never another schema.
func TestIntrospectionSDL(t *testing.T) {
	str := func(s string) *string { return &s }
	named := func(n string) TypeRef { return TypeRef{Kind: "OBJECT", Name: str(n)} }
	base := func() *Schema {
		return &Schema{
			QueryType:    &NamedRef{"Root"},
			MutationType: &NamedRef{"Change"},
			Types: []*Type{
				{Kind: "OBJECT", Name: "Root", Fields: []Field{{Name: "a", Type: TypeRef{Kind: "SCALAR", Name: str("Int")}}}},
				{Kind: "OBJECT", Name: "Change", Fields: []Field{{Name: "b", Type: TypeRef{Kind: "NON_NULL", OfType: &TypeRef{Kind: "LIST", OfType: &TypeRef{Kind: "SCALAR", Name: str("Int")}}}}}},
				{Kind: "SCALAR", Name: "Int"},
				{Kind: "SCALAR", Name: "Time"},
				{Kind: "OBJECT", Name: "__Type", Fields: []Field{{Name: "isOneOf", Type: TypeRef{Kind: "SCALAR", Name: str("Boolean")}}, {Name: "specifiedByUrl", Type: TypeRef{Kind: "SCALAR", Name: str("String")}}}},
				{Kind: "OBJECT", Name: "__Directive", Fields: []Field{{Name: "isRepeatable", Type: TypeRef{Kind: "SCALAR", Name: str("Boolean")}}}},
			},
			Directives: []*Directive{
				{Name: "tag", Locations: []string{"OBJECT", "FIELD_DEFINITION"}, Args: []InputValue{{Name: "name", Type: TypeRef{Kind: "SCALAR", Name: str("String")}, DefaultValue: str(`"x"`)}}},
				{Name: "skip", Locations: []string{"FIELD"}, Args: []InputValue{{Name: "if", Type: TypeRef{Kind: "SCALAR", Name: str("Boolean")}}}},
			},
		}
	}
	s := base()
	if q := s.ExtrasQuery(); q != "query IntrospectionExtras { __schema { types { name isOneOf specifiedByUrl } directives { name isRepeatable } } }" {
		t.Errorf("extras query %q", q)
	}
	var extras Extras
	if err := json.Unmarshal([]byte(`{"types":[{"name":"Time","isOneOf":false,"specifiedByUrl":"https://example.com/time"}],"directives":[{"name":"tag","isRepeatable":true}]}`), &extras); err != nil {
		t.Fatal(err)
	}
	s.Merge(&extras)
	sdl, err := s.SDL()
	if err != nil {
		t.Fatal(err)
	}
	got, gerr := gqlparser.LoadSchema(&ast.Source{Name: "got", Input: sdl})
	if gerr != nil {
		t.Fatalf("%v\n%s", gerr, sdl)
	}
	if got.Query.Name != "Root" || got.Mutation == nil || got.Mutation.Name != "Change" {
		t.Errorf("root types %v, %v", got.Query, got.Mutation)
	}
	if d := got.Directives["tag"]; d == nil || !d.IsRepeatable || d.Arguments.ForName("name").DefaultValue.String() != `"x"` {
		t.Errorf("directive @tag: %+v", d)
	}
	if d := got.Types["Time"].Directives.ForName("specifiedBy"); d == nil || d.Arguments.ForName("url").Value.Raw != "https://example.com/time" {
		t.Errorf("Time's @specifiedBy: %+v", d)
	}
	if f := got.Mutation.Fields.ForName("b"); f == nil || f.Type.String() != "[Int]!" {
		t.Errorf("Change.b: %+v", f)
	}

	for _, c := range []struct {
		name   string
		change func(s *Schema)
		want   string
	}{
		{"no query type", func(s *Schema) { s.QueryType = nil }, "no query type"},
		{"bad name", func(s *Schema) { s.Types[0].Fields[0].Name = "a: Int } type Evil { b" }, "invalid name"},
		{"default that is not a value", func(s *Schema) {
			s.Directives[0].Args[0].DefaultValue = str(`"x") on OBJECT directive @evil(a: Int = 1`)
		}, "not a GraphQL value"},
		{"default with a variable", func(s *Schema) { s.Directives[0].Args[0].DefaultValue = str("$v") }, "not a GraphQL value"},
		{"reference too deep", func(s *Schema) { s.Types[1].Fields[0].Type.OfType.OfType = nil }, "nested deeper"},
		{"unknown kind", func(s *Schema) { s.Types[3].Kind = "TENSOR" }, "unknown kind"},
		{"union member without a name", func(s *Schema) {
			s.Types = append(s.Types, &Type{Kind: "UNION", Name: "U", PossibleTypes: []TypeRef{named("Root"), {Kind: "OBJECT"}}})
		}, "has no name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.change(s)
			if _, err := s.SDL(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// An answer with empty definitions prints as valid syntax, and the schema's own validation
// names what is wrong.
func TestIntrospectionSDLEmptyDefinitions(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, empty := range []*Type{
		{Kind: "OBJECT", Name: "Empty"},
		{Kind: "INTERFACE", Name: "Empty"},
		{Kind: "ENUM", Name: "Empty"},
		{Kind: "INPUT_OBJECT", Name: "Empty"},
		{Kind: "UNION", Name: "Empty"},
	} {
		t.Run(empty.Kind, func(t *testing.T) {
			s := &Schema{QueryType: &NamedRef{"Q"}, Types: []*Type{
				{Kind: "OBJECT", Name: "Q", Fields: []Field{{Name: "a", Type: TypeRef{Kind: "SCALAR", Name: str("Int")}}}},
				empty,
			}}
			sdl, err := s.SDL()
			if err != nil {
				t.Fatal(err)
			}
			_, gerr := gqlparser.LoadSchema(&ast.Source{Name: "answer", Input: sdl})
			if gerr == nil || !strings.Contains(gerr.Error(), "Empty") {
				t.Errorf("loading %q: %v", sdl, gerr)
			}
		})
	}
}
