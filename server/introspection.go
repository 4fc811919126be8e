package server

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// unsupportedIntrospection are introspection fields graphql-js 16 asks for with its options on
// (schemaDescription, directiveIsRepeatable, oneOf) that graphql-go's meta-schema lacks, keyed by
// the meta type that would have them. graphql-go would refuse the whole query for them.
var unsupportedIntrospection = map[string]string{
	"description":  "__Schema",
	"isRepeatable": "__Directive",
	"isOneOf":      "__Type",
}

// introspectionCompat removes the unsupported introspection fields from a query, so tools that
// send graphql-js's introspection query with every option still get the schema. The answer
// then lacks those keys, which graphql-js's buildClientSchema reads as absent: no schema
// description and no repeatable directive (true of this schema), and no oneOf input, which
// NetBox's numeric lookups (IntegerLookup, ...) are: execution still enforces their one-member
// rule, and the SDL declares them. A query that asks for none of them is returned unchanged.
func introspectionCompat(query string) string {
	if !strings.Contains(query, "__") ||
		!(strings.Contains(query, "isOneOf") || strings.Contains(query, "isRepeatable") || strings.Contains(query, "description")) {
		return query
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return query // the executor reports the error
	}
	changed := false
	for _, op := range doc.Operations {
		op.SelectionSet = dropUnsupported(op.SelectionSet, "", &changed)
	}
	for _, f := range doc.Fragments {
		f.SelectionSet = dropUnsupported(f.SelectionSet, f.TypeCondition, &changed)
	}
	if !changed {
		return query
	}
	var b strings.Builder
	formatter.NewFormatter(&b).FormatQueryDocument(doc)
	return b.String()
}

// dropUnsupported walks set, whose parent type is parent ("" outside introspection).
func dropUnsupported(set ast.SelectionSet, parent string, changed *bool) ast.SelectionSet {
	out := set[:0]
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if parent != "" && unsupportedIntrospection[s.Name] == parent {
				*changed = true
				continue
			}
			s.SelectionSet = dropUnsupported(s.SelectionSet, metaTypeOf(parent, s.Name), changed)
		case *ast.InlineFragment:
			inner := parent
			if s.TypeCondition != "" {
				inner = s.TypeCondition
			}
			s.SelectionSet = dropUnsupported(s.SelectionSet, inner, changed)
		}
		out = append(out, sel)
	}
	return out
}

// metaTypeOf is the introspection type of field under parent ("" when it is not one).
func metaTypeOf(parent, field string) string {
	switch field {
	case "__schema":
		return "__Schema"
	case "__type":
		return "__Type"
	}
	switch parent {
	case "__Schema":
		switch field {
		case "types", "queryType", "mutationType", "subscriptionType":
			return "__Type"
		case "directives":
			return "__Directive"
		}
	case "__Type":
		switch field {
		case "fields":
			return "__Field"
		case "inputFields":
			return "__InputValue"
		case "interfaces", "possibleTypes", "ofType":
			return "__Type"
		case "enumValues":
			return "__EnumValue"
		}
	case "__Field", "__Directive":
		switch field {
		case "args":
			return "__InputValue"
		case "type":
			return "__Type"
		}
	case "__InputValue":
		if field == "type" {
			return "__Type"
		}
	}
	return ""
}
