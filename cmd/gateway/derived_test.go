package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestDerivedRelationsBatched: NetBox's derived relations (changelog, journal entries, contact
// assignments) and reverse relations under Django's names are read per level with one request
// per chunk of parent ids, never one per object, as the simulator's request log shows; and every
// parent's children are the ones REST lists for it.
func TestDerivedRelationsBatched(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	const q = `{ device_list(pagination: {limit: 40}) { results { id name changelog { action changed_object_id } journal_entries { comments assigned_object_id } contacts { contact { name } object_id } consoleports { name device { id } } } } }`
	s.sim.ResetStats()
	r := s.query(t, fullToken, q)
	if len(r.Errors) > 0 {
		t.Fatalf("errors %+v", r.Errors)
	}
	type row struct {
		ID        string `json:"id"`
		Changelog []struct {
			Action string `json:"action"`
			Object int    `json:"changed_object_id"`
		} `json:"changelog"`
		Journal []struct {
			Object int `json:"assigned_object_id"`
		} `json:"journal_entries"`
		Contacts []struct {
			Contact struct{ Name string } `json:"contact"`
			Object  int                   `json:"object_id"`
		} `json:"contacts"`
		Ports []struct {
			Device struct{ ID string } `json:"device"`
		} `json:"consoleports"`
	}
	page := decode[struct{ Results []row }](t, r.Data["device_list"])
	if len(page.Results) != 40 {
		t.Fatalf("%d devices, want 40", len(page.Results))
	}
	byPath := map[string]int{}
	for _, req := range s.sim.Stats().Recent {
		path, _, _ := strings.Cut(req.URL, "?")
		byPath[path]++
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	t.Logf("upstream requests by path: %v", byPath)
	// One page of devices; one request per relation for 40 parents (well within one chunk);
	// the contacts' contact objects in one batch by id.
	want := map[string]int{
		"/api/dcim/devices/": 1, "/api/core/object-changes/": 1, "/api/extras/journal-entries/": 1,
		"/api/tenancy/contact-assignments/": 1, "/api/dcim/console-ports/": 1,
	}
	for path, n := range want {
		if byPath[path] != n {
			t.Errorf("%s: %d requests, want %d", path, byPath[path], n)
		}
	}
	if n := byPath["/api/tenancy/contacts/"]; n > 1 {
		t.Errorf("/api/tenancy/contacts/: %d requests, want at most 1 (one batch by id)", n)
	}
	total := 0
	for _, n := range byPath {
		total += n
	}
	if total > len(want)+1 {
		t.Errorf("%d upstream requests for 40 devices and four relations, want at most %d: %v", total, len(want)+1, paths)
	}

	// Every child belongs to its parent, and REST agrees on how many each has.
	checked := 0
	for _, d := range page.Results[:10] {
		for _, c := range d.Changelog {
			if d.ID != strconv.Itoa(c.Object) {
				t.Errorf("device %s: a change of object %d", d.ID, c.Object)
			}
		}
		for _, j := range d.Journal {
			if d.ID != strconv.Itoa(j.Object) {
				t.Errorf("device %s: a journal entry of object %d", d.ID, j.Object)
			}
		}
		for _, c := range d.Contacts {
			if d.ID != strconv.Itoa(c.Object) || c.Contact.Name == "" {
				t.Errorf("device %s: contact assignment of object %d (%q)", d.ID, c.Object, c.Contact.Name)
			}
		}
		for _, p := range d.Ports {
			if p.Device.ID != d.ID {
				t.Errorf("device %s: console port of device %s", d.ID, p.Device.ID)
			}
		}
		for _, c := range []struct {
			path string
			q    url.Values
			got  int
		}{
			{"/api/core/object-changes/", url.Values{"changed_object_type": {"dcim.device"}, "changed_object_id": {d.ID}}, len(d.Changelog)},
			{"/api/extras/journal-entries/", url.Values{"assigned_object_type": {"dcim.device"}, "assigned_object_id": {d.ID}}, len(d.Journal)},
			{"/api/tenancy/contact-assignments/", url.Values{"object_type": {"dcim.device"}, "object_id": {d.ID}}, len(d.Contacts)},
			{"/api/dcim/console-ports/", url.Values{"device_id": {d.ID}}, len(d.Ports)},
		} {
			if want := len(s.restAll(t, fullToken, c.path, c.q)); want != c.got {
				t.Errorf("device %s: %d rows of %s, REST lists %d", d.ID, c.got, c.path, want)
			}
			checked += c.got
		}
	}
	if checked == 0 {
		t.Error("the first ten devices have no changes, journal entries, contacts or console ports: the test checks nothing")
	}
}

// TestStartCursor: pagination's start lists the rows from that id on in id order, on root and
// relation lists, in both versions; version 2's total_count still counts every row the filters
// match; start with an offset is refused with NetBox's message.
func TestStartCursor(t *testing.T) {
	s := newStack(t, nil)
	ids := func(raw []byte) []int {
		var rows []struct{ ID string }
		if err := json.Unmarshal(raw, &rows); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		out := make([]int, len(rows))
		for i, r := range rows {
			out[i], _ = strconv.Atoi(r.ID)
		}
		return out
	}
	all := s.restAll(t, fullToken, "/api/dcim/devices/", url.Values{"status": {"active"}})
	var want []int
	for _, d := range all {
		if id := int(d["id"].(float64)); id >= 40 {
			want = append(want, id)
		}
	}
	sort.Ints(want)
	want = want[:min(5, len(want))]

	body, _ := json.Marshal(map[string]any{"query": `{ device_list(filters: {status: {exact: STATUS_ACTIVE}}, pagination: {start: 40, limit: 5}) { id } }`})
	r1 := s.postTo(t, "/graphql/v1/", fullToken, body)
	if len(r1.Errors) > 0 {
		t.Fatalf("v1: %+v", r1.Errors)
	}
	if got := ids(r1.Data["device_list"]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("v1 start 40: ids %v, want %v", got, want)
	}
	r2 := s.query(t, fullToken, `{ device_list(filters: {status: {exact: STATUS_ACTIVE}}, pagination: {start: 40, limit: 5}) { total_count results { id } } }`)
	page := decode[struct {
		Total   int `json:"total_count"`
		Results json.RawMessage
	}](t, r2.Data["device_list"])
	if got := ids(page.Results); fmt.Sprint(got) != fmt.Sprint(want) || page.Total != len(all) {
		t.Errorf("v2 start 40: ids %v total %d, want %v and %d", got, page.Total, want, len(all))
	}
	r := s.query(t, fullToken, `{ device_list(pagination: {start: 4, offset: 2}) { total_count } }`)
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "Cannot specify both `start` and `offset` in pagination.") {
		t.Errorf("start with offset: %+v", r.Errors)
	}
	// On a relation list: the device's interfaces from an id on, in id order.
	dev := s.query(t, fullToken, `{ device(id: 1) { interfaces { id } } }`)
	var ifs struct{ Interfaces []struct{ ID string } }
	_ = json.Unmarshal(dev.Data["device"], &ifs)
	if len(ifs.Interfaces) < 2 {
		t.Fatalf("device 1 has %d interfaces", len(ifs.Interfaces))
	}
	var ifIDs []int
	for _, i := range ifs.Interfaces {
		n, _ := strconv.Atoi(i.ID)
		ifIDs = append(ifIDs, n)
	}
	sort.Ints(ifIDs)
	start := ifIDs[1]
	dev = s.query(t, fullToken, fmt.Sprintf(`{ device(id: 1) { interfaces(pagination: {start: %d}) { id } } }`, start))
	_ = json.Unmarshal(dev.Data["device"], &ifs)
	var got []int
	for _, i := range ifs.Interfaces {
		n, _ := strconv.Atoi(i.ID)
		got = append(got, n)
	}
	if fmt.Sprint(got) != fmt.Sprint(ifIDs[1:]) {
		t.Errorf("interfaces from %d: %v, want %v", start, got, ifIDs[1:])
	}
}

