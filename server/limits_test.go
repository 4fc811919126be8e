package server

import (
	"reflect"
	"strings"
	"testing"
)

// introspectionQuery is the query GraphiQL sends (graphql-js getIntrospectionQuery), which
// nests ofType deeply: it must pass the default limits.
const introspectionQuery = `
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name
      ofType { kind name ofType { kind name } } } } } } } } } }
}`

func TestCheckDocument(t *testing.T) {
	defaults := limits{MaxQueryLength: DefaultMaxQueryLength, MaxDepth: DefaultMaxDepth, MaxAliases: DefaultMaxAliases, MaxSelections: DefaultMaxSelections}
	small := limits{MaxQueryLength: 1000, MaxDepth: 3, MaxAliases: 2, MaxSelections: 6}

	// bomb doubles the expanded size with each fragment: 2^40 fields from 40 lines.
	var bomb strings.Builder
	bomb.WriteString("{ ...F0 }\n")
	for i := 0; i < 40; i++ {
		bomb.WriteString("fragment F" + itoa(i) + " on Query { ...F" + itoa(i+1) + " ...F" + itoa(i+1) + " }\n")
	}
	bomb.WriteString("fragment F40 on Query { a: name }\n")

	tests := []struct {
		name  string
		query string
		op    string
		lim   limits
		codes []string // nil: accepted
		msg   string   // a piece of the first error's message
	}{
		{name: "simple query", query: "{ device_list { results { id name } } }", lim: defaults},
		{name: "NetBox doc query", lim: defaults,
			query: `query { device_list { results { id name interfaces(filters: {enabled: {exact: true}}) { name } } } }`},
		{name: "NetBox doc union query", lim: defaults,
			query: `{ cable_list { results { id a_terminations { ... on CircuitTerminationType { id class_type } ... on ConsolePortType { id class_type } ... on ConsoleServerPortType { id class_type } } } } }`},
		{name: "GraphiQL introspection", query: introspectionQuery, lim: defaults},
		{name: "depth at the limit", query: "{ a { b { c } } }", lim: small},
		{name: "depth over the limit", query: "{ a { b { c { d } } } }", lim: small,
			codes: []string{CodeQueryTooDeep}, msg: "query depth 4 exceeds the limit of 3"},
		{name: "depth through fragments", query: "{ a { ...F } } fragment F on A { b { ...G } } fragment G on B { c { d } }", lim: small,
			codes: []string{CodeQueryTooDeep}, msg: "depth 4"},
		{name: "depth through inline fragments", query: "{ a { ... on A { b { ... on B { c { d } } } } } }", lim: small,
			codes: []string{CodeQueryTooDeep}},
		{name: "introspection below a data field still counts its own level", query: "{ a { b { __type(name: \"X\") { ofType { ofType { name } } } } } }", lim: small},
		{name: "aliases at the limit", query: "{ x: a y: a }", lim: small},
		{name: "aliases over the limit", query: "{ x: a y: a z: a }", lim: small,
			codes: []string{CodeTooManyAliases}, msg: "3 aliases, more than the limit of 2"},
		{name: "aliases counted where a fragment is spread", query: "{ ...F ...F } fragment F on Q { x: a y: b }", lim: small,
			codes: []string{CodeTooManyAliases}, msg: "4 aliases"},
		{name: "same name is no alias", query: "{ a: a b: b c: c }", lim: small},
		{name: "aliases: eleven over NetBox's ten", lim: defaults,
			query: "{ " + aliases(11) + " }", codes: []string{CodeTooManyAliases}},
		{name: "aliases: NetBox's ten pass", lim: defaults, query: "{ " + aliases(10) + " }"},
		{name: "selections over the limit", query: "{ a b c d e f g }", lim: small,
			codes: []string{CodeTooManySelections}, msg: "7 fields"},
		{name: "selections count nested fields", query: "{ a { b c } d { e f } }", lim: small},
		{name: "selections through fragments", query: "{ a { ...F } b { ...F } } fragment F on T { c d }", lim: small},
		{name: "selections through fragments, over", query: "{ a { ...F } b { ...F } c { ...F } } fragment F on T { c d }", lim: small,
			codes: []string{CodeTooManySelections}, msg: "9 fields"},
		{name: "every exceeded limit is reported", query: "{ x: a { y: b { z: c { d } } } e f g }", lim: small,
			codes: []string{CodeQueryTooDeep, CodeTooManyAliases, CodeTooManySelections}},
		{name: "fragment bomb is counted, not expanded", query: bomb.String(), lim: defaults,
			codes: []string{CodeTooManyAliases, CodeTooManySelections}, msg: "over 1073741824"},
		{name: "fragment cycle", query: "{ ...A } fragment A on Q { a ...B } fragment B on Q { b ...A }", lim: defaults,
			codes: []string{CodeParseFailed}, msg: "cycle"},
		{name: "fragment spreading itself", query: "{ ...A } fragment A on Q { a ...A }", lim: defaults,
			codes: []string{CodeParseFailed}, msg: "cycle"},
		{name: "unused fragment cycle is left to validation", query: "{ a } fragment A on Q { ...A }", lim: defaults},
		{name: "unknown fragment", query: "{ ...Nope }", lim: defaults, codes: []string{CodeParseFailed}, msg: `unknown fragment "Nope"`},
		{name: "fragment defined twice", query: "{ ...A } fragment A on Q { a } fragment A on Q { b }", lim: defaults,
			codes: []string{CodeParseFailed}, msg: "more than once"},
		{name: "query too long", query: "{ " + strings.Repeat("a ", 600) + "}", lim: small,
			codes: []string{CodeQueryTooLong}, msg: "more than the limit of 1000"},
		{name: "syntax error", query: "{ a(", lim: defaults, codes: []string{CodeParseFailed}, msg: "cannot parse the query"},
		{name: "only fragments", query: "fragment A on Q { a }", lim: defaults, codes: []string{CodeParseFailed}, msg: "no operation"},
		{name: "nesting deeper than the parser allows", query: strings.Repeat("{ a ", 2000) + strings.Repeat("}", 2000), lim: limits{},
			codes: []string{CodeParseFailed}},
		{name: "mutation", query: "mutation { a }", lim: defaults, codes: []string{CodeOperationNotAllowed}, msg: "read-only"},
		{name: "subscription by name", query: "query A { a } subscription S { s }", op: "S", lim: defaults,
			codes: []string{CodeOperationNotAllowed}, msg: "subscription operations are not supported"},
		{name: "query by name next to a mutation", query: "query A { a } mutation M { m }", op: "A", lim: defaults},
		{name: "limits apply to the selected operation", query: "query A { a } query B { x: a y: a z: a }", op: "A", lim: small},
		{name: "limits apply to the selected operation, over", query: "query A { a } query B { x: a y: a z: a }", op: "B", lim: small,
			codes: []string{CodeTooManyAliases}},
		{name: "anonymous among several", query: "query A { a } { b }", lim: defaults, codes: []string{CodeOperationNotFound}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := parseDocument(tc.query, tc.op, tc.lim)
			var codes []string
			for _, e := range errs {
				codes = append(codes, e.Code)
			}
			if !reflect.DeepEqual(codes, tc.codes) {
				t.Fatalf("codes = %v, want %v (errors %v)", codes, tc.codes, errs)
			}
			if tc.msg != "" && !strings.Contains(errs[0].Message, tc.msg) {
				t.Errorf("message %q lacks %q", errs[0].Message, tc.msg)
			}
		})
	}
}

func TestParseErrorHasLocation(t *testing.T) {
	_, errs := parseDocument("{\n  a(\n}", "", limits{})
	if len(errs) != 1 || len(errs[0].Locations) != 1 || errs[0].Locations[0].Line != 3 {
		t.Fatalf("errors = %+v, want one with a location on line 3", errs)
	}
}

func aliases(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("x" + itoa(i) + ": name ")
	}
	return b.String()
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func BenchmarkCheckDocument(b *testing.B) {
	lim := limits{MaxQueryLength: DefaultMaxQueryLength, MaxDepth: DefaultMaxDepth, MaxAliases: DefaultMaxAliases, MaxSelections: DefaultMaxSelections}
	for b.Loop() {
		if _, errs := parseDocument(introspectionQuery, "", lim); len(errs) != 0 {
			b.Fatal(errs)
		}
	}
}
