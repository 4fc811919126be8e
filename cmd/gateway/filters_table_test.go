package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

// Each lookup and operator of the filter language, through the gateway, against the REST call
// that means the same on the simulator: same ids in the same order, same total_count, and the
// plan shown in the explain extension.
func TestFilterLookupsAgainstREST(t *testing.T) {
	s := newStack(t, nil)
	cases := []struct {
		name, filter string
		rest         []url.Values // merged by id when several (an OR across fields)
	}{
		{"exact", `{name: {exact: "device-7"}}`, []url.Values{{"name": {"device-7"}}}},
		{"i_exact", `{name: {i_exact: "DEVICE-7"}}`, []url.Values{{"name__ie": {"DEVICE-7"}}}},
		{"contains", `{name: {contains: "ice-1"}}`, []url.Values{{"name__regex": {"ice-1"}}}},
		{"i_contains", `{name: {i_contains: "ICE-1"}}`, []url.Values{{"name__ic": {"ICE-1"}}}},
		{"starts_with", `{serial: {starts_with: "SN0000001"}}`, []url.Values{{"serial__regex": {"^SN0000001"}}}},
		{"i_starts_with", `{serial: {i_starts_with: "sn0000001"}}`, []url.Values{{"serial__isw": {"sn0000001"}}}},
		{"ends_with", `{name: {ends_with: "-9"}}`, []url.Values{{"name__regex": {"-9$"}}}},
		{"i_ends_with", `{asset_tag: {i_ends_with: "05"}}`, []url.Values{{"asset_tag__iew": {"05"}}}},
		{"regex", `{name: {regex: "^device-[1-3]$"}}`, []url.Values{{"name__regex": {"^device-[1-3]$"}}}},
		{"i_regex", `{name: {i_regex: "^DEVICE-9[0-9]$"}}`, []url.Values{{"name__iregex": {"^DEVICE-9[0-9]$"}}}},
		{"in_list", `{name: {in_list: ["device-2", "device-40"]}}`, []url.Values{{"name": {"device-2", "device-40"}}}},
		{"is_null on a number", `{position: {is_null: true}}`, []url.Values{{"position__empty": {"true"}}}},
		{"is_not_null on a number", `{position: {is_null: false}}`, []url.Values{{"position__empty": {"false"}}}},
		{"gt", `{vc_position: {gt: 28}}`, []url.Values{{"vc_position__gt": {"28"}}}},
		{"gte", `{vc_position: {gte: 28}}`, []url.Values{{"vc_position__gte": {"28"}}}},
		{"lt", `{position: {lt: 3}}`, []url.Values{{"position__lt": {"3"}}}},
		{"lte", `{position: {lte: 3}}`, []url.Values{{"position__lte": {"3"}}}},
		{"range", `{id: {gte: "10", lte: "12"}}`, []url.Values{{"id__gte": {"10"}, "id__lte": {"12"}}}},
		{"float range", `{latitude: {range: {start: 40.1, end: 40.3}}}`, []url.Values{{"latitude__gte": {"40.1"}, "latitude__lte": {"40.3"}}}},
		{"one enum", `{status: STATUS_PLANNED}`, []url.Values{{"status": {"planned"}}}},
		{"a list of enums", `{status: [STATUS_PLANNED, STATUS_OFFLINE]}`, []url.Values{{"status": {"planned", "offline"}}}},
		{"id", `{id: {exact: "5"}}`, []url.Values{{"id": {"5"}}}},
		{"foreign key id", `{tenant_id: {exact: "1"}}`, []url.Values{{"tenant_id": {"1"}}}},
		{"AND of two fields", `{status: STATUS_ACTIVE, AND: {name: {i_contains: "1"}}}`, []url.Values{{"status": {"active"}, "name__ic": {"1"}}}},
		{"AND on one field keeps AND", `{name: {i_contains: "1"}, AND: {name: {i_starts_with: "DEVICE-2"}}}`, []url.Values{{"name__ic": {"1"}, "name__isw": {"DEVICE-2"}}}},
		{"OR of two values of one field", `{name: {exact: "device-3"}, OR: {name: {exact: "device-4"}}}`, []url.Values{{"name": {"device-3", "device-4"}}}},
		{"OR across two fields", `{status: STATUS_OFFLINE, OR: {name: {exact: "device-3"}}}`, []url.Values{{"status": {"offline"}}, {"name": {"device-3"}}}},
		{"NOT of a lookup", `{NOT: {name: {i_contains: "1"}}}`, []url.Values{{"name__nic": {"1"}}}},
		{"NOT of a compound", `{NOT: {status: STATUS_ACTIVE, name: {i_contains: "1"}}}`, []url.Values{{"status__n": {"active"}}, {"name__nic": {"1"}}}},
		{"related", `{tenant: {slug: {exact: "tenant-1"}}}`, []url.Values{{"tenant": {"tenant-1"}}}},
		{"related, two levels", `{site: {tenant: {slug: {exact: "tenant-1"}}}}`, nil},
		{"related matching nothing", `{tenant: {name: {exact: "no such tenant"}}}`, []url.Values{}},
	}
	// Without __regex (NetBox 4.2) the case-sensitive lookups are planned as the case-insensitive
	// one narrowed by a check of the rows; the names here are lower case, so that lookup is the
	// REST equivalent. TestCaseSensitiveLookups checks the case.
	noRegex := map[string][]url.Values{
		"contains":    {{"name__ic": {"ice-1"}}},
		"starts_with": {{"serial__isw": {"SN0000001"}}},
		"ends_with":   {{"name__iew": {"-9"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.rest
			if !model.Default().RegexLookups() && strings.Contains(fmt.Sprint(want), "regex") {
				if want = noRegex[c.name]; want == nil {
					t.Skip("the document lists no __regex (NetBox 4.2): refused, see TestCaseSensitiveLookups")
				}
			}
			if want == nil { // two levels: resolve the sites of tenant-1 through REST first
				want = []url.Values{{}}
				for _, site := range s.restAll(t, fullToken, "/api/dcim/sites/", url.Values{"tenant": {"tenant-1"}}) {
					want[0]["site_id"] = append(want[0]["site_id"], restID(site))
				}
				if len(want[0]["site_id"]) == 0 {
					t.Fatal("tenant-1 has no site; the case proves nothing")
				}
			}
			s.deviceListLikeREST(t, c.filter, want, strings.Contains(c.name, "nothing"))
		})
	}
}

// idPage is a list answer when only ids are selected.
type idPage struct {
	TotalCount int `json:"total_count"`
	Results    []struct{ ID string }
}

// deviceListLikeREST runs device_list with a filter through the gateway and wants the ids (in
// the upstream's default order) and total of the union of the REST queries, and the plan in the
// explain extension.
// The REST answer must select some devices but not all, unless wantNone.
func (s *stack) deviceListLikeREST(t *testing.T, filter string, want []url.Values, wantNone bool) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":      `{ device_list(filters: ` + filter + `, pagination: {limit: 1000}) { total_count results { id } } }`,
		"extensions": map[string]any{"explain": true},
	})
	r := s.post(t, fullToken, body)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	got := decode[idPage](t, r.Data["device_list"])
	seen := map[int]bool{}
	for _, q := range want {
		for _, o := range s.restAll(t, fullToken, "/api/dcim/devices/", q) {
			seen[int(o["id"].(float64))] = true
		}
	}
	// In the upstream's default order (devices by name, naturally): the whole list's, kept to
	// the union's rows.
	var wantIDs []string
	for _, o := range s.restAll(t, fullToken, "/api/dcim/devices/", nil) {
		if id := int(o["id"].(float64)); seen[id] {
			wantIDs = append(wantIDs, fmt.Sprint(id))
		}
	}
	var gotIDs []string
	for _, x := range got.Results {
		gotIDs = append(gotIDs, x.ID)
	}
	if strings.Join(gotIDs, ",") != strings.Join(wantIDs, ",") || got.TotalCount != len(wantIDs) {
		t.Errorf("ids %v (total %d), REST %v", gotIDs, got.TotalCount, wantIDs)
	}
	if len(wantIDs) == 0 && !wantNone {
		t.Error("REST matches no device; the case proves nothing")
	}
	if len(wantIDs) == 100 {
		t.Error("REST matches every device; the case proves nothing")
	}
	var ex struct {
		Plans []struct{ Field, Plan string }
	}
	if err := json.Unmarshal(r.Extensions["explain"], &ex); err != nil || len(ex.Plans) != 1 || ex.Plans[0].Field != "device_list" {
		t.Errorf("explain shows no plan: %s", r.Extensions["explain"])
	}
}

