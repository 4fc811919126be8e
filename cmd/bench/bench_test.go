package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/graphbox/graphbox/model"
)

// tiny is a run at scale 1 without cost, the simulator in the test's process.
func tiny(t *testing.T) (config, *upstream) {
	t.Helper()
	if len(model.Default().Objects) == 0 {
		t.Skip("the generated registry is empty")
	}
	c := config{Scale: 1, Seed: 1, Runs: 1, Concurrency: 2, InProcess: true}
	u, err := startSim(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.close)
	return c, u
}

// TestBenchTiny runs the whole benchmark once and checks the request counts that do not depend
// on the gateway's batching: Q1 and Q4 are one request each, the cached Q1 none.
func TestBenchTiny(t *testing.T) {
	c, u := tiny(t)
	c.Verbose = true
	c.Throughput = 200 * time.Millisecond
	rep, err := bench(context.Background(), c, u)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"Q1": {"1", "1"}, "Q4": {"1", "1"}, "Q1 cached": {"0", ""}}
	seen := map[string]bool{}
	for _, r := range rep.rows {
		seen[r.name] = true
		if r.reqs == "0" && r.name != "Q1 cached" {
			t.Errorf("%s: no upstream request", r.name)
		}
		if w, ok := want[r.name]; ok && (r.reqs != w[0] || r.boundReqs != w[1]) {
			t.Errorf("%s: %s requests, bound %s; want %s and %q", r.name, r.reqs, r.boundReqs, w[0], w[1])
		}
	}
	for _, q := range append(queries, query{name: "Q1 cached"}) {
		if !seen[q.name] {
			t.Errorf("no row for %s", q.name)
		}
	}
	if len(rep.throughput) != 2 {
		t.Errorf("throughput lines: %q", rep.throughput)
	}
	var out bytes.Buffer
	rep.print(&out)
	if !strings.Contains(out.String(), "\nQ1: 1 upstream requests\n  /api/dcim/devices/?") {
		t.Errorf("-v does not list Q1's request:\n%s", out.String())
	}
	for _, q := range []string{"Q1 ", "Q2 ", "Q3 ", "Q4 ", "Q5 ", "Q1 cached"} {
		if !strings.Contains(out.String(), "\n"+q) {
			t.Errorf("the report has no line for %q:\n%s", q, out.String())
		}
	}
}

// TestBoundPlans checks each plan's requests against the simulator's count, and the nested
// plan's shape against the data set: all 100 devices, their 4,000 interfaces in pages of 1,000.
func TestBoundPlans(t *testing.T) {
	_, u := tiny(t)
	ctx := context.Background()
	for _, q := range queries {
		p, err := q.plan(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		before, err := u.requests(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, n, choice, err := u.timeBound(ctx, p)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		after, _ := u.requests(ctx)
		made := 0
		for _, l := range append(p.levels, p.last...) {
			made += len(l)
		}
		if after-before != int64(made) {
			t.Errorf("%s: the simulator saw %d requests, the plan has %d", q.name, after-before, made)
		}
		chosen := -1
		for i, name := range p.lastName {
			if name == choice {
				chosen = i
			}
		}
		if len(p.last) > 0 && (chosen < 0 || n != p.requests(chosen)) {
			t.Errorf("%s: bound of %d requests by %q, not one of the alternatives", q.name, n, choice)
		}
		if q.name == "Q2" || q.name == "Q5" {
			devices, ifaces := u.Devices, u.Interfaces
			if len(p.levels) != 2 || len(p.levels[0]) != 1 || len(p.levels[1]) != (ifaces+999)/1000 || devices != 100 {
				t.Errorf("%s: levels %v for %d devices and %d interfaces", q.name, p.levels, devices, ifaces)
			}
			for _, alt := range p.last {
				for _, r := range alt {
					if len(u.URL)+len(r) > 4000 {
						t.Errorf("%s: a request of %d bytes", q.name, len(r))
					}
				}
			}
		}
	}
}

func TestParse(t *testing.T) {
	c, err := parse(nil, io.Discard)
	if err != nil || c.Cost.Request == 0 || c.Workers != 4 || c.Latency != 0 {
		t.Errorf("defaults: %+v, %v; want the calibrated cost and 4 workers", c, err)
	}
	c, err = parse([]string{"--latency", "20ms", "--scale", "100"}, io.Discard)
	if err != nil || c.Cost.Request != 0 || c.Workers != 0 || c.Scale != 100 {
		t.Errorf("--latency: %+v, %v; want no cost model and no worker bound", c, err)
	}
	for _, bad := range [][]string{{"--runs", "0"}, {"--latency", "-1s"}, {"--workers", "-2"}, {"extra"}} {
		if _, err := parse(bad, io.Discard); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

func TestAskFailsOnErrors(t *testing.T) {
	_, u := tiny(t)
	g, err := startGateway(u.URL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.srv.Close()
	if err := g.ask(context.Background(), `{ device_list { results { no_such_field } } }`); err == nil {
		t.Error("an answer with errors passed")
	}
	if err := g.ask(context.Background(), queries[3].text); err != nil {
		t.Error(err)
	}
}
