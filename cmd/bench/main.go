// Command bench measures Graphbox against the inventory simulator: it starts the simulator at
// a scale with NetBox's calibrated cost and a bounded worker pool (or a fixed latency), starts
// the gateway in this process against it, and runs the queries of issue 13 (Q1-Q4) and issue 15
// (Q5), each beside its lower bound (the direct REST requests the query needs, timed on the same
// simulator in the same run), then a throughput run. It prints each query's median time,
// upstream requests, ratio to the bound, and CPU time, allocations and goroutines per answer.
//
//	go run ./cmd/bench                          # scale 1, calibrated cost, 4 workers
//	go run ./cmd/bench --scale 100 --latency 20ms
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/graphbox/graphbox/netboxsim"
)

func main() {
	if spec := os.Getenv(simEnv); spec != "" {
		if err := serveSim(spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench simulator:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is one benchmark run's settings.
type config struct {
	Scale       int
	Seed        int64
	Latency     time.Duration // > 0: fixed latency instead of the cost model
	Workers     int
	Cost        netboxsim.Cost
	Runs        int
	Throughput  time.Duration // 0: no throughput run
	Concurrency int
	InProcess   bool   // the simulator in this process (its work then counts in CPU and allocations)
	Verbose     bool   // print the upstream requests of each query's last run
	Only        string // comma-separated query names to run ("": all)
	CPUProfile  string // file for a CPU profile of the whole run
}

func parse(args []string, errOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	var c config
	fs.IntVar(&c.Scale, "scale", 1, "simulator scale: 1 is 100 devices, 4,000 interfaces")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the simulator's data set")
	fs.DurationVar(&c.Latency, "latency", 0, "a fixed upstream latency instead of NetBox's calibrated cost")
	fs.IntVar(&c.Workers, "workers", 4, "simulator workers (gunicorn's); 0: no bound; with --latency the default is 0")
	fs.IntVar(&c.Runs, "runs", 5, "runs of each query (the medians are printed)")
	fs.DurationVar(&c.Throughput, "throughput", 5*time.Second, "length of each throughput run (0: none)")
	fs.IntVar(&c.Concurrency, "concurrency", 8, "clients of the throughput run")
	fs.BoolVar(&c.InProcess, "sim-in-process", false, "run the simulator in this process (its CPU and allocations then count)")
	fs.BoolVar(&c.Verbose, "v", false, "print the upstream requests of each query's last run")
	fs.StringVar(&c.Only, "only", "", "run only these queries (comma-separated names, e.g. Q1,Q2)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run (bounds and throughput included) to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	workersSet := false
	fs.Visit(func(f *flag.Flag) { workersSet = workersSet || f.Name == "workers" })
	switch {
	case c.Latency < 0:
		return c, errors.New("--latency must not be negative")
	case c.Latency > 0 && !workersSet:
		c.Workers = 0
	case c.Latency == 0:
		c.Cost = netboxsim.CalibratedCost()
	}
	if c.Runs < 1 || c.Concurrency < 1 || c.Workers < 0 || c.Throughput < 0 {
		return c, errors.New("--runs and --concurrency must be at least 1, --workers and --throughput not negative")
	}
	return c, nil
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	c, err := parse(args, errOut)
	if err != nil {
		return err
	}
	sim, err := startSim(ctx, c)
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	defer sim.close()
	rep, err := bench(ctx, c, sim)
	if err != nil {
		return err
	}
	rep.print(out)
	return nil
}

// simSpec is what the simulator process is started with (JSON in simEnv).
type simSpec struct {
	Scale   int            `json:"scale"`
	Seed    int64          `json:"seed"`
	Latency time.Duration  `json:"latency"`
	Workers int            `json:"workers"`
	Cost    netboxsim.Cost `json:"cost"`
}

// simInfo is the simulator's first line of output.
type simInfo struct {
	URL         string `json:"url"`
	Devices     int    `json:"devices"`
	Interfaces  int    `json:"interfaces"`
	IPAddresses int    `json:"ip_addresses"`
}

func specOf(c config) simSpec {
	return simSpec{Scale: c.Scale, Seed: c.Seed, Latency: c.Latency, Workers: c.Workers, Cost: c.Cost}
}

func (s simSpec) options() netboxsim.Options {
	return netboxsim.Options{Scale: s.Scale, Seed: s.Seed, Latency: s.Latency, Workers: s.Workers, Cost: s.Cost, Control: true}
}

func (s simSpec) describe() string {
	up := fmt.Sprintf("fixed latency %s", s.Latency)
	if s.Latency == 0 {
		c := s.Cost
		up = fmt.Sprintf("NetBox 4.2.2's calibrated cost (request %s, row: full %s, fields= %s, brief %s; value %s, value query %s)",
			c.Request, c.RowFull, c.RowFields, c.RowBrief, c.Value, c.ValueQuery)
	}
	w := "workers unbounded"
	if s.Workers > 0 {
		w = fmt.Sprintf("%d workers", s.Workers)
	}
	return up + ", " + w
}
