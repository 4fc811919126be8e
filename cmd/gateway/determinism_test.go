package main

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestNestedRequestsDeterministic is issue 13's Q2 over the demo inventory, 20 times without
// caches: the same upstream requests every time, and no interface's IP addresses asked twice
// (a resolver that woke before the next level was registered used to read its own alone).
func TestNestedRequestsDeterministic(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	const q = `{ device_list(pagination: {limit: 200}) { results { name interfaces { name ip_addresses { address } } } } }`
	var first []string
	for run := range 20 {
		r := s.post(t, fullToken, []byte(`{"query": "`+q+`", "extensions": {"explain": true}}`))
		if len(r.Errors) > 0 {
			t.Fatalf("run %d: errors %+v", run, r.Errors)
		}
		var ex struct {
			Requests []struct{ URL, Cache string }
		}
		if err := json.Unmarshal(r.Extensions["explain"], &ex); err != nil {
			t.Fatal(err)
		}
		var urls []string
		asked := map[string]int{}
		for _, c := range ex.Requests {
			if c.Cache != "miss" {
				t.Errorf("run %d: %s answered by %s with the caches off", run, c.URL, c.Cache)
			}
			urls = append(urls, c.URL)
			path, raw, _ := strings.Cut(c.URL, "?")
			if path != "/api/ipam/ip-addresses/" {
				continue
			}
			v, _ := url.ParseQuery(raw)
			for _, id := range v["interface_id"] {
				asked[id]++
			}
		}
		for id, n := range asked {
			if n > 1 {
				t.Errorf("run %d: interface %s's IP addresses asked %d times", run, id, n)
			}
		}
		slices.Sort(urls)
		if first == nil {
			first = urls
			t.Logf("%d upstream requests", len(urls))
			continue
		}
		if !slices.Equal(urls, first) {
			t.Fatalf("run %d made other requests than run 0:\n%d: %v\n%d: %v", run, len(urls), urls, len(first), first)
		}
	}
}
