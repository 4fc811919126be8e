package loaders

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphbox/graphbox/rest"
)

// Tokens of the fake upstream: full sees every row, even sees rows with an even id only.
const (
	tokenFull = "Token full-0123456789"
	tokenEven = "Token even-0123456789"
)

// fakeNB is a small NetBox-like list/detail API over fixed rows: filters by any row key given
// as a parameter (repeat = OR), limit/offset pagination capped at maxLimit, absolute next links.
type fakeNB struct {
	srv      *httptest.Server
	rows     map[string][]map[string]any // list path -> rows
	maxLimit int
	// nextHost, when set, replaces the host of next links; loopNext makes next point to itself.
	nextHost string
	loopNext bool
	status   int // when set, every answer has this status

	mu      sync.Mutex
	hits    []string // request URIs
	longest int      // longest full URL seen
	// gate, when set, holds every request until closed.
	gate chan struct{}
	// barrier, when set, holds each request for a page after the first (offset > 0) until that
	// many of them are in flight at once, or 5s passed: pages read one after another never meet.
	barrier  int
	waiting  int
	met      chan struct{}
	inFlight int
	most     int // most requests in flight at once
}

func newFake(t testing.TB) *fakeNB {
	f := &fakeNB{rows: map[string][]map[string]any{}, maxLimit: 1000}
	devices := []map[string]any{}
	ifaces := []map[string]any{}
	for i := 1; i <= 500; i++ {
		devices = append(devices, map[string]any{"id": i, "name": fmt.Sprintf("dev-%d", i)})
		for j := range 3 {
			ifaces = append(ifaces, map[string]any{"id": i*10 + j, "name": fmt.Sprintf("eth%d", j), "device_id": i,
				"device": map[string]any{"id": i, "name": fmt.Sprintf("dev-%d", i)}})
		}
	}
	f.rows["/api/dcim/devices/"] = devices
	f.rows["/api/dcim/interfaces/"] = ifaces
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNB) client(t testing.TB) *rest.Client {
	c, err := rest.New(rest.Options{BaseURL: f.srv.URL, RetryMax: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeNB) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hits)
}

func (f *fakeNB) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.hits)
}

func (f *fakeNB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits = append(f.hits, r.URL.RequestURI())
	f.longest = max(f.longest, len(f.srv.URL)+len(r.URL.RequestURI()))
	gate := f.gate
	f.inFlight++
	f.most = max(f.most, f.inFlight)
	var met chan struct{}
	if f.barrier > 0 && r.URL.Query().Get("offset") != "" && r.URL.Query().Get("offset") != "0" {
		if f.met == nil {
			f.met = make(chan struct{})
		}
		met = f.met
		if f.waiting++; f.waiting == f.barrier {
			close(f.met)
		}
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if met != nil {
		select {
		case <-met:
		case <-time.After(5 * time.Second):
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if f.status != 0 {
		w.WriteHeader(f.status)
		fmt.Fprint(w, `{"detail":"scripted failure"}`)
		return
	}
	auth := r.Header.Get("Authorization")
	if auth != tokenFull && auth != tokenEven {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"detail":"Invalid token"}`)
		return
	}
	visible := func(row map[string]any) bool { return auth == tokenFull || row["id"].(int)%2 == 0 }
	seenBy := tokenName(auth)
	// Detail: /api/<app>/<model>/<id>/
	for list, rows := range f.rows {
		rest, ok := strings.CutPrefix(r.URL.Path, list)
		if !ok || rest == "" {
			continue
		}
		id, err := strconv.Atoi(strings.TrimSuffix(rest, "/"))
		if err != nil {
			break
		}
		for _, row := range rows {
			if row["id"] == id && visible(row) {
				json.NewEncoder(w).Encode(with(row, "seen_by", seenBy))
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"detail":"No object matches the given query."}`)
		return
	}
	rows, ok := f.rows[r.URL.Path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"detail":"Not found."}`)
		return
	}
	q := r.URL.Query()
	var match []map[string]any
	for _, row := range rows {
		if !visible(row) {
			continue
		}
		keep := true
		for k, vs := range q {
			switch k {
			case "limit", "offset", "brief", "fields":
				continue
			}
			if !slices.Contains(vs, fmt.Sprint(row[k])) {
				keep = false
			}
		}
		if keep {
			match = append(match, with(row, "seen_by", seenBy))
		}
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, f.maxLimit)
	offset, _ := strconv.Atoi(q.Get("offset"))
	end := min(offset+limit, len(match))
	page := map[string]any{"count": len(match), "next": nil, "previous": nil, "results": []any{}}
	if offset < len(match) {
		page["results"] = match[offset:end]
	}
	if end < len(match) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("limit", strconv.Itoa(limit))
		nq.Set("offset", strconv.Itoa(end))
		if f.loopNext {
			nq = q
		}
		host := f.srv.URL
		if f.nextHost != "" {
			host = f.nextHost
		}
		page["next"] = host + r.URL.Path + "?" + nq.Encode()
	}
	json.NewEncoder(w).Encode(page)
}

func with(row map[string]any, k string, v any) map[string]any {
	c := make(map[string]any, len(row)+1)
	for k, v := range row {
		c[k] = v
	}
	c[k] = v
	return c
}

// tokenName is "full" or "even": what the fake writes in each row's seen_by.
func tokenName(auth string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(auth, "Token "), "-")
	return name
}
