package server

import (
	"strings"
	"testing"
)

func TestIntrospectionCompat(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		dropped     []string // fields that must be gone
		kept        []string // fields that must stay
	}{
		{"schema description and repeatable", `{ __schema { description queryType { name } directives { name isRepeatable } } }`,
			[]string{"description", "isRepeatable"}, []string{"queryType", "directives", "name"}},
		{"oneOf in a fragment on __Type", `query { __schema { types { ...T } } } fragment T on __Type { kind isOneOf description }`,
			[]string{"isOneOf"}, []string{"kind", "description"}},
		{"object type fields of the same names stay", `{ device_list { results { description } } }`,
			nil, []string{"description"}},
		{"a description of a type stays", `{ __type(name: "DeviceType") { description } }`,
			nil, []string{"description"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := introspectionCompat(tc.query)
			words := strings.FieldsFunc(got, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
			has := map[string]bool{}
			for _, w := range words {
				has[w] = true
			}
			for _, f := range tc.dropped {
				if has[f] {
					t.Errorf("%s still asks for %s: %s", tc.name, f, got)
				}
			}
			for _, f := range tc.kept {
				if !has[f] {
					t.Errorf("%s lost %s: %s", tc.name, f, got)
				}
			}
			if len(tc.dropped) == 0 && got != tc.query {
				t.Errorf("query rewritten though nothing was dropped: %s", got)
			}
		})
	}
}
