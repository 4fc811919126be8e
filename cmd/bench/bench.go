package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/graphbox/graphbox/loaders"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
	"github.com/graphbox/graphbox/rest"
	"github.com/graphbox/graphbox/schema"
	"github.com/graphbox/graphbox/server"
)

// query is one benchmarked GraphQL query and the REST plan of its lower bound.
type query struct {
	name, text string
	plan       func(context.Context, *upstream) (plan, error)
}

// The queries of issue 13's table (Q1-Q4) and issue 15's nested query (Q5), in the paginated
// shape the gateway serves at /graphql/ (Q5 reads `results`, with the default limit of 100).
var queries = []query{
	{"Q1", `{ device_list(pagination: {limit: 1000}) { results { name site { name } rack { name } device_type { model manufacturer { name } } } } }`,
		func(context.Context, *upstream) (plan, error) {
			return flatPlan(devicesPath + "?fields=id,name,site,rack,device_type&limit=1000"), nil
		}},
	{"Q2", `{ device_list(pagination: {limit: 200}) { results { name interfaces { name ip_addresses { address } } } } }`,
		func(ctx context.Context, u *upstream) (plan, error) { return u.nestedPlan(ctx, 200, "id,name") }},
	{"Q3", `{ device_list(filters: {status: {exact: STATUS_ACTIVE}, OR: {tenant: {name: {i_contains: "1"}}}}) { results { name } } }`,
		func(ctx context.Context, u *upstream) (plan, error) { return u.orPlan(ctx) }},
	{"Q4", `{ device_list { total_count } }`,
		func(context.Context, *upstream) (plan, error) {
			return flatPlan(devicesPath + "?fields=id&limit=1"), nil
		}},
	{"Q5", `{ device_list { results { id name site { name } interfaces { name ip_addresses { address } } } } }`,
		func(ctx context.Context, u *upstream) (plan, error) { return u.nestedPlan(ctx, 100, "id,name,site") }},
}

// gateway is Graphbox served in this process, wired as cmd/gateway wires it with its defaults.
type gateway struct {
	url    string
	srv    *http.Server
	client *http.Client
}

