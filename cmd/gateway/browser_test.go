package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser the browser test drives (.ci/install-chromium installs it).
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	// Debian's /usr/bin/chromium is a wrapper that adds Google API keys and remote extension
	// updates, which make the browser call accounts.google.com and update.googleapis.com: run
	// the binary itself.
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// refusingProxy is the browser's only way off loopback: it records each request and refuses it.
type refusingProxy struct {
	mu   sync.Mutex
	seen []string
}

func (p *refusingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.Host+r.URL.Path)
	p.mu.Unlock()
	http.Error(w, "no network in this test", http.StatusForbidden)
}

func (p *refusingProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// chromiumOwnHosts are where Chromium's browser process goes on its own, whatever the page.
var chromiumOwnHosts = map[string]bool{"update.googleapis.com": true, "accounts.google.com": true}

// proxiedHost is the host of a request the proxy recorded ("CONNECT host:443", "GET host/path").
func proxiedHost(recorded string) string {
	_, target, _ := strings.Cut(recorded, " ")
	target, _, _ = strings.Cut(target, "/")
	if h, _, err := net.SplitHostPort(target); err == nil {
		return h
	}
	return target
}

// In Debian's Chromium, headless, with no network but loopback: open /graphql/, write a query and
// the Authorization header, run it, and read the answer from the page. Every request the page
// makes goes to the gateway; the token is never written to the browser's storage.
func TestGraphiQLInBrowser(t *testing.T) {
	browser := chromiumPath()
	if browser == "" {
		if os.Getenv("GRAPHBOX_BROWSER_TEST") == "required" {
			t.Fatal("GRAPHBOX_BROWSER_TEST=required but no Chromium is installed (.ci/install-chromium)")
		}
		t.Skip("no Chromium on PATH: run .ci/install-chromium (.ci/run does in CI) or set CHROMIUM")
	}
	s := newStack(t, nil)
	proxy := &refusingProxy{}
	proxySrv := httptest.NewServer(proxy)
	defer proxySrv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-field-trial-config", true),
		chromedp.Flag("no-service-autorun", true),
		chromedp.Flag("disable-component-extensions-with-background-pages", true),
		// The browser's own calls home: network time, autofill, optimization hints, media router.
		chromedp.Flag("disable-features", "Translate,NetworkTimeServiceQuerying,AutofillServerCommunication,"+
			"OptimizationHints,MediaRouter,DialMediaRouteProvider,CertificateTransparencyComponentUpdater"),
		// Everything but loopback goes to the refusing proxy (Chromium never proxies loopback).
		chromedp.ProxyServer(proxySrv.URL),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first action starts the browser, which lives as long as that action's context: no
	// timeout on it (chromedp's rule); the rest run under one.
	if err := chromedp.Do(browserCtx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("cannot start %s: %v", browser, err)
	}
	var mu sync.Mutex
	var urls []string
	if err := chromedp.Listen(browserCtx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancelTimeout()

	const query = `{ device_list(pagination: {limit: 2}) { total_count results { name site { name } } } }`
	headers := fmt.Sprintf(`{"Authorization": %q}`, fullToken)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.gwURL+"/graphql/"),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-query-editor .CodeMirror`)),
		// The Headers tab, then its editor.
		chromedp.Click(chromedp.Search(`//button[normalize-space(text())="Headers"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`)),
		setEditor(`.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`, headers),
		setEditor(`.graphiql-query-editor .CodeMirror`, query),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	answer, err := chromedp.Run(ctx, chromedp.Poll[string](`(function () {
			var cm = document.querySelector('.graphiql-response .CodeMirror');
			var v = cm && cm.CodeMirror.getValue();
			return v && v.indexOf('"data"') >= 0 ? v : null;
		})()`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("no answer on the page: %v", err)
	}
	// The Docs pane shows the schema graphql-js's introspection query read (autocompletion
	// uses the same schema).
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`))); err != nil {
		t.Fatalf("Docs button: %v", err)
	}
	docs, err := chromedp.Run(ctx, chromedp.Poll[string](`(function () {
			var d = document.querySelector('.graphiql-doc-explorer');
			if (!d) return null;
			if (d.innerText.indexOf('device_list') >= 0) return d.innerText;
			// From the root types to the query type's fields.
			var link = Array.prototype.find.call(d.querySelectorAll('a'), function (a) { return a.innerText === 'Query'; });
			if (link) link.click();
			return null;
		})()`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || !strings.Contains(docs, "device_list(") {
		t.Errorf("the Docs pane does not show the query type's fields: %v %.300q", err, docs)
	}
	// Autocompletion: typing in the query editor offers the schema's fields.
	err = chromedp.Do(ctx,
		setEditor(`.graphiql-query-editor .CodeMirror`, "{\n  devi"),
		chromedp.Evaluate[chromedp.Void](`(function () {
			var cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
			cm.focus();
			cm.setCursor(cm.lineCount() - 1, 6);
		})()`),
		chromedp.KeyEvent("c"),
	)
	if err != nil {
		t.Fatalf("typing: %v", err)
	}
	hints, err := chromedp.Run(ctx, chromedp.Poll[string](`(function () {
			var h = document.querySelector('.CodeMirror-hints');
			return h && h.innerText.indexOf('device_list') >= 0 ? h.innerText : null;
		})()`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Errorf("no autocompletion offering device_list: %v", err)
	}
	t.Logf("autocompletion offers: %q", strings.Fields(hints))
	stored, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`JSON.stringify(Object.assign({}, window.localStorage)) + JSON.stringify(Object.assign({}, window.sessionStorage))`))
	if err != nil {
		t.Fatal(err)
	}

	// The page's answer is the gateway's answer.
	var got struct {
		Data struct {
			DeviceList struct {
				TotalCount int `json:"total_count"`
				Results    []struct {
					Name string `json:"name"`
				} `json:"results"`
			} `json:"device_list"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(answer), &got); err != nil {
		t.Fatalf("the page's answer is not JSON: %v\n%s", err, answer)
	}
	direct := s.query(t, fullToken, query)
	var want struct {
		DeviceList struct {
			TotalCount int `json:"total_count"`
		} `json:"device_list"`
	}
	if err := json.Unmarshal(direct.Data["device_list"], &want.DeviceList); err != nil {
		t.Fatal(err)
	}
	if len(got.Errors) > 0 || len(got.Data.DeviceList.Results) != 2 || got.Data.DeviceList.TotalCount != want.DeviceList.TotalCount || want.DeviceList.TotalCount == 0 {
		t.Errorf("the page shows %s; the API answers total_count %d", answer, want.DeviceList.TotalCount)
	}

	if !strings.Contains(stored, "limit: 2") {
		t.Errorf("the query is not in GraphiQL's history: %s", stored)
	}
	secret := strings.Fields(fullToken)[1]
	if strings.Contains(stored, secret) {
		t.Errorf("the token is in the browser's storage: %s", stored)
	}

	base, _ := url.Parse(s.gwURL)
	mu.Lock()
	defer mu.Unlock()
	if len(urls) < 5 {
		t.Errorf("the page made %d requests, want the page, its files and the queries: %v", len(urls), urls)
	}
	for _, u := range urls {
		pu, err := url.Parse(u)
		if err != nil || (pu.Host != base.Host && pu.Scheme != "data") {
			t.Errorf("request to another host: %s", u)
		}
	}
	// Chromium itself still calls home despite the flags (an on-demand component check and a
	// sign-in probe, from the browser process, not the page): the proxy refuses those. Any other
	// host is a request of the page's (a CDN, a font) and fails the test.
	for _, r := range proxy.requests() {
		if host := proxiedHost(r); !chromiumOwnHosts[host] {
			t.Errorf("the browser tried to leave loopback: %s", r)
		}
	}
	t.Logf("%d requests, all to %s", len(urls), base.Host)
}

// setEditor replaces the text of the CodeMirror editor at sel, as typing it would (GraphiQL
// listens to the editor's change events); typing key by key would fight its bracket closing.
func setEditor(sel, text string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(function () {
		var cm = document.querySelector(%q).CodeMirror;
		cm.focus();
		cm.setValue(%q);
		return cm.getValue();
	})()`, sel, text)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		got, err := chromedp.Evaluate[string](js)(ctx, t)
		if err != nil {
			return err
		}
		if got != text {
			return fmt.Errorf("editor %s holds %q, want %q", sel, got, text)
		}
		return nil
	})
}
