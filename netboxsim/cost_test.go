package netboxsim

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestCostPrice(t *testing.T) {
	c := Cost{Request: 20 * time.Millisecond, RowFull: 4 * time.Millisecond, RowFields: 900 * time.Microsecond,
		RowBrief: 100 * time.Microsecond, Value: 200 * time.Microsecond, ValueQuery: 2 * time.Millisecond}
	cases := []struct {
		name string
		w    workload
		want time.Duration
	}{
		{"nothing but the request", workload{}, 20 * time.Millisecond},
		{"full rows", workload{rows: 50, ser: serFull}, 220 * time.Millisecond},
		{"fields= rows", workload{rows: 1000, ser: serFields}, 920 * time.Millisecond},
		{"brief rows", workload{rows: 10, ser: serBrief}, 21 * time.Millisecond},
		{"checked values", workload{values: 225}, 65 * time.Millisecond},
		{"a query per value", workload{queries: 200}, 420 * time.Millisecond},
		{"all at once", workload{rows: 1000, ser: serFields, values: 72, queries: 3}, 20*time.Millisecond + 900*time.Millisecond + 14400*time.Microsecond + 6*time.Millisecond},
	}
	for _, tc := range cases {
		if got := c.price(tc.w); got != tc.want {
			t.Errorf("%s: price(%+v) = %v, want %v", tc.name, tc.w, got, tc.want)
		}
	}
}

// TestCalibratedCost checks the calibration against the figures it was derived from (Cost's
// comment): the 1,000-row interface page, and the 11 requests of the nested query summing to
// the measured cold time less the gateway's own.
func TestCalibratedCost(t *testing.T) {
	c := CalibratedCost()
	page := c.price(workload{rows: 1000, ser: serFields, values: 72})
	if page < 955*time.Millisecond || page > 965*time.Millisecond {
		t.Errorf("1,000-row interface page: %v, want about 960ms", page)
	}
	sum := c.price(workload{rows: 72, ser: serFields}) +
		c.price(workload{rows: 1000, ser: serFields, values: 72}) + c.price(workload{rows: 586, ser: serFields, values: 72})
	for i := range 8 {
		n := 198
		if i < 2 {
			n = 199 // 1,586 interface ids over 8 lookups
		}
		sum += c.price(workload{values: n})
	}
	if sum < 2080*time.Millisecond || sum > 2100*time.Millisecond {
		t.Errorf("the 11 requests: %v, want about 2,090ms (2,112ms less the gateway's 24ms)", sum)
	}
	if err := c.validate(); err != nil {
		t.Error(err)
	}
	if err := (Cost{Value: -1}).validate(); err == nil {
		t.Error("a negative cost validated")
	}
}

// spent records the cost each request was held for, instead of sleeping.
type spent struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *spent) spend(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *spent) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.d
	s.d = nil
	return d
}

func TestCostOfRequests(t *testing.T) {
	// Powers of ten apart, so that a count in the wrong column shows.
	c := Cost{Request: time.Second, RowFull: 10 * time.Millisecond, RowFields: time.Millisecond,
		RowBrief: 100 * time.Microsecond, Value: 10 * time.Microsecond, ValueQuery: time.Microsecond}
	ts := newServer(t, Options{Cost: c})
	rec := &spent{}
	ts.sim.cost.spend = rec.spend
	cases := []struct {
		path           string
		token          string
		ser            serializer
		values, querys int
		wantRows       int // -1: the number of results
	}{
		{"/api/dcim/devices/1/", DemoFullToken, serFull, 0, 0, 1},
		{"/api/dcim/devices/1/?fields=id,name", DemoFullToken, serFields, 0, 0, 1},
		{"/api/dcim/devices/?brief=1&limit=7", DemoFullToken, serBrief, 0, 0, 7},
		{"/api/dcim/devices/?brief=1&fields=id&limit=3", DemoFullToken, serFields, 0, 0, 3},
		{"/api/dcim/interfaces/?device_id=1&device_id=2&device_id=2&fields=id,name&limit=1000", DemoFullToken, serFields, 2, 0, -1},
		{"/api/dcim/devices/?site_id__n=1&status=active&limit=10", DemoFullToken, serFull, 1, 0, -1},
		{"/api/dcim/devices/?tenant_id=null&region_id=1&limit=5", DemoFullToken, serFull, 1, 0, -1},
		{"/api/dcim/devices/?id=1&id=2&id=3", DemoFullToken, serFull, 0, 0, 3},
		{"/api/dcim/devices/?bogus_id=1&limit=1", DemoFullToken, serFull, 0, 0, 1},
		{"/api/ipam/ip-addresses/?interface_id=1&interface_id=5&interface_id=9&fields=id", DemoFullToken, serFields, 3, 0, -1},
		{"/api/ipam/ip-addresses/?device_id=1&device_id=3&limit=1000", DemoFullToken, serFull, 0, 2, -1},
		{"/api/dcim/devices/?site_id=999999", DemoFullToken, serFull, 1, 0, 0}, // 400: checked, refused
		{"/api/dcim/devices/?site_id=1", DemoNoPermToken, serFull, 0, 0, 0},    // 403: no filter ran
		{"/api/status/", DemoFullToken, serFull, 0, 0, 0},
	}
	for _, tc := range cases {
		resp, body := ts.get(t, tc.path, tc.token)
		rows := tc.wantRows
		if rows < 0 {
			var p listPage
			if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", tc.path, resp.StatusCode, body)
			}
			rows = len(p.Results)
			if rows == 0 {
				t.Fatalf("%s: no rows: the case tests nothing", tc.path)
			}
		}
		row := map[serializer]time.Duration{serFull: c.RowFull, serFields: c.RowFields, serBrief: c.RowBrief}[tc.ser]
		want := c.Request + time.Duration(rows)*row + time.Duration(tc.values)*c.Value + time.Duration(tc.querys)*c.ValueQuery
		got := rec.take()
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s (status %d): held %v, want [%v] (%d rows, %d values, %d queries)", tc.path, resp.StatusCode, got, want, rows, tc.values, tc.querys)
		}
	}
}

