// Command soak holds the gateway under sustained load and prints its resident memory over time:
// it starts the simulator in this process and the gateway as a separate process (built with go
// build into a temporary directory, so its memory is its own), then has several full-read tokens
// read distinct 1000-row interface_list pages until the duration ends. Everything runs on
// loopback. It is not part of the tests; see the README.
//
//	go run ./cmd/soak --scale 20 --tokens 4 --duration 2m [--cache-max-bytes 64MiB]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// pageSize is NetBox's MAX_PAGE_SIZE: every read is one whole upstream page.
const pageSize = 1000

// query reads one page of interfaces with the scalar fields a dashboard would, and the device's
// name (from the nested object: no extra upstream request).
const query = `query($offset: Int!) { interface_list(pagination: {offset: $offset, limit: 1000}) { total_count results {
  id display name label type enabled mtu mac_address speed duplex wwn mgmt_only description mode
  mark_connected cable_end created last_updated custom_fields device { id name } } } }`

type options struct {
	scale         int
	tokens        int
	duration      time.Duration
	interval      time.Duration
	cacheMaxBytes int64
	gateway       string
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.IntVar(&o.scale, "scale", 20, "simulator scale (1 gives ~4000 interfaces, 20 ~80000)")
	fs.IntVar(&o.tokens, "tokens", 4, "full-read tokens, each reading its own sequence of pages")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "how long to load the gateway")
	fs.DurationVar(&o.interval, "interval", 5*time.Second, "time between two memory samples")
	maxBytes := fs.String("cache-max-bytes", "", "the gateway's cache.max_bytes, e.g. 64MiB (default: the gateway's)")
	fs.StringVar(&o.gateway, "gateway", "", "a gateway binary to run instead of building ./cmd/gateway")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.scale < 1 || o.tokens < 1 || o.duration <= 0 || o.interval <= 0 {
		return o, errors.New("--scale and --tokens must be at least 1, --duration and --interval positive")
	}
	if *maxBytes != "" {
		n, err := parseSize(*maxBytes)
		if err != nil {
			return o, fmt.Errorf("--cache-max-bytes: %w", err)
		}
		o.cacheMaxBytes = n
	}
	return o, nil
}

// parseSize reads "67108864", "64MiB", "512KiB" or "1GiB".
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (write e.g. 67108864, 64MiB, 1GiB)", s)
	}
	return n * mult, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	tokens := make([]netboxsim.Token, o.tokens)
	for i := range tokens {
		tokens[i] = netboxsim.Token{Header: fmt.Sprintf("Token %040x", 0x50a4000+i), Profile: netboxsim.FullRead}
	}
	start := time.Now()
	sim, err := netboxsim.New(netboxsim.Options{Registry: model.Default(), Scale: o.scale, Tokens: tokens,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	simSrv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go simSrv.Serve(simLn)
	defer simSrv.Close()
	ifaces := sim.Count("Interface")
	fmt.Fprintf(out, "simulator: scale %d, %d interfaces (%d pages of %d), built in %s, on %s\n",
		o.scale, ifaces, (ifaces+pageSize-1)/pageSize, pageSize, time.Since(start).Round(time.Millisecond), simLn.Addr())

	bin := o.gateway
	if bin == "" {
		dir, err := os.MkdirTemp("", "soak")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "graphbox")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/graphbox/graphbox/cmd/gateway")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/gateway: %w", err)
		}
	}
	gwAddr, err := freePort()
	if err != nil {
		return err
	}
	gw := exec.Command(bin)
	gw.Env = append(os.Environ(), "GATEWAY_UPSTREAM_URL=http://"+simLn.Addr().String(), "GATEWAY_LISTEN="+gwAddr,
		"GATEWAY_LOG_LEVEL=warn")
	if o.cacheMaxBytes > 0 {
		gw.Env = append(gw.Env, fmt.Sprintf("GATEWAY_CACHE_MAX_BYTES=%d", o.cacheMaxBytes))
	}
	gw.Stdout, gw.Stderr = os.Stderr, os.Stderr
	if err := gw.Start(); err != nil {
		return err
	}
	defer func() {
		_ = gw.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = gw.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = gw.Process.Kill()
			<-done
		}
	}()
	base := "http://" + gwAddr
	if err := waitHealthy(ctx, base, 30*time.Second); err != nil {
		return err
	}
	cache := "the gateway's default"
	if o.cacheMaxBytes > 0 {
		cache = fmt.Sprintf("%d bytes (%.0f MiB)", o.cacheMaxBytes, float64(o.cacheMaxBytes)/(1<<20))
	}
	rss0, _ := rssOf(gw.Process.Pid)
	fmt.Fprintf(out, "gateway: pid %d on %s, cache.max_bytes %s, resident %s at start\n", gw.Process.Pid, gwAddr, cache, mib(rss0))
	fmt.Fprintf(out, "load: %d tokens reading distinct %d-row interface_list pages for %s\n", o.tokens, pageSize, o.duration)

	loadCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var reqs, fails, bytesIn atomic.Int64
	var wg sync.WaitGroup
	pages := (ifaces + pageSize - 1) / pageSize
	client := &http.Client{Timeout: time.Minute}
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each token starts elsewhere in the list and walks all of it: every read is a
			// page this token has not read within the cache's TTL, until the list wraps.
			for n := 0; loadCtx.Err() == nil; n++ {
				offset := ((i*pages/len(tokens) + n) % pages) * pageSize
				size, err := read(loadCtx, client, base, tok.Header, offset)
				if loadCtx.Err() != nil {
					return
				}
				reqs.Add(1)
				bytesIn.Add(size)
				if err != nil {
					if fails.Add(1) <= 3 {
						fmt.Fprintf(out, "  read of offset %d: %v\n", offset, err)
					}
				}
			}
		}()
	}

	var peak int64
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	loadStart := time.Now()
	sample := func() {
		rss, err := rssOf(gw.Process.Pid)
		if err != nil {
			fmt.Fprintf(out, "  rss: %v\n", err)
			return
		}
		peak = max(peak, rss)
		line := fmt.Sprintf("t=%4.0fs rss=%s peak=%s reads=%d failed=%d", time.Since(loadStart).Seconds(), mib(rss), mib(peak), reqs.Load(), fails.Load())
		if m := cacheMetrics(base); m != "" {
			line += " " + m
		}
		fmt.Fprintln(out, line)
	}
	sample()
