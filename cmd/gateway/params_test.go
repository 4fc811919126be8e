package main

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/graphbox/graphbox/model"
)

// shapeParams are the list parameters that are not filters: pagination, shape and search. The
// registry keeps ordering and q as flags of the object.
var shapeParams = map[string]bool{"limit": true, "offset": true, "fields": true, "brief": true, "format": true}

// unlistedParams returns the query parameters of a list request that the endpoint's document
// does not list. NetBox ignores those, so a plan that sends one would silently answer more rows
// than it means. cf_<name> parameters are NetBox's custom-field filters, which no document
// lists; their definitions are checked when compiled.
func unlistedParams(reg *model.Registry, r *http.Request) []string {
	obj := reg.ByPath(r.URL.Path)
	if obj == nil {
		return nil // a detail or a non-list path
	}
	var out []string
	for k := range r.URL.Query() {
		switch {
		case shapeParams[k], strings.HasPrefix(k, "cf_"):
			continue
		case k == "ordering" && obj.Ordering, k == "q" && obj.Search:
			continue
		}
		base, lookup := k, ""
		p := obj.Filter(k)
		if p == nil || !p.Exact {
			if i := strings.LastIndex(k, "__"); i > 0 {
				base, lookup = k[:i], k[i+2:]
				p = obj.Filter(base)
			}
		}
		if p == nil || !p.HasLookup(lookup) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// paramCheck counts, per parameter, the gateway's upstream requests that carried a parameter
// their endpoint does not list.
type paramCheck struct {
	reg      *model.Registry
	mu       sync.Mutex
	requests int
	bad      map[string]int // "path key" -> requests
}

func (c *paramCheck) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") == "graphbox" {
			bad := unlistedParams(c.reg, r)
			c.mu.Lock()
			c.requests++
			for _, k := range bad {
				c.bad[r.URL.Path+" "+k]++
			}
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// report fails the test for every unlisted parameter the gateway sent.
func (c *paramCheck) report(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Logf("parameter check: %d upstream list requests, %d unlisted parameters", c.requests, len(c.bad))
	for k, n := range c.bad {
		t.Errorf("the gateway sent a parameter the document does not list: %s (%d requests)", k, n)
	}
}

func TestUnlistedParams(t *testing.T) {
	reg := model.Default()
	dev := reg.Object("Device")
	if dev == nil || dev.Filter("name") == nil {
		t.Skip("the registry has no Device.name filter")
	}
	cases := []struct {
		query string
		want  string
	}{
		{"name=a&name__ic=b&limit=5&offset=0&fields=id&ordering=name&q=x&cf_owner=a", ""},
		{"name__bogus=x", "name__bogus"},
		{"nosuch=1&name=a", "nosuch"},
	}
	if !dev.Filter("name").HasLookup("regex") {
		cases = append(cases, struct{ query, want string }{"name__regex=^a", "name__regex"})
	}
	for _, tc := range cases {
		r, _ := http.NewRequest(http.MethodGet, dev.Path+"?"+tc.query, nil)
		if got := strings.Join(unlistedParams(reg, r), ","); got != tc.want {
			t.Errorf("%s: unlisted %q, want %q", tc.query, got, tc.want)
		}
	}
}
