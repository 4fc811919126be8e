// Command netboxsim runs the NetBox-compatible inventory simulator on its own, for benchmarks,
// demos and other clients.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "netboxsim:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends; it prints the address and the demo tokens to out.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("netboxsim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	listen := fs.String("listen", "127.0.0.1:8001", "address to listen on")
	scale := fs.Int("scale", 1, "data set scale: 1 gives ~10 sites, 100 devices, 4000 interfaces")
	seed := fs.Int64("seed", 0, "seed of the deterministic data set")
	latency := fs.Duration("latency", 0, "latency added to every /api/ answer")
	jitter := fs.Duration("jitter", 0, "random extra latency, up to this much")
	tokens := fs.String("tokens", "", "file of extra tokens, one \"<profile> <Authorization value>\" a line")
	control := fs.Bool("control", false, "serve /_sim/stats, /_sim/reset and /_sim/faults (no token needed)")
	errRate := fs.Float64("error-rate", 0, "share of /api/ requests answered with --error-status")
	errStatus := fs.Int("error-status", 503, "status of injected errors: 500, 502, 503 or 504")
	rateLimit := fs.Float64("rate-limit-rate", 0, "share of /api/ requests answered 429 with Retry-After")
	resetRate := fs.Float64("reset-rate", 0, "share of /api/ requests whose connection is reset")
	truncRate := fs.Float64("truncate-rate", 0, "share of /api/ answers cut in the middle")
	slowBody := fs.Duration("slow-body", 0, "send every /api/ answer spread over this long")
	faultPath := fs.String("fault-path", "", "limit the injected faults to paths with this prefix")
	workers := fs.Int("workers", 0, "requests served at once, as gunicorn's workers; the others wait (0: no bound)")
	useCost := fs.Bool("cost", false, "hold a worker for what each request costs NetBox (the --cost-* flags; netboxsim/README.md)")
	cal := netboxsim.CalibratedCost()
	cost := cal
	fs.DurationVar(&cost.Request, "cost-request", cal.Request, "cost of every request before any data (implies --cost)")
	fs.DurationVar(&cost.RowFull, "cost-row-full", cal.RowFull, "cost of a row with the full serializer (implies --cost)")
	fs.DurationVar(&cost.RowFields, "cost-row-fields", cal.RowFields, "cost of a row of a fields= subset (implies --cost)")
	fs.DurationVar(&cost.RowBrief, "cost-row-brief", cal.RowBrief, "cost of a brief row (implies --cost)")
	fs.DurationVar(&cost.Value, "cost-value", cal.Value, "cost of a value a relation filter checks (implies --cost)")
	fs.DurationVar(&cost.ValueQuery, "cost-value-query", cal.ValueQuery, "cost of a value a filter runs a query for (implies --cost)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	fs.Visit(func(f *flag.Flag) { *useCost = *useCost || strings.HasPrefix(f.Name, "cost-") })
	if !*useCost {
		cost = netboxsim.Cost{}
	}
	log := slog.New(slog.NewTextHandler(errOut, nil))

	var extra []netboxsim.Token
	if *tokens != "" {
		var err error
		if extra, err = netboxsim.LoadTokens(*tokens); err != nil {
			return err
		}
	}
	var faults netboxsim.Faults
	if *errRate > 0 {
		faults.Error = &netboxsim.ErrorFault{Rate: *errRate, Status: *errStatus, PathPrefix: *faultPath}
	}
	if *rateLimit > 0 {
		faults.RateLimit = &netboxsim.RateLimitFault{Rate: *rateLimit, PathPrefix: *faultPath}
	}
	if *resetRate > 0 {
		faults.Reset = &netboxsim.RateFault{Rate: *resetRate, PathPrefix: *faultPath}
	}
	if *truncRate > 0 {
		faults.Truncate = &netboxsim.RateFault{Rate: *truncRate, PathPrefix: *faultPath}
	}
	if *slowBody > 0 {
		faults.SlowBody = &netboxsim.SlowBodyFault{Duration: netboxsim.Duration(*slowBody), PathPrefix: *faultPath}
	}

	start := time.Now()
	sim, err := netboxsim.New(netboxsim.Options{
		Registry: model.Default(),
		Scale:    *scale,
		Seed:     *seed,
		Latency:  *latency,
		Jitter:   *jitter,
		Control:  *control,
		Tokens:   extra,
		Faults:   &faults,
		Logger:   log,
		Cost:     cost,
		Workers:  *workers,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(out, "netboxsim %s: %d devices, %d interfaces, built in %s, listening on http://%s\n",
		netboxsim.Version, sim.Count("Device"), sim.Count("Interface"), time.Since(start).Round(time.Millisecond), ln.Addr())
	fmt.Fprintln(out, "demo tokens (Authorization header values):")
	for _, t := range netboxsim.DemoTokens() {
		fmt.Fprintf(out, "  %-18s %s\n", t.Profile, t.Header)
	}
	if len(extra) > 0 {
		fmt.Fprintf(out, "  and %d tokens from %s\n", len(extra), *tokens)
	}
	if *useCost || *workers > 0 {
		fmt.Fprintf(out, "cost model: %+v, workers %d (0: no bound)\n", cost, *workers)
	}
	if *control {
		fmt.Fprintln(out, "control endpoints: /_sim/stats, /_sim/reset, /_sim/faults")
	}

	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
