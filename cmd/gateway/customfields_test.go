package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

func cfFilter(name, kind, lookup string) string {
	return fmt.Sprintf(`{custom_field_data: {path: %q, lookup: {%s: %s}}}`, name, kind, lookup)
}

// Custom-field filters through the gateway against the cf_ REST call that means the same on
// the simulator, whose custom fields cover each REST filter NetBox builds: exact and loose
// text, select, integer, decimal, date and boolean, with null values.
func TestCustomFieldFiltersAgainstREST(t *testing.T) {
	s := newStack(t, nil)
	cases := []struct {
		name, filter string
		rest         []url.Values
	}{
		{"exact", cfFilter("owner", "string_lookup", `{exact: "team-a"}`), []url.Values{{"cf_owner": {"team-a"}}}},
		{"in_", cfFilter("owner", "string_lookup", `{in_: ["team-a", "Team-C"]}`), []url.Values{{"cf_owner": {"team-a", "Team-C"}}}},
		{"i_exact", cfFilter("owner", "string_lookup", `{i_exact: "TEAM-C"}`), []url.Values{{"cf_owner__ie": {"TEAM-C"}}}},
		{"i_contains", cfFilter("owner", "string_lookup", `{i_contains: "M-B"}`), []url.Values{{"cf_owner__ic": {"M-B"}}}},
		{"i_starts_with", cfFilter("owner", "string_lookup", `{i_starts_with: "TEAM"}`), []url.Values{{"cf_owner__isw": {"TEAM"}}}},
		{"i_ends_with", cfFilter("owner", "string_lookup", `{i_ends_with: "-C"}`), []url.Values{{"cf_owner__iew": {"-C"}}}},
		{"ends_with", cfFilter("owner", "string_lookup", `{ends_with: "-a"}`), []url.Values{{"cf_owner__regex": {"-a$"}}}},
		{"regex", cfFilter("owner", "string_lookup", `{regex: "^team-[ab]$"}`), []url.Values{{"cf_owner__regex": {"^team-[ab]$"}}}},
		{"i_regex", cfFilter("owner", "string_lookup", `{i_regex: "C$"}`), []url.Values{{"cf_owner__iregex": {"C$"}}}},
		{"NOT exact keeps nulls", `{NOT: ` + cfFilter("owner", "string_lookup", `{exact: "team-a"}`) + `}`, []url.Values{{"cf_owner__n": {"team-a"}}}},
		{"NOT i_contains drops nulls", `{NOT: ` + cfFilter("owner", "string_lookup", `{i_contains: "team"}`) + `}`, []url.Values{{"cf_owner__nic": {"team"}}}},
		{"loose text is icontains", cfFilter("notes", "string_lookup", `{i_contains: "CORE"}`), []url.Values{{"cf_notes": {"CORE"}}}},
		{"select", cfFilter("environment", "string_lookup", `{i_exact: "PROD"}`), []url.Values{{"cf_environment__ie": {"PROD"}}}},
		{"integer gt", cfFilter("priority", "int_comparison_lookup", `{gt: 3}`), []url.Values{{"cf_priority__gt": {"3"}}}},
		{"integer lt matches nulls", cfFilter("priority", "int_comparison_lookup", `{lt: 2}`), []url.Values{{"cf_priority__lt": {"2"}}}},
		{"NOT gt is lte", `{NOT: ` + cfFilter("priority", "int_comparison_lookup", `{gt: 3}`) + `}`, []url.Values{{"cf_priority__lte": {"3"}}}},
		{"integer range", cfFilter("priority", "int_range_lookup", `{start: 2, end: 3}`), []url.Values{{"cf_priority__gte": {"2"}, "cf_priority__lte": {"3"}}}},
		{"integer in_list", cfFilter("priority", "int_comparison_lookup", `{in_list: [1, 5]}`), []url.Values{{"cf_priority": {"1", "5"}}}},
		{"decimal", cfFilter("weight", "float_comparison_lookup", `{gte: 1.25}`), []url.Values{{"cf_weight__gte": {"1.25"}}}},
		{"date", cfFilter("commissioned", "date_lookup", `{gte: "2024-06-01"}`), []url.Values{{"cf_commissioned__gte": {"2024-06-01"}}}},
		{"boolean", cfFilter("monitored", "boolean_lookup", `{exact: true}`), []url.Values{{"cf_monitored": {"true"}}}},
		{"OR with a model field", `{custom_field_data: {path: "owner", lookup: {string_lookup: {exact: "team-b"}}}, OR: {status: STATUS_OFFLINE}}`,
			[]url.Values{{"cf_owner": {"team-b"}}, {"status": {"offline"}}}},
		{"two custom fields", `{custom_field_data: {path: "owner", lookup: {string_lookup: {exact: "team-b"}}}, AND: ` + cfFilter("priority", "int_comparison_lookup", `{lte: 3}`) + `}`,
			[]url.Values{{"cf_owner": {"team-b"}, "cf_priority__lte": {"3"}}}},
	}
	regex := model.Default().RegexLookups()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !regex && strings.Contains(fmt.Sprint(c.rest), "regex") {
				// NetBox 4.2: no __regex on custom fields either, so a case-sensitive or regex
				// lookup on one cannot be planned.
				s.refused(t, c.filter, "unsupported lookup")
				return
			}
			s.deviceListLikeREST(t, c.filter, c.rest, false)
		})
	}
	t.Run("on a related object", func(t *testing.T) {
		if !regex {
			s.refused(t, `{site: `+cfFilter("owner", "string_lookup", `{starts_with: "team-"}`)+`}`, "unsupported lookup")
			return
		}
		q := url.Values{}
		for _, site := range s.restAll(t, fullToken, "/api/dcim/sites/", url.Values{"cf_owner__regex": {"^team-"}}) {
			q["site_id"] = append(q["site_id"], restID(site))
		}
		if len(q["site_id"]) == 0 {
			t.Fatal("no site's owner starts with team-; the case proves nothing")
		}
		s.deviceListLikeREST(t, `{site: `+cfFilter("owner", "string_lookup", `{starts_with: "team-"}`)+`}`, []url.Values{q}, false)
	})
}

