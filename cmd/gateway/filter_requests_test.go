package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestFilterRequestCounts: the upstream requests, exactly, of NetBox 4.6's tag filter, a tree
// filter's DESCENDANTS and a reverse-relation filter, and their answers against REST's rows.
//
//   - tags: {name: {exact: N}}: the tag ids by name, then the page with tag_id__any (2);
//     under NOT, tag_id__n (2).
//   - region_id: {id: R, match_type: DESCENDANTS}: R's children, then the page with REST's tree
//     parameter on them (2).
//   - journal_entries: {kind: {exact: KIND_INFO}} on a device (a generic reverse relation):
//     the matching entries with the object they are about, then the page of those devices by
//     id (2).
func TestFilterRequestCounts(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })

	// a tag some devices carry, and the devices carrying it
	tagged := map[string][]string{} // device ids by tag name
	var devices []string
	for _, d := range s.restAll(t, fullToken, "/api/dcim/devices/", nil) {
		devices = append(devices, restID(d))
		for _, tg := range d["tags"].([]any) {
			name := tg.(map[string]any)["name"].(string)
			tagged[name] = append(tagged[name], restID(d))
		}
	}
	tag := ""
	for name, ids := range tagged {
		if tag == "" || len(ids) > len(tagged[tag]) || len(ids) == len(tagged[tag]) && name < tag {
			tag = name
		}
	}
	if tag == "" {
		t.Fatal("no device has a tag; the tag filter would prove nothing")
	}
	untagged := slices.DeleteFunc(slices.Clone(devices), func(id string) bool { return slices.Contains(tagged[tag], id) })

	// the devices with an informational journal entry (some, not all)
	var withIf []string
	for _, j := range s.restAll(t, fullToken, "/api/extras/journal-entries/", nil) {
		id := strconv.Itoa(int(j["assigned_object_id"].(float64)))
		if j["assigned_object_type"] == "dcim.device" && j["kind"].(map[string]any)["value"] == "info" && !slices.Contains(withIf, id) {
			withIf = append(withIf, id)
		}
	}
	if len(withIf) == 0 || len(withIf) == len(devices) {
		t.Fatalf("%d of %d devices have an informational journal entry; the reverse filter would prove nothing", len(withIf), len(devices))
	}

	// a region with sites strictly below it, and those sites
	parent := map[string]string{}
	for _, r := range s.restAll(t, fullToken, "/api/dcim/regions/", nil) {
		if p, ok := r["parent"].(map[string]any); ok {
			parent[restID(r)] = restID(p)
		}
	}
	below := map[string][]string{} // site ids by a strict ancestor of their region
	for _, site := range s.restAll(t, fullToken, "/api/dcim/sites/", nil) {
		reg, ok := site["region"].(map[string]any)
		if !ok {
			continue
		}
		for up := parent[restID(reg)]; up != ""; up = parent[up] {
			below[up] = append(below[up], restID(site))
		}
	}
	region := ""
	for r := range below {
		if region == "" || len(below[r]) > len(below[region]) || len(below[r]) == len(below[region]) && r < region {
			region = r
		}
	}
	if region == "" {
		t.Fatal("no site lies below a region's children; the tree filter would prove nothing")
	}

	for _, tc := range []struct {
		name, query, list string
		want              []string       // the answer's ids, in any order
		requests          map[string]int // upstream requests by path
		code              string         // the error code of a refusal
	}{
		{"tag", fmt.Sprintf(`{ device_list(filters: {tags: {name: {exact: %q}}}) { total_count results { id } } }`, tag),
			"device_list", tagged[tag], map[string]int{"/api/extras/tags/": 1, "/api/dcim/devices/": 1}, ""},
		{"NOT tag", fmt.Sprintf(`{ device_list(filters: {NOT: {tags: {name: {exact: %q}}}}, pagination: {limit: 1000}) { total_count results { id } } }`, tag),
			"device_list", untagged, map[string]int{"/api/extras/tags/": 1, "/api/dcim/devices/": 1}, ""},
		{"tree DESCENDANTS", fmt.Sprintf(`{ site_list(filters: {region_id: {id: %q, match_type: DESCENDANTS}}) { total_count results { id } } }`, region),
			"site_list", below[region], map[string]int{"/api/dcim/regions/": 1, "/api/dcim/sites/": 1}, ""},
		{"reverse relation", `{ device_list(filters: {journal_entries: {kind: {exact: KIND_INFO}}}, pagination: {limit: 1000}) { total_count results { id } } }`,
			"device_list", withIf, map[string]int{"/api/extras/journal-entries/": 1, "/api/dcim/devices/": 1}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.sim.ResetStats()
			r := s.query(t, fullToken, tc.query)
			got := map[string]int{}
			total := 0
			for _, req := range s.sim.Stats().Recent {
				path, _, _ := strings.Cut(req.URL, "?")
				got[path]++
				total++
			}
			t.Logf("%d upstream requests: %v", total, got)
			if fmt.Sprint(got) != fmt.Sprint(tc.requests) {
				t.Errorf("upstream requests %v, want %v", got, tc.requests)
			}
			if tc.code != "" {
				if codes := r.codes(); len(codes) != 1 || codes[0] != tc.code || !strings.Contains(r.Errors[0].Message, "is not available through REST") {
					t.Errorf("errors %+v, want one %s saying the filter is not available through REST", r.Errors, tc.code)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatalf("errors %+v", r.Errors)
			}
			page := decode[idPage](t, r.Data[tc.list])
			ids := make([]string, 0, len(page.Results))
			for _, x := range page.Results {
				ids = append(ids, x.ID)
			}
			byNumber := func(l []string) []string {
				l = slices.Clone(l)
				sort.Slice(l, func(i, j int) bool { a, _ := strconv.Atoi(l[i]); b, _ := strconv.Atoi(l[j]); return a < b })
				return l
			}
			if page.TotalCount != len(tc.want) || !slices.Equal(byNumber(ids), byNumber(tc.want)) {
				t.Errorf("total %d ids %v, want %d %v", page.TotalCount, byNumber(ids), len(tc.want), byNumber(tc.want))
			}
		})
	}
}

