// Command gateway serves Graphbox, a read-only GraphQL endpoint over a NetBox-style REST API.
// It reads the configuration, wires the parts (rest → loaders → schema → server) and serves
// until SIGTERM or SIGINT, then shuts down gracefully. With --demo it first starts the built-in
// inventory simulator on a loopback port and points itself at it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/graphbox/graphbox/loaders"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
	"github.com/graphbox/graphbox/rest"
	"github.com/graphbox/graphbox/schema"
	"github.com/graphbox/graphbox/server"
	"github.com/graphbox/graphbox/server/dialect"
)

// version is set at build time: -ldflags "-X main.version=$(git describe --tags --always --dirty)".
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Args[2:], os.Getenv, os.Stderr))
	}
	cfg, err := LoadConfig(os.Args[1:], nil)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Print(err)
		return
	}
	if errors.Is(err, ErrVersion) {
		fmt.Println("graphbox", version)
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gateway: configuration:\n%v\n", err)
		os.Exit(2)
	}
	if limit, ok := memoryLimit(cfg.Cache.MaxBytes, os.Getenv("GOMEMLIMIT")); ok {
		debug.SetMemoryLimit(limit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then shuts down.
func run(ctx context.Context, cfg Config, out io.Writer) error {
	gw, err := start(cfg, cfg.Log.NewLogger(os.Stderr))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Graphbox listening on http://%s/graphql/ (upstream %s)\n", gw.addr, gw.upstream)
	if cfg.Demo {
		fmt.Fprintf(out, "Demo inventory: open http://%s/graphql/ in a browser, or\n", displayAddr(gw.addr))
		fmt.Fprintf(out, "  curl -H 'Authorization: %s' -H 'Content-Type: application/json' \\\n    --data '{\"query\": \"{ device_list(pagination: {limit: 3}) { total_count results { name site { name } } } }\"}' http://%s/graphql/\n",
			netboxsim.DemoFullToken, displayAddr(gw.addr))
		fmt.Fprintln(out, "Demo tokens:")
		for _, t := range netboxsim.DemoTokens() {
			fmt.Fprintf(out, "  %-60s %s\n", t.Header, t.Profile)
		}
	}
	<-ctx.Done()
	return gw.shutdown(cfg.Shutdown)
}

// memoryMargin is what requests in flight may hold besides the cache before the collector works
// harder: a few dozen requests each holding a 1000-row page decoded and its answer.
const memoryMargin = 192 << 20

// memoryLimit is the runtime's soft memory limit: the cache's bound plus memoryMargin, unless
// GOMEMLIMIT (env) sets one. The cache's bytes live long: left to GOGC alone, the heap grows to
// twice them before a collection (a soak with the default 256 MiB cache peaked at 530 MiB).
func memoryLimit(cacheMaxBytes int64, env string) (int64, bool) {
	if env != "" || cacheMaxBytes <= 0 {
		return 0, false
	}
	return cacheMaxBytes + memoryMargin, true
}

// displayAddr makes ":8080" something a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && (host == "" || host == "::" || host == "0.0.0.0") {
		return net.JoinHostPort("localhost", port)
	}
	return addr
}

// gateway is a started gateway: its listener and, in demo mode, the simulator behind it.
type gateway struct {
	addr, upstream string
	srv            *http.Server
	metricsSrv     *http.Server // nil unless metrics.listen is set
	metricsAddr    string
	demo           *http.Server
	ready          *server.Readiness
	log            *slog.Logger
	served         chan error
}