// gate holds each request's worker until the test releases it.
type gate struct {
	entered chan string
	release chan struct{}
}

func (g *gate) spend(ctx context.Context, _ time.Duration) error {
	g.entered <- "in"
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitWaiting waits until n requests wait for a worker (a condition, not a time limit on speed).
func waitWaiting(t *testing.T, s *Sim, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.cost.waiting.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait for a worker, want %d", s.cost.waiting.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWorkersQueue(t *testing.T) {
	const workers = 2
	ts := newServer(t, Options{Cost: Cost{Request: time.Millisecond}, Workers: workers})
	g := &gate{entered: make(chan string, 10), release: make(chan struct{})}
	ts.sim.cost.spend = g.spend
	done := make(chan int, workers+1)
	for range workers + 1 {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/dcim/sites/?limit=1", nil)
			req.Header.Set("Authorization", DemoFullToken)
			resp, err := ts.Client().Do(req)
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	for range workers {
		<-g.entered
	}
	// The third request waits for a worker: it cannot enter while both are held.
	waitWaiting(t, ts.sim, 1)
	select {
	case <-g.entered:
		t.Fatal("a request entered with every worker held")
	case code := <-done:
		t.Fatalf("a request finished (%d) with every worker held", code)
	default:
	}
	g.release <- struct{}{}
	if code := <-done; code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	<-g.entered // the waiting request took the freed worker
	waitWaiting(t, ts.sim, 0)
	g.release <- struct{}{}
	g.release <- struct{}{}
	for range workers {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
}

func TestWorkersCallerLeaves(t *testing.T) {
	ts := newServer(t, Options{Cost: Cost{Request: time.Millisecond}, Workers: 1})
	g := &gate{entered: make(chan string, 10), release: make(chan struct{})}
	ts.sim.cost.spend = g.spend
	get := func(ctx context.Context) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/api/dcim/sites/?limit=1", nil)
		req.Header.Set("Authorization", DemoFullToken)
		resp, err := ts.Client().Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	first := make(chan int, 1)
	go func() { code, _ := get(context.Background()); first <- code }()
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { _, err := get(ctx); second <- err }()
	waitWaiting(t, ts.sim, 1)
	cancel()
	if err := <-second; err == nil {
		t.Fatal("the canceled request was answered")
	}
	// The server sees the connection close and takes the request out of the queue unserved.
	waitWaiting(t, ts.sim, 0)
	select {
	case <-g.entered:
		t.Fatal("the canceled request took a worker")
	default:
	}
	g.release <- struct{}{}
	if code := <-first; code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// The worker is free again.
	go func() { code, _ := get(context.Background()); first <- code }()
	<-g.entered
	g.release <- struct{}{}
	if code := <-first; code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
}

func TestCostOptions(t *testing.T) {
	for _, opts := range []Options{{Workers: -1}, {Cost: Cost{RowFull: -time.Millisecond}}} {
		opts.Registry = testServer(t).sim.reg
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) succeeded", opts)
		}
	}
}
