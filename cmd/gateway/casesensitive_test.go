package main

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

// TestCaseSensitiveLookups: contains, starts_with, ends_with, regex and i_regex give NetBox's
// answer, or a clear refusal, on the document the build was generated from. NetBox 4.2.2 has no
// case-sensitive string parameter at all and silently ignores one it does not know (a real
// NetBox answered all 72 devices to name__regex), so the first three are planned as their
// case-insensitive lookup narrowed by a check of the rows, and the regex lookups are refused.
// NetBox 4.3 on lists __regex and __iregex on every character filter.
func TestCaseSensitiveLookups(t *testing.T) {
	reg := model.Default()
	dev := reg.Object("Device")
	if dev == nil || dev.Filter("name") == nil {
		t.Skip("the registry has no Device.name filter")
	}
	regex := reg.RegexLookups()
	s := newStack(t, nil)
	rows := s.restAll(t, fullToken, "/api/dcim/devices/", nil)
	names := map[string]string{}
	for _, r := range rows {
		names[fmt.Sprint(r["id"])] = r["name"].(string)
	}
	matching := func(test func(string) bool) []string {
		var ids []string
		for id, n := range names {
			if test(n) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		return ids
	}
	type lookupCase struct {
		lookup, value string
		test          func(string) bool
	}
	cases := []lookupCase{
		{"contains", "ice-1", func(n string) bool { return strings.Contains(n, "ice-1") }},
		{"contains", "ICE-1", func(n string) bool { return strings.Contains(n, "ICE-1") }},
		{"starts_with", "device-1", func(n string) bool { return strings.HasPrefix(n, "device-1") }},
		{"starts_with", "Device-1", func(n string) bool { return strings.HasPrefix(n, "Device-1") }},
		{"ends_with", "-9", func(n string) bool { return strings.HasSuffix(n, "-9") }},
		{"ends_with", "E-9", func(n string) bool { return strings.HasSuffix(n, "E-9") }},
	}
	regexCases := []lookupCase{
		{"regex", "^device-[1-3]$", regexp.MustCompile(`^device-[1-3]$`).MatchString},
		{"i_regex", "^DEVICE-9[0-9]$", regexp.MustCompile(`(?i)^DEVICE-9[0-9]$`).MatchString},
	}
	run := func(t *testing.T, c lookupCase, negate bool) ([]string, gqlResponse) {
		t.Helper()
		filter := fmt.Sprintf(`{name: {%s: %q}}`, c.lookup, c.value)
		if negate {
			filter = `{NOT: ` + filter + `}`
		}
		r := s.query(t, fullToken, `{ device_list(filters: `+filter+`, pagination: {limit: 1000}) { total_count results { id } } }`)
		if len(r.Errors) > 0 {
			return nil, r
		}
		got := decode[idPage](t, r.Data["device_list"])
		var ids []string
		for _, x := range got.Results {
			ids = append(ids, x.ID)
		}
		sort.Strings(ids)
		if got.TotalCount != len(ids) {
			t.Errorf("%s: total_count %d for %d rows", filter, got.TotalCount, len(ids))
		}
		return ids, r
	}
	check := func(t *testing.T, c lookupCase) {
		for _, negate := range []bool{false, true} {
			test := c.test
			if negate {
				test = func(n string) bool { return !c.test(n) }
			}
			want := matching(test)
			got, r := run(t, c, negate)
			if len(r.Errors) > 0 {
				t.Errorf("%s %q (NOT %t): %+v", c.lookup, c.value, negate, r.Errors)
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %q (NOT %t): ids %v, want %v", c.lookup, c.value, negate, got, want)
			}
		}
	}
	someNone := func(t *testing.T) {
		// The data must tell case-sensitive from case-insensitive matching apart.
		if len(matching(cases[0].test)) == 0 || len(matching(cases[1].test)) != 0 {
			t.Fatal("the device names do not tell the cases apart; the test proves nothing")
		}
	}

	t.Run("NetBox 4.2.2 document", func(t *testing.T) {
		if regex {
			t.Skip("the registry was generated from a document with __regex (NetBox 4.3 or later); see the 4.6.8 part")
		}
		someNone(t)
		for _, c := range cases {
			check(t, c)
		}
		for _, c := range regexCases {
			s.sim.ResetStats()
			_, r := run(t, c, false)
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
				!strings.Contains(r.Errors[0].Message, "unsupported lookup") || !strings.Contains(r.Errors[0].Message, "name__") {
				t.Errorf("%s: want one BAD_USER_INPUT refusal naming the missing parameter, got %+v", c.lookup, r.Errors)
			}
			if n := s.simStats(t).Requests; n != 0 {
				t.Errorf("%s: the refusal cost %d upstream requests", c.lookup, n)
			}
		}
	})
	t.Run("NetBox 4.6.8 document", func(t *testing.T) {
		if !regex {
			t.Skip("the registry was generated from NetBox 4.2.2's document, which has no __regex; regenerate from ../shared/netbox/openapi-4.6.8.json (the netbox46 branch's default build) to run this part")
		}
		someNone(t)
		for _, c := range append(cases, regexCases...) {
			check(t, c)
		}
	})
}
