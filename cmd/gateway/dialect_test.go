package main

import (
	"encoding/json"
	"testing"
)

// TestLegacyFilterDialects runs filters written as older NetBox releases (and the documentation)
// wrote them next to the form the served schema wants: the answers are the same, and the older
// form's answer says what was rewritten. With graphql.legacy_filters off, the older form is
// refused as NetBox 4.6 would refuse it.
func TestLegacyFilterDialects(t *testing.T) {
	s := newStack(t, nil)
	strict := newStack(t, func(c *Config) { c.GraphQL.LegacyFilters = false })
	cases := []struct{ name, old, current string }{
		{"bare boolean (the documentation's v1 form)",
			`{ device_list(pagination: {limit: 5}) { results { name interfaces(filters: {enabled: true}) { name } } } }`,
			`{ device_list(pagination: {limit: 5}) { results { name interfaces(filters: {enabled: {exact: true}}) { name } } } }`},
		{"bare string",
			`{ device_list(filters: {name: "device-1"}) { total_count results { id } } }`,
			`{ device_list(filters: {name: {exact: "device-1"}}) { total_count results { id } } }`},
		{"bare number",
			`{ interface_list(filters: {mtu: 1500}) { total_count } }`,
			`{ interface_list(filters: {mtu: {filter_lookup: {exact: 1500}}}) { total_count } }`},
		{"a comparison where NetBox 4.6 wants one of its lookups",
			`{ interface_list(filters: {mtu: {gte: 1500}}) { total_count } }`,
			`{ interface_list(filters: {mtu: {comparison_lookup: {gte: 1500}}}) { total_count } }`},
		{"a lookup where NetBox 4.6 wants a bare id",
			`{ device_list(filters: {site_id: {exact: "1"}}) { total_count results { name } } }`,
			`{ device_list(filters: {site_id: "1"}) { total_count results { name } } }`},
		{"an id list where NetBox 4.6 wants one bare id",
			`{ device_list(filters: {site_id: {in_list: ["1", "2"]}}) { total_count results { name } } }`,
			`{ device_list(filters: {AND: {site_id: "1", OR: {site_id: "2"}}}) { total_count results { name } } }`},
		{"NetBox 4.2 string choice",
			`{ device_list(filters: {status: "active"}) { total_count } }`,
			`{ device_list(filters: {status: {exact: STATUS_ACTIVE}}) { total_count } }`},
		{"NetBox 4.3 bare enum",
			`{ device_list(filters: {status: STATUS_ACTIVE}) { total_count } }`,
			`{ device_list(filters: {status: {exact: STATUS_ACTIVE}}) { total_count } }`},
		{"an enum list",
			`{ device_list(filters: {status: [STATUS_ACTIVE, STATUS_PLANNED]}) { total_count } }`,
			`{ device_list(filters: {status: {in_list: [STATUS_ACTIVE, STATUS_PLANNED]}}) { total_count } }`},
		{"the documentation's STATUS_ name for an enum NetBox names otherwise",
			`{ circuit_list(filters: {status: STATUS_ACTIVE}) { total_count } }`,
			`{ circuit_list(filters: {status: {exact: ACTIVE}}) { total_count } }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := s.query(t, fullToken, c.current)
			if len(want.Errors) > 0 || len(warningsOf(t, want)) > 0 {
				t.Fatalf("the current form: errors %+v warnings %+v", want.Errors, warningsOf(t, want))
			}
			got := s.query(t, fullToken, c.old)
			if len(got.Errors) > 0 {
				t.Fatalf("the older form: errors %+v", got.Errors)
			}
			g, _ := json.Marshal(got.Data)
			w, _ := json.Marshal(want.Data)
			if string(g) != string(w) {
				t.Errorf("answers differ:\n old form %s\n new form %s", g, w)
			}
			ws := warningsOf(t, got)
			if len(ws) != 1 || ws[0].Code != "LEGACY_FILTER_SYNTAX" || ws[0].Message == "" {
				t.Errorf("warnings %+v, want one LEGACY_FILTER_SYNTAX", ws)
			}
			if r := strict.query(t, fullToken, c.old); len(r.Errors) == 0 || r.codes()[0] != "GRAPHQL_VALIDATION_FAILED" && r.codes()[0] != "BAD_USER_INPUT" {
				t.Errorf("with legacy_filters off: %+v, want a validation error", r.Errors)
			}
		})
	}
}