// A custom-field filter the upstream cannot answer exactly is refused by name, after reading
// the definitions only: no list request is made.
func TestCustomFieldFilterRefusals(t *testing.T) {
	s := newStack(t, nil)
	cases := []struct{ name, filter, want string }{
		{"unknown", cfFilter("nope", "string_lookup", `{exact: "x"}`), `no custom field "nope"`},
		{"disabled", cfFilter("legacy_id", "string_lookup", `{exact: "L-1"}`), "filtering disabled"},
		{"not assigned to the type", cfFilter("priority", "int_comparison_lookup", `{exact: 1}`), "not assigned to"},
		{"loose text, exact lookup", cfFilter("notes", "string_lookup", `{exact: "edge switch"}`), "loose filter logic"},
		{"NOT of loose text", `{NOT: ` + cfFilter("notes", "string_lookup", `{i_contains: "core"}`) + `}`, "cannot be exact"},
		{"wrong lookup type", cfFilter("priority", "string_lookup", `{exact: "3"}`), "use int_comparison_lookup"},
		{"contains", cfFilter("owner", "string_lookup", `{contains: "team"}`), "JSON containment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list := "device_list"
			if c.name == "not assigned to the type" {
				list = "virtual_machine_list" // priority is on dcim types only
			}
			s.refusedOn(t, list, c.filter, c.want)
		})
	}
}

// refused wants device_list with the filter refused with BAD_USER_INPUT and a message
// containing want, at the cost of the custom fields' definitions at most.
func (s *stack) refused(t *testing.T, filter, want string) {
	t.Helper()
	s.refusedOn(t, "device_list", filter, want)
}

func (s *stack) refusedOn(t *testing.T, list, filter, want string) {
	t.Helper()
	s.sim.ResetStats()
	r := s.query(t, fullToken, `{ `+list+`(filters: `+filter+`) { total_count } }`)
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, want) || r.codes()[0] != "BAD_USER_INPUT" {
		t.Fatalf("errors %+v, want one BAD_USER_INPUT containing %q", r.Errors, want)
	}
	st := s.simStats(t)
	if st.Requests != st.ByPath["/api/extras/custom-fields/"] || st.Requests > 1 {
		t.Errorf("upstream requests %v, want at most the definitions", st.ByPath)
	}
}

// The definitions cost one request, cached per token like any answer; a token that may not read
// them gets the upstream's answer as the error, not a filter dropped.
func TestCustomFieldDefinitionsRequests(t *testing.T) {
	s := newStack(t, nil)
	q := `{ device_list(filters: ` + cfFilter("owner", "string_lookup", `{exact: "team-a"}`) + `) { total_count } }`
	s.sim.ResetStats()
	if r := s.query(t, fullToken, q); len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if st := s.simStats(t); st.ByPath["/api/extras/custom-fields/"] != 1 || st.Requests != 2 {
		t.Errorf("first query: %v, want the definitions and one device count", st.ByPath)
	}
	s.sim.ResetStats()
	q2 := `{ device_list(filters: ` + cfFilter("owner", "string_lookup", `{exact: "team-b"}`) + `) { total_count } }`
	if r := s.query(t, fullToken, q2); len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if st := s.simStats(t); st.ByPath["/api/extras/custom-fields/"] != 0 {
		t.Errorf("second query read the definitions again: %v", st.ByPath)
	}
	r := s.query(t, noPermToken, q)
	if len(r.Errors) == 0 || r.Data["device_list"] != nil && string(r.Data["device_list"]) != "null" {
		t.Errorf("no-permission token: data %s errors %+v, want an error", r.Data["device_list"], r.Errors)
	}
}
