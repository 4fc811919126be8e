package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "tokens")
	if err := os.WriteFile(bad, []byte("root Token 0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"--scale", "-1"},
		{"--error-rate", "0.5", "--error-status", "418"},
		{"--tokens", filepath.Join(dir, "missing")},
		{"--tokens", bad},
		{"--listen", "not-an-address"},
		{"--bogus"},
		{"extra-arg"},
		{"--workers", "-1"},
		{"--cost-value", "-1ms"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if len(model.Default().Objects) == 0 {
				t.Skip("the generated registry is empty")
			}
			if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
				t.Error("run succeeded")
			}
		})
	}
}

func TestRunServes(t *testing.T) {
	if len(model.Default().Objects) == 0 {
		t.Skip("the generated registry is empty")
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--control"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no output")
	}
	first := sc.Text()
	addr := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(first)
	if addr == nil {
		t.Fatalf("first line %q names no address", first)
	}
	var rest strings.Builder
	readAll := make(chan struct{})
	go func() {
		defer close(readAll)
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, addr[1]+"/api/dcim/devices/?limit=2", nil)
	req.Header.Set("Authorization", netboxsim.DemoFullToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	<-readAll
	if !strings.Contains(rest.String(), netboxsim.DemoTenantToken) {
		t.Errorf("the demo tokens are not printed: %q", rest.String())
	}
}

// TestRunCostFlags: a --cost-* flag turns the model on with the calibrated figures for the others.
func TestRunCostFlags(t *testing.T) {
	if len(model.Default().Objects) == 0 {
		t.Skip("the generated registry is empty")
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--cost-request", "3ms", "--workers", "2"}, pw, io.Discard)
		pw.Close()
	}()
	want := netboxsim.CalibratedCost()
	want.Request = 3 * time.Millisecond
	line := fmt.Sprintf("cost model: %+v, workers 2 (0: no bound)", want)
	sc := bufio.NewScanner(pr)
	found := false
	for sc.Scan() {
		if sc.Text() == line {
			found = true
			cancel()
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Errorf("no line %q", line)
	}
}