// q (quick search) and ordering pass to REST.
func TestSearchAndOrdering(t *testing.T) {
	s := newStack(t, nil)
	for _, c := range []struct {
		name, args string
		rest       url.Values
	}{
		{"ordering", `ordering: ["-name"]`, url.Values{"ordering": {"-name"}}},
		{"q", `q: "device-1"`, url.Values{"q": {"device-1"}}},
		{"ordering and a merged OR", `ordering: ["-name"], filters: {status: STATUS_OFFLINE, OR: {name: {exact: "device-3"}}}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.query(t, fullToken, `{ device_list(`+c.args+`, pagination: {limit: 1000}) { results { name } } }`)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			var got []string
			for _, x := range decode[struct{ Results []struct{ Name string } }](t, r.Data["device_list"]).Results {
				got = append(got, x.Name)
			}
			var want []string
			if c.rest != nil {
				for _, o := range s.restAll(t, fullToken, "/api/dcim/devices/", c.rest) {
					want = append(want, o["name"].(string))
				}
			} else {
				offline := map[string]bool{"device-3": true}
				for _, o := range s.restAll(t, fullToken, "/api/dcim/devices/", url.Values{"status": {"offline"}}) {
					offline[o["name"].(string)] = true
				}
				for _, o := range s.restAll(t, fullToken, "/api/dcim/devices/", url.Values{"ordering": {"-name"}}) {
					if offline[o["name"].(string)] {
						want = append(want, o["name"].(string))
					}
				}
			}
			if len(want) < 2 || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%v, REST %v", got, want)
			}
		})
	}
}

// Tree foreign keys (a site's region): NetBox's region_id also matches sites under descendant
// regions, strawberry's region filter only the region itself; the gateway keeps the latter.
func TestTreeRelatedFilter(t *testing.T) {
	s := newStack(t, nil)
	siteRegion := map[string]string{} // site id -> region id
	for _, o := range s.restAll(t, fullToken, "/api/dcim/sites/", nil) {
		if r, ok := o["region"].(map[string]any); ok {
			siteRegion[restID(o)] = restID(r)
		}
	}
	parent := map[string]string{}
	for _, o := range s.restAll(t, fullToken, "/api/dcim/regions/", nil) {
		if p, ok := o["parent"].(map[string]any); ok {
			parent[restID(o)] = restID(p)
		}
	}
	for _, c := range []struct {
		region    string // slug
		wantSites int    // -1: some, checked against the direct members
	}{
		{"region-1", 0}, // a parent region: its sites are all in child regions
		{"region-4", -1},
	} {
		t.Run(c.region, func(t *testing.T) {
			regions := s.restAll(t, fullToken, "/api/dcim/regions/", url.Values{"slug": {c.region}})
			if len(regions) != 1 {
				t.Fatalf("%d regions with slug %s", len(regions), c.region)
			}
			id := restID(regions[0])
			if c.wantSites == 0 && len(parent) == 0 {
				t.Fatal("the demo regions are not nested; the case proves nothing")
			}
			var direct []string
			for site, reg := range siteRegion {
				if reg == id {
					direct = append(direct, site)
				}
			}
			r := s.query(t, fullToken, `{ device_list(filters: {site: {region: {slug: {exact: "`+c.region+`"}}}}, pagination: {limit: 1000}) { total_count results { id site { id } } } }`)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			got := decode[struct {
				TotalCount int `json:"total_count"`
				Results    []struct {
					ID   string
					Site struct{ ID string }
				}
			}](t, r.Data["device_list"])
			want := 0
			if len(direct) > 0 {
				want = len(s.restAll(t, fullToken, "/api/dcim/devices/", url.Values{"site_id": direct}))
			}
			if c.wantSites == 0 && len(direct) != 0 {
				t.Fatalf("region %s has sites of its own; the case proves nothing", c.region)
			}
			if c.wantSites < 0 && want == 0 {
				t.Fatal("no device in the region's own sites; the case proves nothing")
			}
			if got.TotalCount != want || len(got.Results) != want {
				t.Errorf("%d devices (total %d), REST has %d in the region's own sites %v", len(got.Results), got.TotalCount, want, direct)
			}
			for _, d := range got.Results {
				if siteRegion[d.Site.ID] != id {
					t.Errorf("device %s is in site %s of region %s, not %s", d.ID, d.Site.ID, siteRegion[d.Site.ID], id)
				}
			}
		})
	}
}

// A related filter matching more ids than one upstream URL holds is split into requests that
// each fit, against an upstream that refuses a longer request line (414), and still gives the
// REST answer with an exact total.
func TestLongSemiJoinIsSplit(t *testing.T) {
	s := newStackWith(t, netboxsim.Options{MaxRequestLine: 1200}, func(c *Config) { c.Upstream.MaxURLLength = 2048 })
	var devices []string
	for _, d := range s.restAll(t, fullToken, "/api/dcim/devices/", url.Values{"id__gte": {"3"}}) {
		devices = append(devices, restID(d))
	}
	if q := (url.Values{"device_id": devices}).Encode(); len(q) < 1200 {
		t.Fatalf("the device ids take %d characters, which fit in one request; the case proves nothing", len(q))
	}
	// what the gateway must not send: one request with every id
	if code := s.restStatus(t, "/api/dcim/interfaces/", url.Values{"device_id": devices}); code != http.StatusRequestURITooLong {
		t.Fatalf("the simulator answers %d to an over-long request line, want 414", code)
	}
	want := map[string]bool{}
	for _, chunk := range [][]string{devices[:len(devices)/2], devices[len(devices)/2:]} {
		for _, o := range s.restAll(t, fullToken, "/api/dcim/interfaces/", url.Values{"device_id": chunk}) {
			want[restID(o)] = true
		}
	}
	// The answer keeps the upstream's order: the whole list's, kept to the matching rows.
	var wantOrder []string
	for _, o := range s.restAll(t, fullToken, "/api/dcim/interfaces/", nil) {
		if want[restID(o)] {
			wantOrder = append(wantOrder, restID(o))
		}
	}
	for _, w := range []struct{ offset, limit int }{{0, 1000}, {290, 20}} {
		s.sim.ResetStats()
		r := s.query(t, fullToken, fmt.Sprintf(`{ interface_list(filters: {device: {id: {gte: "3"}}}, pagination: {offset: %d, limit: %d}) { total_count results { id } } }`, w.offset, w.limit))
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		got := decode[idPage](t, r.Data["interface_list"])
		if got.TotalCount != len(want) {
			t.Errorf("window %+v: total %d, REST %d", w, got.TotalCount, len(want))
		}
		for i, x := range got.Results {
			if at := w.offset + i; at >= len(wantOrder) || x.ID != wantOrder[at] {
				t.Errorf("window %+v: row %d is id %s, not the REST answer's in its order", w, i, x.ID)
				break
			}
		}
		if wantLen := min(w.limit, max(len(want)-w.offset, 0)); len(got.Results) != wantLen {
			t.Errorf("window %+v: %d rows, want %d", w, len(got.Results), wantLen)
		}
		if st := s.simStats(t); st.ByPath["/api/dcim/interfaces/"] < 2 {
			t.Errorf("window %+v: %d interface requests, want the split into several", w, st.ByPath["/api/dcim/interfaces/"])
		}
	}
}

// restStatus is the HTTP status of one REST list request, straight to the simulator.
func (s *stack) restStatus(t *testing.T, path string, q url.Values) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.simURL+path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", fullToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