// TestUnknownRelatedIDs: a filter on a related object that does not exist matches nothing, as
// NetBox's GraphQL answers it, where its REST filter refuses the value with a 400; under NOT it
// excludes nothing.
func TestUnknownRelatedIDs(t *testing.T) {
	s := newStack(t, nil)
	all := len(s.restAll(t, fullToken, "/api/dcim/devices/", nil))
	sites := len(s.restAll(t, fullToken, "/api/dcim/sites/", nil))
	for _, c := range []struct {
		query, list string
		want        int
	}{
		{`{ device_list(filters: {site_id: "99999"}) { total_count } }`, "device_list", 0},
		{`{ device_list(filters: {NOT: {site_id: "99999"}}) { total_count } }`, "device_list", all},
		{`{ device_list(filters: {site_id: "99999", OR: {name: {exact: "device-1"}}}) { total_count } }`, "device_list", 1},
		{`{ site_list(filters: {region_id: {id: "99999", match_type: SELF_AND_DESCENDANTS}}) { total_count } }`, "site_list", 0},
		{`{ site_list(filters: {NOT: {region_id: {id: "99999", match_type: SELF_AND_DESCENDANTS}}}) { total_count } }`, "site_list", sites},
	} {
		r := s.query(t, fullToken, c.query)
		if len(r.Errors) > 0 {
			t.Errorf("%s: errors %+v", c.query, r.Errors)
			continue
		}
		if got := decode[struct {
			Total int `json:"total_count"`
		}](t, r.Data[c.list]).Total; got != c.want {
			t.Errorf("%s: total %d, want %d", c.query, got, c.want)
		}
	}
}
