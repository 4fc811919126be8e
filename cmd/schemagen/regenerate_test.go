package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRegenerate422 is the path of a NetBox 4.2 user: regenerate from NetBox 4.2.2's document
// (go-netbox's post-processed copy) into a copy of the repository, build the gateway, start it
// on its demo inventory and run a query. It shows that the 4.2 build compiles, binds and
// answers, and that it is 4.2's schema, not the default 4.6 one.
func TestRegenerate422(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a gateway from a regenerated copy of the repository; skipped in -short mode")
	}
	path := filepath.Join(moduleRoot(t), "..", "shared", "netbox", "openapi.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("NetBox 4.2.2's document is not at %s (../shared beside the repository): %v", path, err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the regenerated copy: %v", err)
	}
	dir := t.TempDir()
	copyModule(t, moduleRoot(t), dir)

	var log bytes.Buffer
	if err := run(context.Background(), []string{"-q", "--root", dir, "--openapi", path}, &log); err != nil {
		t.Fatalf("schemagen: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "123 object types") {
		t.Errorf("schemagen on 4.2.2: %s, want 123 object types", log.String())
	}

	bin := filepath.Join(dir, "gateway")
	build := exec.Command(gobin, "build", "-o", bin, "./cmd/gateway")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the 4.2.2 build: %v\n%s", err, out)
	}

	// NetBox 4.2.2 has no __regex: the 4.2.2 build plans contains, starts_with and ends_with
	// without it and refuses regex. That part of TestCaseSensitiveLookups runs only in a build
	// generated from 4.2.2's document, so it runs here, in the copy.
	cs := exec.Command(gobin, "test", "-count=1", "-run", "^TestCaseSensitiveLookups$", "-v", "./cmd/gateway")
	cs.Dir = dir
	out, err := cs.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestCaseSensitiveLookups/NetBox_4.2.2_document") {
		t.Errorf("the 4.2.2 build's case-sensitive lookups: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	gw := exec.CommandContext(ctx, bin, "--demo", "--listen", "127.0.0.1:0")
	gw.Dir = dir
	stdout, err := gw.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	gw.Stderr = io.Discard
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = gw.Process.Kill()
		_ = gw.Wait()
	}()
	addr := ""
	listening := regexp.MustCompile(`listening on (http://\S+/graphql/)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	if addr == "" {
		t.Fatal("the 4.2.2 gateway never said where it listens")
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	query := `{ device_list(pagination: {limit: 3}) { total_count results { name site { name } interfaces { name } } }
	  owner: __type(name: "OwnerType") { name }
	  front_port: __type(name: "FrontPortType") { fields(includeDeprecated: true) { name isDeprecated } } }`
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, addr, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token 0123456789abcdef0123456789abcdef01234567")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Data struct {
			DeviceList struct {
				TotalCount int `json:"total_count"`
				Results    []struct {
					Name       string `json:"name"`
					Site       struct{ Name string }
					Interfaces []struct{ Name string }
				}
			} `json:"device_list"`
			Owner     *struct{ Name string }
			FrontPort struct {
				Fields []struct {
					Name         string
					IsDeprecated bool
				}
			} `json:"front_port"`
		}
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(got.Errors) > 0 {
		t.Fatalf("status %d, errors %s", resp.StatusCode, got.Errors)
	}
	dl := got.Data.DeviceList
	if dl.TotalCount == 0 || len(dl.Results) != 3 || dl.Results[0].Name == "" || dl.Results[0].Site.Name == "" || len(dl.Results[0].Interfaces) == 0 {
		t.Errorf("device_list on the 4.2.2 build: %+v", dl)
	}
	if got.Data.Owner != nil {
		t.Error("OwnerType (NetBox 4.6) is in the 4.2.2 build's schema")
	}
	rearPort := false
	for _, f := range got.Data.FrontPort.Fields {
		if f.Name == "rear_port" {
			rearPort = !f.IsDeprecated // 4.2.2 has it; only a 4.6 build deprecates it
		}
	}
	if !rearPort {
		t.Errorf("FrontPortType.rear_port is missing or deprecated in the 4.2.2 build: %+v", got.Data.FrontPort.Fields)
	}
}

// copyModule copies the repository's files (not .git) into dir.
func copyModule(t *testing.T, root, dir string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy the repository: %v", err)
	}
}