// start wires the parts and starts listening.
func start(cfg Config, logger *slog.Logger) (*gateway, error) {
	reg := model.Default()
	g := &gateway{served: make(chan error, 3), log: logger}
	if cfg.Demo {
		sim, err := netboxsim.New(netboxsim.Options{Registry: reg, Scale: 1, Seed: 1, Control: true, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("demo inventory: %w", err)
		}
		// Loopback only: the simulator's control endpoints need no token.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("demo inventory: %w", err)
		}
		g.demo = &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { g.served <- ignoreClosed(g.demo.Serve(ln)) }()
		cfg.Upstream.URL = "http://" + ln.Addr().String()
	}
	g.upstream = cfg.Upstream.URL

	client, err := rest.New(rest.Options{
		BaseURL:        cfg.Upstream.URL,
		AttemptTimeout: cfg.Upstream.Timeout,
		RetryMax:       cfg.Upstream.RetryMax,
		RetryWaitMin:   cfg.Upstream.RetryWaitMin,
		RetryWaitMax:   cfg.Upstream.RetryWaitMax,
		MaxBodyBytes:   cfg.Upstream.MaxBodyBytes,
		Logger:         logger,
	})
	if err != nil {
		g.closeDemo(context.Background())
		return nil, fmt.Errorf("upstream: %w", err)
	}
	metrics := server.NewMetrics(prometheus.NewRegistry())
	cache := loaders.NewBoundedCache(cfg.Cache.Options())
	metrics.WatchCache(cache)
	gw, err := schema.New(schema.Options{
		Registry: reg,
		Client:   client,
		Cache:    cache,
		Logger:   logger,
		ObserveUpstream: func(c loaders.Call) {
			metrics.ObserveUpstream(c.URL, c.Status, c.Cache, c.Attempts, time.Duration(c.Millis*float64(time.Millisecond)))
		},
		DefaultPageSize:     cfg.Limits.DefaultPageSize,
		MaxPageSize:         cfg.Limits.MaxPageSize,
		MaxUpstreamRequests: cfg.Limits.MaxUpstreamRequests,
		MaxURLLength:        cfg.Upstream.MaxURLLength,
		Concurrency:         cfg.Upstream.MaxConcurrency,
		OverlapLimit:        cfg.Limits.MaxOverlapPairs,
	})
	if err != nil {
		g.closeDemo(context.Background())
		return nil, err
	}
	scfg := cfg.ServerConfig()
	if o, ok := cfg.Cache.ResponseOptions(); ok {
		scfg.ResponseCache = server.NewResponseCache(o)
		metrics.WatchResponseCache(scfg.ResponseCache)
	}
	if cfg.GraphQL.LegacyFilters {
		if scfg.Upgrader, err = dialect.New(schema.SDL()); err == nil {
			scfg.UpgraderV1, err = dialect.New(schema.SDLV1())
		}
		if err != nil {
			g.closeDemo(context.Background())
			return nil, err
		}
	}
	scfg.Metrics, scfg.MetricsElsewhere = metrics, cfg.Metrics.Listen != ""
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		g.closeDemo(context.Background())
		return nil, fmt.Errorf("listen: %w", err)
	}
	if cfg.Metrics.Listen != "" {
		mln, err := net.Listen("tcp", cfg.Metrics.Listen)
		if err != nil {
			ln.Close()
			g.closeDemo(context.Background())
			return nil, fmt.Errorf("metrics.listen: %w", err)
		}
		g.metricsAddr = mln.Addr().String()
		g.metricsSrv = &http.Server{Handler: metrics.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { g.served <- ignoreClosed(g.metricsSrv.Serve(mln)) }()
	}
	// The background readiness check also reads the upstream's NetBox version, at start and
	// at each interval.
	versions := newVersionWatch(reg, logger)
	metrics.WatchUpstreamVersion(versions.Mismatch)
	g.ready = server.NewReadiness(readiness(client, versions), cfg.Ready.Interval, cfg.Ready.Timeout, logger)
	h := server.New(scfg, server.SchemaExecutor(gw), g.ready.Check, logger)
	g.addr = ln.Addr().String()
	g.srv = server.NewHTTPServer(g.addr, h, scfg, logger)
	go func() { g.served <- ignoreClosed(g.srv.Serve(ln)) }()
	return g, nil
}

// shutdown is the SIGTERM sequence: report not ready at once, keep serving for the drain delay
// (load balancers and Kubernetes endpoints stop sending new requests meanwhile), then let the
// requests in flight finish within the timeout.
func (g *gateway) shutdown(s ShutdownConfig) error {
	g.ready.Drain()
	g.log.Info("shutting down: not ready, still serving during the drain delay", "drain_delay", s.DrainDelay)
	time.Sleep(s.DrainDelay)
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
	defer cancel()
	err := g.close(ctx)
	g.log.Info("stopped", "error", err)
	return err
}

// close stops accepting requests, lets those in flight finish, then stops the simulator.
func (g *gateway) close(ctx context.Context) error {
	err := g.srv.Shutdown(ctx)
	if g.metricsSrv != nil {
		_ = g.metricsSrv.Shutdown(ctx)
	}
	g.ready.Close()
	g.closeDemo(ctx)
	return err
}

func (g *gateway) closeDemo(ctx context.Context) {
	if g.demo != nil {
		_ = g.demo.Shutdown(ctx)
	}
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// readiness reports whether the upstream answers /api/status/. Without a caller's token a
// NetBox that requires login answers 403, which still shows it up and answering.
func readiness(client *rest.Client, versions *versionWatch) func(context.Context) error {
	return func(ctx context.Context) error {
		resp, err := client.Get(ctx, "", "/api/status/")
		if resp != nil {
			versions.observe(resp)
		}
		var re *rest.Error
		if errors.As(err, &re) && (re.Status == http.StatusForbidden || re.Status == http.StatusUnauthorized) {
			return nil
		}
		return err
	}
}