// TestMergedORCountsOnlyWhenAsked: the total of an OR merged here costs count requests of its
// own (inclusion–exclusion), made only when total_count is selected; the rows are the same.
func TestMergedORCountsOnlyWhenAsked(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	const filter = `filters: {status: {exact: STATUS_ACTIVE}, OR: {tenant: {name: {i_contains: "1"}}}}, pagination: {limit: 10}`
	requests := func() map[string]int {
		got := map[string]int{}
		for _, req := range s.sim.Stats().Recent {
			path, _, _ := strings.Cut(req.URL, "?")
			got[path]++
		}
		return got
	}
	ids := func(p idPage) []string {
		var out []string
		for _, x := range p.Results {
			out = append(out, x.ID)
		}
		return out
	}

	s.sim.ResetStats()
	r := s.query(t, fullToken, `{ device_list(`+filter+`) { total_count results { id } } }`)
	if len(r.Errors) > 0 {
		t.Fatalf("errors %+v", r.Errors)
	}
	counted := decode[idPage](t, r.Data["device_list"])
	withTotal := requests()
	// Both branches have more than 10 rows, so the union's size takes a count of the intersection.
	if want := map[string]int{"/api/tenancy/tenants/": 1, "/api/dcim/devices/": 3}; fmt.Sprint(withTotal) != fmt.Sprint(want) {
		t.Errorf("with total_count: upstream requests %v, want %v", withTotal, want)
	}
	if len(counted.Results) != 10 || counted.TotalCount <= 10 {
		t.Fatalf("with total_count: %d rows, total %d; want 10 rows of more", len(counted.Results), counted.TotalCount)
	}

	for _, tc := range []struct{ path, query string }{
		{"/graphql/", `{ device_list(` + filter + `) { results { id } } }`},
		{"/graphql/v1/", `{ device_list(` + filter + `) { id } }`},
	} {
		s.sim.ResetStats()
		body, _ := json.Marshal(map[string]any{"query": tc.query})
		r := s.postTo(t, tc.path, fullToken, body)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: errors %+v", tc.path, r.Errors)
		}
		var got []string
		if tc.path == "/graphql/v1/" {
			for _, x := range decode[[]struct{ ID string }](t, r.Data["device_list"]) {
				got = append(got, x.ID)
			}
		} else {
			got = ids(decode[idPage](t, r.Data["device_list"]))
		}
		if want := map[string]int{"/api/tenancy/tenants/": 1, "/api/dcim/devices/": 2}; fmt.Sprint(requests()) != fmt.Sprint(want) {
			t.Errorf("%s without total_count: upstream requests %v, want %v", tc.path, requests(), want)
		}
		if !slices.Equal(got, ids(counted)) {
			t.Errorf("%s without total_count: ids %v, want %v as with it", tc.path, got, ids(counted))
		}
	}
}
