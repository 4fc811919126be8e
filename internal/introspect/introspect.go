// Package introspect reads a GraphQL schema from an introspection answer and prints it as SDL:
// the query to send (the standard one, then the newer fields the server's own introspection types
// have), and the schema the answer describes, checked as it is printed.
package introspect

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Query is the standard introspection query (graphql-js's getIntrospectionQuery with
// descriptions and inputValueDeprecation): graphql-core 3.2 (NetBox's strawberry) and graphql-go
// answer it. Deprecated arguments and input fields are only listed when asked for, hence
// includeDeprecated on args and inputFields. Its answer decodes into Schema.
var Query = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name` + strings.Repeat("\n  ofType { kind name", TypeRefDepth) + strings.Repeat(" }", TypeRefDepth) + `
}
`

// TypeRefDepth is how many wrappers (lists and non-nulls) a type reference may have, more
// than any schema uses ([[T!]!]! has five).
const TypeRefDepth = 8

// Schema is an answer's __schema.
type Schema struct {
	QueryType        *NamedRef    `json:"queryType"`
	MutationType     *NamedRef    `json:"mutationType"`
	SubscriptionType *NamedRef    `json:"subscriptionType"`
	Types            []*Type      `json:"types"`
	Directives       []*Directive `json:"directives"`
}

// NamedRef is a root type: only its name is asked for.
type NamedRef struct {
	Name string `json:"name"`
}

// Type is one of the schema's named types.
type Type struct {
	Kind           string       `json:"kind"`
	Name           string       `json:"name"`
	Description    *string      `json:"description"`
	Fields         []Field      `json:"fields"`
	InputFields    []InputValue `json:"inputFields"`
	Interfaces     []TypeRef    `json:"interfaces"`
	EnumValues     []EnumValue  `json:"enumValues"`
	PossibleTypes  []TypeRef    `json:"possibleTypes"`
	SpecifiedByURL *string      `json:"specifiedByURL"` // from the second query
	IsOneOf        bool         `json:"isOneOf"`        // from the second query
}

// Field is a field of an object or interface type.
type Field struct {
	Name              string       `json:"name"`
	Description       *string      `json:"description"`
	Args              []InputValue `json:"args"`
	Type              TypeRef      `json:"type"`
	IsDeprecated      bool         `json:"isDeprecated"`
	DeprecationReason *string      `json:"deprecationReason"`
}

// InputValue is an argument or an input field.
type InputValue struct {
	Name              string  `json:"name"`
	Description       *string `json:"description"`
	Type              TypeRef `json:"type"`
	DefaultValue      *string `json:"defaultValue"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

