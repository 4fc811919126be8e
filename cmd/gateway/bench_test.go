package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

// benchQuery is issue 4's nested query over 50 devices: sites, racks, device types and
// manufacturers, 2000 interfaces and their IP addresses.
const benchQuery = `{ device_list(pagination: {limit: 50}) { results { name site { name } rack { name } device_type { model manufacturer { name } } interfaces { name ip_addresses { address } } } } }`

// benchUpstream is a simulator answering after a fixed latency, as a NetBox across a network
// and a database would; both sides of the comparison pay it per request.
func benchUpstream(b *testing.B, latency time.Duration) (*netboxsim.Sim, string) {
	b.Helper()
	sim, err := netboxsim.New(netboxsim.Options{Registry: model.Default(), Scale: 1, Seed: 1, Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	b.Cleanup(srv.Close)
	return sim, srv.URL
}

// BenchmarkNestedQuery compares, in one run, Graphbox answering benchQuery with a resolver that
// makes one REST request per object (the N+1 pattern), both against the same upstream.
//
//	go test ./cmd/gateway -run '^$' -bench NestedQuery -benchtime 5x
func BenchmarkNestedQuery(b *testing.B) {
	sim, upstream := benchUpstream(b, time.Millisecond)
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.Upstream.URL = upstream
	cfg.Cache.TTL = 0 // every iteration reaches the upstream
	g, err := start(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.close(context.Background()) })
	body, _ := json.Marshal(map[string]string{"query": benchQuery})

	b.Run("graphbox", func(b *testing.B) {
		sim.ResetStats()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, "http://"+g.addr+"/graphql/", bytes.NewReader(body))
			req.Header.Set("Authorization", netboxsim.DemoFullToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct{ Errors []any }
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(out.Errors) > 0 {
				b.Fatalf("%d %v", resp.StatusCode, out.Errors)
			}
		}
		b.ReportMetric(float64(sim.Stats().Requests)/float64(b.N), "upstream-req/op")
	})

	b.Run("per-object-rest", func(b *testing.B) {
		sim.ResetStats()
		for b.Loop() {
			if err := perObject(upstream); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(sim.Stats().Requests)/float64(b.N), "upstream-req/op")
	})
}

// perObject answers benchQuery the way a resolver without batching does: one request per
// related object and per parent, eight at a time.
func perObject(base string) error {
	get := func(path string, out any) error {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", netboxsim.DemoFullToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: %d", path, resp.StatusCode)
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
	type obj = map[string]any
	type page struct{ Results []obj }
	id := func(o obj, key string) string {
		if m, ok := o[key].(obj); ok {
			return strconv.Itoa(int(m["id"].(float64)))
		}
		return ""
	}
	var devices page
	if err := get("/api/dcim/devices/?limit=50", &devices); err != nil {
		return err
	}
	var eg errgroup.Group
	eg.SetLimit(8)
	var mu sync.Mutex
	var ifaces []obj
	for _, d := range devices.Results {
		for _, rel := range []struct{ key, path string }{{"site", "/api/dcim/sites/"}, {"rack", "/api/dcim/racks/"}, {"device_type", "/api/dcim/device-types/"}} {
			if rid := id(d, rel.key); rid != "" {
				eg.Go(func() error {
					var o obj
					if err := get(rel.path+rid+"/", &o); err != nil {
						return err
					}
					if rel.key == "device_type" {
						var m obj
						return get("/api/dcim/manufacturers/"+id(o, "manufacturer")+"/", &m)
					}
					return nil
				})
			}
		}
		did := strconv.Itoa(int(d["id"].(float64)))
		eg.Go(func() error {
			var p page
			if err := get("/api/dcim/interfaces/?limit=1000&device_id="+did, &p); err != nil {
				return err
			}
			mu.Lock()
			ifaces = append(ifaces, p.Results...)
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	for _, i := range ifaces {
		iid := strconv.Itoa(int(i["id"].(float64)))
		eg.Go(func() error {
			var p page
			return get("/api/ipam/ip-addresses/?limit=1000&interface_id="+iid, &p)
		})
	}
	return eg.Wait()
}