loop:
	for {
		select {
		case <-loadCtx.Done():
			break loop
		case <-tick.C:
			sample()
		}
	}
	wg.Wait()
	sample()
	secs := time.Since(loadStart).Seconds()
	fmt.Fprintf(out, "done: %d reads (%.1f/s, %.0f MiB of answers), %d failed; peak resident %s\n",
		reqs.Load(), float64(reqs.Load())/secs, float64(bytesIn.Load())/(1<<20), fails.Load(), mib(peak))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// read posts the page query for offset and returns the answer's size; an answer with errors or
// without a full page is an error.
func read(ctx context.Context, c *http.Client, base, auth string, offset int) (int64, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"offset": offset}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql/", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var answer struct {
		Data struct {
			InterfaceList struct {
				Results []json.RawMessage `json:"results"`
			} `json:"interface_list"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	cr := &countingReader{r: resp.Body}
	if err := json.NewDecoder(cr).Decode(&answer); err != nil {
		return cr.n, fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || len(answer.Errors) > 0 {
		msg := ""
		if len(answer.Errors) > 0 {
			msg = answer.Errors[0].Message
		}
		return cr.n, fmt.Errorf("HTTP %d: %d errors, first: %s", resp.StatusCode, len(answer.Errors), msg)
	}
	if len(answer.Data.InterfaceList.Results) == 0 {
		return cr.n, errors.New("empty page")
	}
	return cr.n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// rssOf reads VmRSS of a process from /proc (Linux).
func rssOf(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmRSS %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

// cacheMetrics returns the gateway's cache gauges from /metrics, when it exports any
// (graphbox_cache_*), as "name=value" pairs.
func cacheMetrics(base string) string {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var parts []string
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "graphbox_cache_") {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(value, 64); err == nil && strings.Contains(name, "bytes") {
			value = mib(int64(f))
		}
		parts = append(parts, strings.TrimPrefix(name, "graphbox_")+"="+value)
	}
	return strings.Join(parts, " ")
}

func waitHealthy(ctx context.Context, base string, within time.Duration) error {
	deadline := time.Now().Add(within)
	c := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		if resp, err := c.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("the gateway did not answer /healthz within %s", within)
}

// freePort picks a loopback address nothing listens on.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func mib(n int64) string { return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20)) }