// EnumValue is one value of an enum.
type EnumValue struct {
	Name              string  `json:"name"`
	Description       *string `json:"description"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

// Directive is a directive definition.
type Directive struct {
	Name         string       `json:"name"`
	Description  *string      `json:"description"`
	Locations    []string     `json:"locations"`
	Args         []InputValue `json:"args"`
	IsRepeatable bool         `json:"isRepeatable"` // from the second query
}

// TypeRef is a type reference: a named type, or a list or non-null wrapper of one.
type TypeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *TypeRef `json:"ofType"`
}

// Extras is the answer to the second query. The JSON decoder matches keys without
// regard to case, so specifiedByUrl (graphql-core 3.1's spelling) lands in SpecifiedByURL too.
type Extras struct {
	Types []struct {
		Name           string  `json:"name"`
		IsOneOf        *bool   `json:"isOneOf"`
		SpecifiedByURL *string `json:"specifiedByURL"`
	} `json:"types"`
	Directives []struct {
		Name         string `json:"name"`
		IsRepeatable *bool  `json:"isRepeatable"`
	} `json:"directives"`
}

// ExtrasQuery asks for the introspection fields newer than the standard query that the server's
// own __Type and __Directive list, or is empty when it has none of them.
func (s *Schema) ExtrasQuery() string {
	has := func(typ, field string) bool {
		for _, t := range s.Types {
			if t.Name == typ {
				for _, f := range t.Fields {
					if f.Name == field {
						return true
					}
				}
			}
		}
		return false
	}
	var types, directives []string
	if has("__Type", "isOneOf") {
		types = append(types, "isOneOf")
	}
	for _, f := range []string{"specifiedByURL", "specifiedByUrl"} {
		if has("__Type", f) {
			types = append(types, f)
			break
		}
	}
	if has("__Directive", "isRepeatable") {
		directives = append(directives, "isRepeatable")
	}
	if len(types) == 0 && len(directives) == 0 {
		return ""
	}
	q := "query IntrospectionExtras { __schema {"
	if len(types) > 0 {
		q += " types { name " + strings.Join(types, " ") + " }"
	}
	if len(directives) > 0 {
		q += " directives { name " + strings.Join(directives, " ") + " }"
	}
	return q + " } }"
}

// Merge puts the second answer's fields into the first's types and directives.
func (s *Schema) Merge(x *Extras) {
	types := map[string]*Type{}
	for _, t := range s.Types {
		types[t.Name] = t
	}
	for _, xt := range x.Types {
		if t := types[xt.Name]; t != nil {
			if xt.IsOneOf != nil {
				t.IsOneOf = *xt.IsOneOf
			}
			if xt.SpecifiedByURL != nil {
				t.SpecifiedByURL = xt.SpecifiedByURL
			}
		}
	}
	for _, xd := range x.Directives {
		for _, d := range s.Directives {
			if d.Name == xd.Name && xd.IsRepeatable != nil {
				d.IsRepeatable = *xd.IsRepeatable
			}
		}
	}
}

// builtInDirectives are defined by every schema (@oneOf by the newer ones); an SDL document
// leaves them out.
var builtInDirectives = map[string]bool{"include": true, "skip": true, "deprecated": true, "specifiedBy": true, "oneOf": true}

var builtInScalars = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

// DefaultDeprecationReason is the reason @deprecated has when none is given.
const DefaultDeprecationReason = "No longer supported"

// SDL prints the schema the answer describes. Types come in name order, as strawberry prints
// them (sorted(type_map)); fields, arguments and values in the server's order. Every name is
// checked and every default value parsed before it is printed, so a malformed answer is an
// error here and never a different schema.
func (s *Schema) SDL() (string, error) {
	if s.QueryType == nil || s.QueryType.Name == "" {
		return "", errors.New("the answer names no query type")
	}
	if len(s.Types) == 0 {
		return "", errors.New("the answer lists no types")
	}
	w := &sdlWriter{}
	w.line("schema {")
	w.line("  query: " + w.name(s.QueryType.Name))
	if s.MutationType != nil {
		w.line("  mutation: " + w.name(s.MutationType.Name))
	}
	if s.SubscriptionType != nil {
		w.line("  subscription: " + w.name(s.SubscriptionType.Name))
	}
	w.line("}")
	for _, t := range s.Types {
		if t.IsOneOf {
			// Printed where used, as strawberry does: graphql-core 3.2 does not list it,
			// newer servers (graphql-core 3.3, graphql-go) list it as built in.
			w.line("")
			w.line("directive @oneOf on INPUT_OBJECT")
			break
		}
	}
	for _, d := range s.Directives {
		if builtInDirectives[d.Name] {
			continue
		}
		w.line("")
		w.description("", d.Description)
		locs := make([]string, len(d.Locations))
		for i, l := range d.Locations {
			locs[i] = w.name(l)
		}
		repeatable := ""
		if d.IsRepeatable {
			repeatable = " repeatable"
		}
		w.line("directive @" + w.name(d.Name) + w.args(d.Args) + repeatable + " on " + strings.Join(locs, " | "))
	}
	types := append([]*Type(nil), s.Types...)
	sort.SliceStable(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	for _, t := range types {
		if strings.HasPrefix(t.Name, "__") || builtInScalars[t.Name] {
			continue
		}
		w.typ(t)
	}
	if w.err != nil {
		return "", w.err
	}
	return w.b.String(), nil
}

// sdlWriter prints SDL and keeps the first error.
type sdlWriter struct {
	b   strings.Builder
	err error
}

func (w *sdlWriter) line(s string) {
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *sdlWriter) fail(format string, args ...any) {
	if w.err == nil {
		w.err = fmt.Errorf(format, args...)
	}
}

var graphqlName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

func (w *sdlWriter) name(n string) string {
	if !graphqlName.MatchString(n) {
		w.fail("the answer has an invalid name %q", n)
	}
	return n
}

func (w *sdlWriter) description(indent string, d *string) {
	if d != nil && *d != "" {
		w.line(indent + quoteGraphQL(*d))
	}
}

func quoteGraphQL(s string) string {
	return (&ast.Value{Kind: ast.StringValue, Raw: s}).String()
}

func deprecation(is bool, reason *string) string {
	switch {
	case !is:
		return ""
	case reason == nil || *reason == DefaultDeprecationReason:
		return " @deprecated"
	}
	return " @deprecated(reason: " + quoteGraphQL(*reason) + ")"
}

func (w *sdlWriter) typ(t *Type) {
	w.line("")
	w.description("", t.Description)
	name := w.name(t.Name)
	switch t.Kind {
	case "SCALAR":
		s := "scalar " + name
		if t.SpecifiedByURL != nil {
			s += " @specifiedBy(url: " + quoteGraphQL(*t.SpecifiedByURL) + ")"
		}
		w.line(s)
	case "OBJECT", "INTERFACE":
		head := map[string]string{"OBJECT": "type ", "INTERFACE": "interface "}[t.Kind] + name
		for i, iface := range t.Interfaces {
			head += map[bool]string{true: " implements ", false: " & "}[i == 0] + w.ref(iface)
		}
		if len(t.Fields) == 0 {
			// Valid syntax, so that the schema's validation says what is wrong (here and below).
			w.line(head)
			return
		}
		w.line(head + " {")
		for _, f := range t.Fields {
			w.description("  ", f.Description)
			w.line("  " + w.name(f.Name) + w.args(f.Args) + ": " + w.ref(f.Type) + deprecation(f.IsDeprecated, f.DeprecationReason))
		}
		w.line("}")
	case "UNION":
		members := make([]string, len(t.PossibleTypes))
		for i, m := range t.PossibleTypes {
			members[i] = w.ref(m)
		}
		if len(members) == 0 {
			w.line("union " + name)
			return
		}
		w.line("union " + name + " = " + strings.Join(members, " | "))
	case "ENUM":
		if len(t.EnumValues) == 0 {
			w.line("enum " + name)
			return
		}
		w.line("enum " + name + " {")
		for _, v := range t.EnumValues {
			w.description("  ", v.Description)
			w.line("  " + w.name(v.Name) + deprecation(v.IsDeprecated, v.DeprecationReason))
		}
		w.line("}")
	case "INPUT_OBJECT":
		head := "input " + name
		if t.IsOneOf {
			head += " @oneOf"
		}
		if len(t.InputFields) == 0 {
			w.line(head)
			return
		}
		w.line(head + " {")
		for _, f := range t.InputFields {
			w.description("  ", f.Description)
			w.line("  " + w.input(f))
		}
		w.line("}")
	default:
		w.fail("type %s has an unknown kind %q", t.Name, t.Kind)
	}
}

// args prints an argument list on one line, descriptions included.
func (w *sdlWriter) args(args []InputValue) string {
	if len(args) == 0 {
		return ""
	}
	parts := make([]string, len(args))
	for i, a := range args {
		if a.Description != nil && *a.Description != "" {
			parts[i] = quoteGraphQL(*a.Description) + " "
		}
		parts[i] += w.input(a)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (w *sdlWriter) input(in InputValue) string {
	s := w.name(in.Name) + ": " + w.ref(in.Type)
	if in.DefaultValue != nil {
		s += " = " + w.literal(in.Name, *in.DefaultValue)
	}
	return s + deprecation(in.IsDeprecated, in.DeprecationReason)
}

// literal is a default value as printed by the server, parsed as one constant GraphQL value
// and printed again: text that is anything else is refused rather than spliced into the SDL.
func (w *sdlWriter) literal(name, text string) string {
	doc, err := parser.ParseQuery(&ast.Source{Input: "query($v: Boolean = " + text + ") { __typename }"})
	if err != nil || len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		w.fail("the default value of %s is not a GraphQL value: %q", name, text)
		return ""
	}
	op := doc.Operations[0]
	if len(op.VariableDefinitions) != 1 || op.VariableDefinitions[0].DefaultValue == nil ||
		len(op.VariableDefinitions[0].Directives) != 0 || len(op.Directives) != 0 ||
		len(op.SelectionSet) != 1 || !constant(op.VariableDefinitions[0].DefaultValue) {
		w.fail("the default value of %s is not a GraphQL value: %q", name, text)
		return ""
	}
	return op.VariableDefinitions[0].DefaultValue.String()
}

func constant(v *ast.Value) bool {
	if v.Kind == ast.Variable {
		return false
	}
	for _, c := range v.Children {
		if !constant(c.Value) {
			return false
		}
	}
	return true
}

// ref prints a type reference; a reference cut short by the query's depth is an error.
func (w *sdlWriter) ref(r TypeRef) string {
	switch r.Kind {
	case "NON_NULL", "LIST":
		if r.OfType == nil {
			w.fail("a type reference is nested deeper than %d wrappers or incomplete", TypeRefDepth)
			return ""
		}
		if r.Kind == "LIST" {
			return "[" + w.ref(*r.OfType) + "]"
		}
		return w.ref(*r.OfType) + "!"
	}
	if r.Name == nil {
		w.fail("a %s type reference has no name", r.Kind)
		return ""
	}
	return w.name(*r.Name)
}
