package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

// simEnv starts this program as the simulator, with a JSON simSpec: the simulator then runs in
// its own process, so the gateway's CPU time and allocations are measured alone.
const simEnv = "GRAPHBOX_BENCH_SIMULATOR"

// upstream is a running simulator.
type upstream struct {
	simInfo
	spec   simSpec
	client *http.Client
	close  func()
}

func startSim(ctx context.Context, c config) (*upstream, error) {
	spec := specOf(c)
	u := &upstream{spec: spec, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	if c.InProcess {
		info, stop, err := listenSim(spec)
		if err != nil {
			return nil, err
		}
		u.simInfo, u.close = info, stop
		return u, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(spec)
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), simEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	// The simulator serves until its stdin closes: it cannot outlive this process.
	u.close = func() { _ = stdin.Close(); _ = cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &u.simInfo)
	}
	if err != nil {
		u.close()
		return nil, fmt.Errorf("start: %w", err)
	}
	return u, nil
}

// listenSim serves a simulator on a loopback port.
func listenSim(spec simSpec) (simInfo, func(), error) {
	opts := spec.options()
	opts.Registry = model.Default()
	sim, err := netboxsim.New(opts)
	if err != nil {
		return simInfo{}, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return simInfo{}, nil, err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	info := simInfo{URL: "http://" + ln.Addr().String(), Devices: sim.Count("Device"),
		Interfaces: sim.Count("Interface"), IPAddresses: sim.Count("IPAddress")}
	return info, func() { _ = srv.Close() }, nil
}

// serveSim is the simulator process: it prints its simInfo and serves until in closes.
func serveSim(spec string, in io.Reader, out io.Writer) error {
	var s simSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		return err
	}
	info, stop, err := listenSim(s)
	if err != nil {
		return err
	}
	defer stop()
	b, _ := json.Marshal(info)
	if _, err := fmt.Fprintf(out, "%s\n", b); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, in)
	return nil
}

// requests is the simulator's request counter.
func (u *upstream) requests(ctx context.Context) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.URL+"/_sim/stats", nil)
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var st struct {
		Requests int64 `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, fmt.Errorf("stats: %w", err)
	}
	return st.Requests, nil
}

// recent is the URLs of the simulator's last n requests.
func (u *upstream) recent(ctx context.Context, n int64) ([]string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.URL+"/_sim/stats", nil)
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var st netboxsim.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	var out []string
	for _, r := range st.Recent[max(0, len(st.Recent)-int(n)):] {
		out = append(out, r.URL)
	}
	return out, nil
}

// get fetches one REST page into out, as the full-read demo token.
func (u *upstream) get(ctx context.Context, pathQuery string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.URL+pathQuery, nil)
	req.Header.Set("Authorization", netboxsim.DemoFullToken)
	resp, err := u.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("GET %s: %d %s", pathQuery, resp.StatusCode, b)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return errors.Join(fmt.Errorf("GET %s", pathQuery), err)
	}
	return nil
}