// startGateway serves Graphbox over upstreamURL; answers, when set, is its response cache.
func startGateway(upstreamURL string, cache *loaders.Cache, answers *server.ResponseCache) (*gateway, error) {
	log := slog.New(slog.DiscardHandler)
	client, err := rest.New(rest.Options{BaseURL: upstreamURL, AttemptTimeout: time.Minute, RetryMax: 3,
		RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: 2 * time.Second, MaxBodyBytes: 64 << 20, Logger: log})
	if err != nil {
		return nil, err
	}
	gw, err := schema.New(schema.Options{Registry: model.Default(), Client: client, Cache: cache, Logger: log,
		DefaultPageSize: 100, MaxPageSize: 1000, MaxUpstreamRequests: 200})
	if err != nil {
		return nil, err
	}
	h := server.New(server.Config{Enabled: true, RequestTimeout: 5 * time.Minute, ResponseCache: answers}, server.SchemaExecutor(gw), nil, log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gateway{url: "http://" + ln.Addr().String() + "/graphql/", srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

// ask posts a query and fails on an error in the answer.
func (g *gateway) ask(ctx context.Context, q string) error {
	body, _ := json.Marshal(map[string]string{"query": q})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	req.Header.Set("Authorization", netboxsim.DemoFullToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	// Only a body that may hold errors is decoded, so that the client's CPU stays out of the
	// gateway's figures.
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
		var out struct {
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != http.StatusOK || len(out.Errors) > 0 {
			return fmt.Errorf("%d: %.400s", resp.StatusCode, b)
		}
	}
	return nil
}

// usage is this process's CPU time, heap allocations and goroutines started so far.
type usage struct {
	cpu                time.Duration
	allocs, goroutines uint64
}

var usageMetrics = []string{"/gc/heap/allocs:objects", "/sched/goroutines-created:goroutines"}

func readUsage() usage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	s := make([]metrics.Sample, len(usageMetrics))
	for i, n := range usageMetrics {
		s[i].Name = n
	}
	metrics.Read(s)
	u := usage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	if s[0].Value.Kind() == metrics.KindUint64 {
		u.allocs = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		u.goroutines = s[1].Value.Uint64()
	}
	return u
}

func (u usage) since(b usage) usage {
	return usage{cpu: u.cpu - b.cpu, allocs: u.allocs - b.allocs, goroutines: u.goroutines - b.goroutines}
}

// sample is one measured answer (or, for throughput, the mean of many).
type sample struct {
	wall     time.Duration
	requests int64
	use      usage
}

// measure runs f once and reports its wall time, upstream requests and usage.
func measure(ctx context.Context, u *upstream, f func() error) (sample, error) {
	r0, err := u.requests(ctx)
	if err != nil {
		return sample{}, err
	}
	u0 := readUsage()
	start := time.Now()
	if err := f(); err != nil {
		return sample{}, err
	}
	wall := time.Since(start)
	use := readUsage().since(u0)
	r1, err := u.requests(ctx)
	if err != nil {
		return sample{}, err
	}
	return sample{wall: wall, requests: r1 - r0, use: use}, nil
}

// row is one line of the report.
type row struct {
	name                  string
	time, bound           time.Duration
	reqs, boundReqs, note string
	use                   usage
	hasBound              bool
}

type report struct {
	head       string
	rows       []row
	throughput []string
	requests   []string // with -v
}

// shorten cuts a long URL in the middle.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-40] + fmt.Sprintf("...(%d bytes)...", len(s)) + s[len(s)-20:]
}

func median[T int64 | uint64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func spread(xs []int64) string {
	lo, hi := slices.Min(xs), slices.Max(xs)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// summary folds the runs of one query into a row.
func summary(name string, runs []sample) row {
	var walls []time.Duration
	var reqs []int64
	var cpu []time.Duration
	var allocs, gs []uint64
	for _, s := range runs {
		walls, reqs, cpu = append(walls, s.wall), append(reqs, s.requests), append(cpu, s.use.cpu)
		allocs, gs = append(allocs, s.use.allocs), append(gs, s.use.goroutines)
	}
	return row{name: name, time: median(walls), reqs: spread(reqs), use: usage{cpu: median(cpu), allocs: median(allocs), goroutines: median(gs)}}
}

func bench(ctx context.Context, c config, u *upstream) (*report, error) {
	cold, err := startGateway(u.URL, loaders.NewCache(0, 0), nil)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	defer cold.srv.Close()
	// As cmd/gateway's defaults: the upstream cache, and the response cache in front.
	cached, err := startGateway(u.URL, loaders.NewCache(time.Hour, 0), server.NewResponseCache(loaders.CacheOptions{TTL: time.Hour}))
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	defer cached.srv.Close()

	rep := &report{head: fmt.Sprintf("scale %d (%d devices, %d interfaces, %d IP addresses); upstream: %s; %d runs, medians",
		c.Scale, u.Devices, u.Interfaces, u.IPAddresses, u.spec.describe(), c.Runs)}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	only := map[string]bool{}
	for _, n := range strings.Split(c.Only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			only[strings.ToUpper(n)] = true
		}
	}
	for _, q := range queries {
		if len(only) > 0 && !only[q.name] {
			continue
		}
		p, err := q.plan(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("%s: plan: %w", q.name, err)
		}
		// One untimed answer first: connections open, the document parsed once.
		if err := cold.ask(ctx, q.text); err != nil {
			return nil, fmt.Errorf("%s: %w", q.name, err)
		}
		var runs []sample
		var bounds []time.Duration
		var boundReqs []int64
		var choice string
		for range c.Runs {
			s, err := measure(ctx, u, func() error { return cold.ask(ctx, q.text) })
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.name, err)
			}
			runs = append(runs, s)
			if c.Verbose && len(runs) == c.Runs {
				urls, err := u.recent(ctx, s.requests)
				if err != nil {
					return nil, err
				}
				rep.requests = append(rep.requests, fmt.Sprintf("%s: %d upstream requests", q.name, s.requests))
				for _, r := range urls {
					rep.requests = append(rep.requests, "  "+shorten(r, 150))
				}
			}
			b, n, ch, err := u.timeBound(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("%s: bound: %w", q.name, err)
			}
			bounds, boundReqs, choice = append(bounds, b), append(boundReqs, int64(n)), ch
		}
		r := summary(q.name, runs)
		r.bound, r.boundReqs, r.hasBound, r.note = median(bounds), spread(boundReqs), true, choice
		rep.rows = append(rep.rows, r)
	}

	q1 := queries[0].text
	if len(only) > 0 && !only["Q1"] {
		return rep, nil
	}
	if err := cached.ask(ctx, q1); err != nil {
		return nil, fmt.Errorf("Q1 cached: %w", err)
	}
	var runs []sample
	for range c.Runs {
		s, err := measure(ctx, u, func() error { return cached.ask(ctx, q1) })
		if err != nil {
			return nil, fmt.Errorf("Q1 cached: %w", err)
		}
		runs = append(runs, s)
	}
	rep.rows = append(rep.rows, summary("Q1 cached", runs))

	if c.Throughput > 0 {
		for _, t := range []struct {
			name string
			g    *gateway
		}{{"Q1 cold", cold}, {"Q1 cached", cached}} {
			line, err := throughput(ctx, c, u, t.g, q1)
			if err != nil {
				return nil, fmt.Errorf("throughput %s: %w", t.name, err)
			}
			rep.throughput = append(rep.throughput, fmt.Sprintf("%-9s %s", t.name, line))
		}
	}
	return rep, nil
}

// throughput runs c.Concurrency clients asking q for c.Throughput.
func throughput(ctx context.Context, c config, u *upstream, g *gateway, q string) (string, error) {
	var answers atomic.Int64
	var first error
	var once sync.Once
	s, err := measure(ctx, u, func() error {
		deadline := time.Now().Add(c.Throughput)
		var wg sync.WaitGroup
		for range c.Concurrency {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					if err := g.ask(ctx, q); err != nil {
						once.Do(func() { first = err })
						return
					}
					answers.Add(1)
				}
			})
		}
		wg.Wait()
		return first
	})
	if err != nil {
		return "", err
	}
	n := answers.Load()
	if n == 0 {
		return "", fmt.Errorf("no answer in %s", c.Throughput)
	}
	return fmt.Sprintf("%d clients, %s: %d answers, %.1f answers/s, %.2f upstream requests, %.2f CPU-ms, %d allocations, %d goroutines per answer",
		c.Concurrency, c.Throughput, n, float64(n)/s.wall.Seconds(), float64(s.requests)/float64(n),
		float64(s.use.cpu.Microseconds())/1000/float64(n), s.use.allocs/uint64(n), s.use.goroutines/uint64(n)), nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "Graphbox bench: %s\n", r.head)
	fmt.Fprintf(w, "%-10s %11s %9s %11s %9s %7s %8s %9s %11s  %s\n",
		"query", "time", "requests", "bound", "bound req", "ratio", "CPU-ms", "allocs", "goroutines", "bound's last level")
	for _, x := range r.rows {
		bound, breq, ratio := "-", "-", "-"
		if x.hasBound {
			bound, breq = ms(x.bound), x.boundReqs
			if x.bound > 0 {
				ratio = fmt.Sprintf("%.2fx", float64(x.time)/float64(x.bound))
			}
		}
		fmt.Fprintf(w, "%-10s %11s %9s %11s %9s %7s %8.1f %9d %11d  %s\n",
			x.name, ms(x.time), x.reqs, bound, breq, ratio, float64(x.use.cpu.Microseconds())/1000, x.use.allocs, x.use.goroutines, x.note)
	}
	if len(r.throughput) > 0 {
		fmt.Fprintln(w, "throughput:")
		for _, l := range r.throughput {
			fmt.Fprintln(w, "  "+l)
		}
	}
	fmt.Fprintln(w, "CPU-ms, allocs and goroutines are per answer, in the bench's process (the gateway and its client).")
	for _, l := range r.requests {
		fmt.Fprintln(w, l)
	}
}
