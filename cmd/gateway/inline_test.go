package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
)

// goroutinesCreated is how many goroutines this process has started so far.
func goroutinesCreated(t *testing.T) uint64 {
	t.Helper()
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		t.Skip("this Go runtime does not count the goroutines it starts (/sched/goroutines-created)")
	}
	return s[0].Value.Uint64()
}

// TestRelationsResolveInline: foreign keys answered from the nested objects REST embeds, and from
// the related objects look-ahead fetched, run inline: the goroutines a query starts do not grow
// with its rows (they were seven per row when every relation resolver took a context), and the
// requests stay the planned ones.
func TestRelationsResolveInline(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	// site's created is not in REST's nested site: the sites are read by id, once per answer.
	const q = `{ device_list(pagination: {limit: %d}) { results { name site { name created } rack { name } device_type { model manufacturer { name } } tenant { name } } } }`
	cost := func(rows int) (goroutines uint64, requests int64) {
		goroutines = ^uint64(0)
		for range 3 { // the least of three: a new connection starts goroutines of its own
			s.sim.ResetStats()
			before := goroutinesCreated(t)
			r := s.query(t, fullToken, fmt.Sprintf(q, rows))
			used := goroutinesCreated(t) - before
			if len(r.Errors) > 0 {
				t.Fatalf("%d rows: errors %+v", rows, r.Errors)
			}
			var page struct {
				Results []struct{ Site struct{ Created string } }
			}
			if err := json.Unmarshal(r.Data["device_list"], &page); err != nil || len(page.Results) != rows || page.Results[0].Site.Created == "" {
				t.Fatalf("%d rows: device_list %.300s", rows, r.Data["device_list"])
			}
			goroutines, requests = min(goroutines, used), s.simStats(t).Requests
		}
		return goroutines, requests
	}
	few, fewReqs := cost(5)
	many, manyReqs := cost(80)
	t.Logf("goroutines started per answer: %d with 5 rows, %d with 80", few, many)
	if fewReqs != 2 || manyReqs != 2 {
		t.Errorf("upstream requests %d and %d, want 2 each (the devices, their sites by id)", fewReqs, manyReqs)
	}
	if many > few+10 {
		t.Errorf("%d goroutines for 80 rows, %d for 5: relations run in goroutines of their own", many, few)
	}
}

// TestHiddenRelatedObjectFailsItsField: a related object the token may not see (REST nests its
// brief form, its own endpoint does not return it) fails that field alone, with NOT_FOUND and
// the field's path, although its resolver returns no error; the rows keep the rest.
func TestHiddenRelatedObjectFailsItsField(t *testing.T) {
	var racks atomic.Int32
	s := newStackIntercepted(t, answerUnder("/api/dcim/racks/", http.StatusOK,
		`{"count": 0, "next": null, "previous": null, "results": []}`, &racks))

	// created is not in REST's nested rack: the racks are read by id, and none comes back.
	body, _ := json.Marshal(map[string]string{"query": `{ device_list(pagination: {limit: 10}) { results { name rack { name created } } } }`})
	var r struct {
		Data struct {
			List struct {
				Results []struct {
					Name *string
					Rack *struct{ Name string }
				}
			} `json:"device_list"`
		}
		Errors []struct {
			Message    string
			Path       []any
			Extensions map[string]any
		}
	}
	_, raw := s.send(t, "POST", "", "application/json", string(body), nil)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("answer is not JSON: %s", raw)
	}
	if len(r.Data.List.Results) != 10 {
		t.Fatalf("%d devices, want 10; errors %+v", len(r.Data.List.Results), r.Errors)
	}
	failed := map[string]bool{}
	for _, e := range r.Errors {
		failed[fmt.Sprint(e.Path)] = true
		if e.Extensions["code"] != "NOT_FOUND" || !strings.Contains(e.Message, "is not visible with these credentials") {
			t.Errorf("error %+v, want NOT_FOUND for a hidden rack", e)
		}
	}
	withRack := 0
	for i, d := range r.Data.List.Results {
		path := fmt.Sprintf("[device_list results %d rack]", i)
		if d.Name == nil || *d.Name == "" || d.Rack != nil {
			t.Errorf("device %d: name %v rack %v, want its name and a null rack", i, d.Name, d.Rack)
		}
		if failed[path] {
			withRack++
		}
	}
	if withRack == 0 || withRack != len(r.Errors) {
		t.Errorf("errors at %v, want one at each device's rack path", failed)
	}
	if racks.Load() != 1 {
		t.Errorf("%d rack requests, want the one batched look-ahead request", racks.Load())
	}
}
