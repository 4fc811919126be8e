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
	var schema introspectionSchema
	if err := json.Unmarshal(resp.Data["__schema"], &schema); err != nil {
		t.Fatal(err)
	}
	sdl, err := schema.sdl()
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

// introspectionSchema is the answer to the standard introspection query.
type introspectionSchema struct {
	QueryType        *introspectionRef    `json:"queryType"`
	MutationType     *introspectionRef    `json:"mutationType"`
	SubscriptionType *introspectionRef    `json:"subscriptionType"`
	Types            []introspectionType  `json:"types"`
	Directives       []introspectionDirec `json:"directives"`
}

type introspectionRef struct {
	Kind   string            `json:"kind"`
	Name   *string           `json:"name"`
	OfType *introspectionRef `json:"ofType"`
}

type introspectionType struct {
	Kind          string               `json:"kind"`
	Name          string               `json:"name"`
	Description   *string              `json:"description"`
	Fields        []introspectionField `json:"fields"`
	InputFields   []introspectionInput `json:"inputFields"`
	Interfaces    []introspectionRef   `json:"interfaces"`
	EnumValues    []introspectionEnum  `json:"enumValues"`
	PossibleTypes []introspectionRef   `json:"possibleTypes"`
}

type introspectionField struct {
	Name              string               `json:"name"`
	Args              []introspectionInput `json:"args"`
	Type              introspectionRef     `json:"type"`
	IsDeprecated      bool                 `json:"isDeprecated"`
	DeprecationReason *string              `json:"deprecationReason"`
}

type introspectionInput struct {
	Name         string           `json:"name"`
	Type         introspectionRef `json:"type"`
	DefaultValue *string          `json:"defaultValue"`
}

type introspectionEnum struct {
	Name string `json:"name"`
}

type introspectionDirec struct {
	Name         string               `json:"name"`
	IsRepeatable bool                 `json:"isRepeatable"`
	Locations    []string             `json:"locations"`
	Args         []introspectionInput `json:"args"`
}

// builtIn are the types and directives every GraphQL schema has; a client schema leaves them out.
var builtIn = map[string]bool{
	"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true,
	"include": true, "skip": true, "deprecated": true, "specifiedBy": true, "oneOf": true,
}

// sdl writes the schema the answer describes, as graphql-js's buildClientSchema reads it:
// every type reference must resolve, and an incomplete answer is an error.
func (s introspectionSchema) sdl() (string, error) {
	if s.QueryType == nil || s.QueryType.Name == nil {
		return "", fmt.Errorf("the answer has no query type")
	}
	if len(s.Types) == 0 {
		return "", fmt.Errorf("the answer has no types")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "schema { query: %s }\n", *s.QueryType.Name)
	types := append([]introspectionType(nil), s.Types...)
	sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	for _, t := range types {
		if builtIn[t.Name] || strings.HasPrefix(t.Name, "__") {
			continue
		}
		switch t.Kind {
		case "SCALAR":
			fmt.Fprintf(&b, "scalar %s\n", t.Name)
		case "OBJECT", "INTERFACE":
			kw := map[string]string{"OBJECT": "type", "INTERFACE": "interface"}[t.Kind]
			fmt.Fprintf(&b, "%s %s", kw, t.Name)
			for i, iface := range t.Interfaces {
				sep := " & "
				if i == 0 {
					sep = " implements "
				}
				b.WriteString(sep + *iface.Name)
			}
			if len(t.Fields) == 0 {
				return "", fmt.Errorf("%s %s has no fields", t.Kind, t.Name)
			}
			b.WriteString(" {\n")
			for _, f := range t.Fields {
				fmt.Fprintf(&b, "  %s%s: %s\n", f.Name, inputList(f.Args), f.Type.String())
			}
			b.WriteString("}\n")
		case "UNION":
			names := make([]string, len(t.PossibleTypes))
			for i, p := range t.PossibleTypes {
				names[i] = *p.Name
			}
			fmt.Fprintf(&b, "union %s = %s\n", t.Name, strings.Join(names, " | "))
		case "ENUM":
			fmt.Fprintf(&b, "enum %s {", t.Name)
			for _, v := range t.EnumValues {
				b.WriteString(" " + v.Name)
			}
			b.WriteString(" }\n")
		case "INPUT_OBJECT":
			fmt.Fprintf(&b, "input %s {\n", t.Name)
			for _, f := range t.InputFields {
				fmt.Fprintf(&b, "  %s\n", f.String())
			}
			b.WriteString("}\n")
		default:
			return "", fmt.Errorf("type %s has an unknown kind %q", t.Name, t.Kind)
		}
	}
	for _, d := range s.Directives {
		if builtIn[d.Name] {
			continue
		}
		rep := ""
		if d.IsRepeatable {
			rep = " repeatable"
		}
		fmt.Fprintf(&b, "directive @%s%s%s on %s\n", d.Name, inputList(d.Args), rep, strings.Join(d.Locations, " | "))
	}
	return b.String(), nil
}

func inputList(args []introspectionInput) string {
	if len(args) == 0 {
		return ""
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (in introspectionInput) String() string {
	s := in.Name + ": " + in.Type.String()
	if in.DefaultValue != nil {
		s += " = " + *in.DefaultValue
	}
	return s
}

func (r introspectionRef) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	if r.Name == nil {
		return "<unnamed>"
	}
	return *r.Name
}
