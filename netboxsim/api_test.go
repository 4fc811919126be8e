package netboxsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

func TestPagination(t *testing.T) {
	ts := testServer(t)
	total := ts.sim.Count("Interface")
	// The list's order, read in pages of 1000: each page below must be a window of it.
	order := ts.allIDs(t, "/api/dcim/interfaces/")
	if len(order) != total {
		t.Fatalf("%d interfaces in the walk, want %d", len(order), total)
	}
	cases := []struct {
		name        string
		query       string
		wantLen     int
		firstAt     int // position of the page's first row in the list
		next, prev  bool
		nextOffset  string
		wantLimitQS string
	}{
		{"default", "", defaultLimit, 0, true, false, "50", "50"},
		{"limit 2", "limit=2", 2, 0, true, false, "2", "2"},
		{"limit 0 is the maximum", "limit=0", maxLimit, 0, true, false, "1000", "1000"},
		{"limit over the maximum is capped", "limit=5000", maxLimit, 0, true, false, "1000", "1000"},
		{"invalid limit is the default", "limit=x", defaultLimit, 0, true, false, "50", "50"},
		{"offset", "limit=10&offset=20", 10, 20, true, true, "30", "10"},
		{"last page", "limit=10&offset=" + itoa(total-5), 5, total - 5, false, true, "", "10"},
		{"offset past the end", "limit=10&offset=" + itoa(total+100), 0, 0, false, true, "", "10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ts.list(t, "/api/dcim/interfaces/?"+c.query)
			if count(t, p) != total {
				t.Errorf("count %d, want %d", count(t, p), total)
			}
			if len(p.Results) != c.wantLen {
				t.Fatalf("%d results, want %d", len(p.Results), c.wantLen)
			}
			if c.wantLen > 0 && !slices.Equal(ids(p), order[c.firstAt:c.firstAt+c.wantLen]) {
				t.Errorf("ids %v, want the list's rows %d to %d: %v", ids(p), c.firstAt, c.firstAt+c.wantLen, order[c.firstAt:c.firstAt+c.wantLen])
			}
			if (p.Next != nil) != c.next || (p.Previous != nil) != c.prev {
				t.Fatalf("next %v previous %v", p.Next, p.Previous)
			}
			for _, link := range []*string{p.Next, p.Previous} {
				if link == nil {
					continue
				}
				u, err := url.Parse(*link)
				if err != nil || u.Scheme != "http" || u.Host != strings.TrimPrefix(ts.URL, "http://") || u.Path != "/api/dcim/interfaces/" {
					t.Errorf("link %q is not an absolute URL of the list", *link)
				}
				if u.Query().Get("limit") != c.wantLimitQS {
					t.Errorf("link %q: limit %q, want %q", *link, u.Query().Get("limit"), c.wantLimitQS)
				}
			}
			if c.next {
				u, _ := url.Parse(*p.Next)
				if u.Query().Get("offset") != c.nextOffset {
					t.Errorf("next %q: offset %q, want %q", *p.Next, u.Query().Get("offset"), c.nextOffset)
				}
			}
		})
	}
	t.Run("next keeps the filters", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/interfaces/?device_id=1&limit=15")
		u, _ := url.Parse(*p.Next)
		if u.Query().Get("device_id") != "1" || u.Query().Get("offset") != "15" {
			t.Errorf("next %q", *p.Next)
		}
		p2 := ts.list(t, strings.TrimPrefix(*p.Next, ts.URL))
		if want := ts.allIDs(t, "/api/dcim/interfaces/?device_id=1"); int(p2.Results[0]["id"].(float64)) != want[15] || p2.Previous == nil {
			t.Errorf("second page starts at %v, previous %v", p2.Results[0]["id"], p2.Previous)
		}
		u, _ = url.Parse(*p2.Previous)
		if u.Query().Has("offset") {
			t.Errorf("previous of the second page %q keeps an offset", *p2.Previous)
		}
	})
	t.Run("walking next visits every row once", func(t *testing.T) {
		seen := map[float64]bool{}
		path := "/api/dcim/sites/?limit=3"
		for path != "" {
			p := ts.list(t, path)
			for _, r := range p.Results {
				if seen[r["id"].(float64)] {
					t.Fatalf("id %v twice", r["id"])
				}
				seen[r["id"].(float64)] = true
			}
			path = ""
			if p.Next != nil {
				path = strings.TrimPrefix(*p.Next, ts.URL)
			}
		}
		if len(seen) != ts.sim.Count("Site") {
			t.Errorf("visited %d sites of %d", len(seen), ts.sim.Count("Site"))
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCursor(t *testing.T) {
	ts := testServer(t)
	p := ts.list(t, "/api/dcim/interfaces/?start=101&limit=10")
	if p.Count != nil {
		t.Errorf("count %v, want null in cursor mode", *p.Count)
	}
	if got := ids(p); len(got) != 10 || got[0] != 101 || got[9] != 110 {
		t.Errorf("ids %v", got)
	}
	if p.Next == nil || p.Previous != nil {
		t.Fatalf("next %v previous %v", p.Next, p.Previous)
	}
	u, _ := url.Parse(*p.Next)
	if u.Query().Get("start") != "111" {
		t.Errorf("next %q, want start=111", *p.Next)
	}
	// With a filter, the cursor skips to the first match at or after start, in id order.
	var want []int
	for _, id := range ts.allIDs(t, "/api/dcim/interfaces/?device_id=2") {
		if id >= 1000 {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	if len(want) == 0 || len(want) == ifacesPerDevice {
		t.Fatalf("device 2 has %d interfaces from id 1000 on; the case proves nothing", len(want))
	}
	p = ts.list(t, "/api/dcim/interfaces/?start=1000&device_id=2&limit=100")
	if got := ids(p); !slices.Equal(got, want) || p.Next != nil {
		t.Errorf("filtered cursor page %v, next %v, want %v", got, p.Next, want)
	}
	// The end of the table.
	total := ts.sim.Count("Interface")
	p = ts.list(t, "/api/dcim/interfaces/?start="+itoa(total-1)+"&limit=10")
	if len(p.Results) != 2 || p.Next != nil {
		t.Errorf("last cursor page: %v next %v", ids(p), p.Next)
	}
	for _, q := range []string{"start=1&offset=5", "start=1&ordering=name", "start=abc"} {
		resp, body := ts.get(t, "/api/dcim/interfaces/?"+q, DemoFullToken)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"start"`) {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestShapes(t *testing.T) {
	ts := testServer(t)
	dev := ts.sim.reg.Object("Device")
	t.Run("full", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/devices/?limit=1")
		var want []string
		for _, f := range dev.Fields {
			want = append(want, f.Name)
		}
		sort.Strings(want)
		if got := keysOf(p.Results[0]); !slices.Equal(got, want) {
			t.Errorf("keys %v, want %v", got, want)
		}
		site := p.Results[0]["site"].(map[string]any)
		wantNested := slices.Clone(dev.Field("site").NestedKeys)
		sort.Strings(wantNested)
		if got := keysOf(site); !slices.Equal(got, wantNested) {
			t.Errorf("nested site keys %v, want %v", got, wantNested)
		}
		status := p.Results[0]["status"].(map[string]any)
		if got := keysOf(status); !slices.Equal(got, []string{"label", "value"}) {
			t.Errorf("status %v", status)
		}
		cf := p.Results[0]["custom_fields"].(map[string]any)
		for _, c := range customFields {
			if _, ok := cf[c.name]; !ok {
				t.Errorf("custom_fields lacks %q: %v", c.name, cf)
			}
		}
	})
	t.Run("brief", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/devices/?limit=1&brief=1")
		want := slices.Clone(dev.Brief)
		sort.Strings(want)
		if got := keysOf(p.Results[0]); !slices.Equal(got, want) {
			t.Errorf("keys %v, want %v", got, want)
		}
		d := ts.get
		resp, body := d(t, "/api/dcim/devices/1/?brief=true", DemoFullToken)
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(body, &m) != nil || !slices.Equal(keysOf(m), want) {
			t.Errorf("brief detail: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("fields", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/devices/?limit=2&fields=id,name,site,nonexistent")
		for _, r := range p.Results {
			if got := keysOf(r); !slices.Equal(got, []string{"id", "name", "site"}) {
				t.Errorf("keys %v", got)
			}
			want := slices.Clone(dev.Field("site").NestedKeys)
			sort.Strings(want)
			if got := keysOf(r["site"].(map[string]any)); !slices.Equal(got, want) {
				t.Errorf("site keys %v, want brief %v", got, want)
			}
		}
	})
	t.Run("exclude", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/devices/?limit=2&exclude=config_context")
		for _, r := range p.Results {
			if _, ok := r["config_context"]; ok || r["name"] == nil || len(r) != len(dev.Fields)-1 {
				t.Errorf("keys %v", keysOf(r))
			}
		}
	})
	t.Run("generic relations", func(t *testing.T) {
		p := ts.list(t, "/api/ipam/ip-addresses/?limit=1")
		r := p.Results[0]
		obj := r["assigned_object"].(map[string]any)
		if r["assigned_object_type"] != "dcim.interface" || obj["id"] != r["assigned_object_id"] {
			t.Errorf("assigned_object_type %v id %v object %v", r["assigned_object_type"], r["assigned_object_id"], obj)
		}
		if _, ok := obj["device"].(map[string]any); !ok {
			t.Errorf("assigned interface lacks its nested device: %v", obj)
		}
		if fam := r["family"].(map[string]any); fam["value"] != 4.0 || fam["label"] != "IPv4" {
			t.Errorf("family %v", fam)
		}
	})
	t.Run("cable terminations", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/cables/?limit=1000")
		var toCircuit, toConsole int
		for _, c := range p.Results {
			for _, side := range []string{"a_terminations", "b_terminations"} {
				terms := c[side].([]any)
				if len(terms) != 1 {
					t.Fatalf("cable %v %s: %v", c["id"], side, terms)
				}
				term := terms[0].(map[string]any)
				obj := term["object"].(map[string]any)
				if term["object_id"] != obj["id"] || term["object_type"] == "" {
					t.Errorf("cable %v %s: %v", c["id"], side, term)
				}
				switch term["object_type"] {
				case "circuits.circuittermination":
					toCircuit++
				case "dcim.consoleport":
					toConsole++
				}
				if cable := obj["cable"]; cable != nil && cable.(map[string]any)["id"] != c["id"] {
					t.Errorf("cable %v: terminating object says cable %v", c["id"], cable)
				}
			}
		}
		if toCircuit == 0 || toConsole == 0 {
			t.Errorf("%d cables end on a circuit termination, %d on a console port", toCircuit, toConsole)
		}
		ifc := ts.list(t, "/api/dcim/interfaces/?cable_id=1")
		if count(t, ifc) != 2 {
			t.Fatalf("cable 1 connects %d interfaces", count(t, ifc))
		}
		a, b := ifc.Results[0], ifc.Results[1]
		for _, e := range [][2]map[string]any{{a, b}, {b, a}} {
			peers := e[0]["link_peers"].([]any)
			if len(peers) != 1 || peers[0].(map[string]any)["id"] != e[1]["id"] || e[0]["link_peers_type"] != "dcim.interface" || e[0]["_occupied"] != true {
				t.Errorf("interface %v: link_peers %v type %v occupied %v", e[0]["id"], peers, e[0]["link_peers_type"], e[0]["_occupied"])
			}
		}
		free := ts.list(t, "/api/dcim/interfaces/?cable_id=null&limit=1").Results[0]
		if len(free["link_peers"].([]any)) != 0 || free["link_peers_type"] != nil || free["connected_endpoints"] != nil || free["_occupied"] != false {
			t.Errorf("uncabled interface %v: %v %v %v", free["id"], free["link_peers"], free["link_peers_type"], free["connected_endpoints"])
		}
	})
}

func TestDataSet(t *testing.T) {
	ts := testServer(t)
	for _, o := range ts.sim.reg.Objects {
		if ts.sim.Count(o.Name) == 0 {
			t.Errorf("%s has no objects", o.Name)
		}
	}
	if n := ts.sim.Count("Site"); n < 8 || n > 15 {
		t.Errorf("%d sites", n)
	}
	if n := ts.sim.Count("Device"); n < 80 || n > 150 {
		t.Errorf("%d devices", n)
	}
	if n := ts.sim.Count("Interface"); n < 3000 || n > 5000 {
		t.Errorf("%d interfaces", n)
	}
	macIface := ""
	for _, r := range ts.list(t, "/api/dcim/mac-addresses/?limit=1000").Results {
		if r["assigned_object_type"] == "dcim.interface" {
			macIface = fmt.Sprint(r["assigned_object_id"])
			break
		}
	}
	checks := []struct{ path, what string }{
		{"/api/dcim/sites/?status=planned", "planned sites"},
		{"/api/dcim/sites/?status=active", "active sites"},
		{"/api/circuits/circuits/?status=active", "active circuits"},
		{"/api/dcim/interfaces/?enabled=true", "enabled interfaces"},
		{"/api/dcim/interfaces/?enabled=false", "disabled interfaces"},
		{"/api/dcim/devices/?tenant=tenant-1", "devices of tenant-1"},
		{"/api/dcim/devices/?tenant_id=null", "devices without a tenant"},
		{"/api/dcim/devices/?tenant_id__n=1", "devices of other tenants"},
		{"/api/ipam/ip-addresses/?family=6", "IPv6 addresses"},
		{"/api/dcim/mac-addresses/?interface_id=" + macIface, "MAC addresses on an interface"},
		{"/api/virtualization/interfaces/?virtual_machine_id=1", "VM interfaces"},
		{"/api/circuits/circuit-terminations/?circuit_id=1", "circuit terminations"},
		{"/api/dcim/cable-terminations/?cable_id=1", "cable terminations"},
	}
	for _, c := range checks {
		if n := count(t, ts.list(t, c.path)); n == 0 {
			t.Errorf("no %s (%s)", c.what, c.path)
		}
	}
	tenants := ts.list(t, "/api/tenancy/tenants/?limit=1")
	if tenants.Results[0]["slug"] != "tenant-1" {
		t.Errorf("first tenant %v", tenants.Results[0]["slug"])
	}
}

func TestDeterminism(t *testing.T) {
	get := func(seed int64) string {
		ts := newServer(t, Options{Seed: seed})
		_, body := ts.get(t, "/api/dcim/devices/?limit=20", DemoFullToken)
		return strings.ReplaceAll(string(body), ts.URL, "")
	}
	a, b, c := get(7), get(7), get(8)
	if a != b {
		t.Error("the same seed gives different data")
	}
	if a == c {
		t.Error("different seeds give the same data")
	}
}

func TestTokens(t *testing.T) {
	ts := testServer(t)
	cases := []struct {
		name, token, path string
		status            int
		detail            string
	}{
		{"full", DemoFullToken, "/api/dcim/devices/", 200, ""},
		{"bearer", DemoFullBearer, "/api/dcim/devices/", 200, ""},
		{"tenant", DemoTenantToken, "/api/dcim/devices/", 200, ""},
		{"no credentials", "", "/api/dcim/devices/", 403, "Authentication credentials were not provided."},
		{"basic auth", "Basic dXNlcjpwYXNz", "/api/dcim/devices/", 403, "Authentication credentials were not provided."},
		{"unknown token", "Token ffffffffffffffffffffffffffffffffffffffff", "/api/dcim/devices/", 403, "Invalid token"},
		{"unknown bearer", "Bearer nbt_x.y", "/api/dcim/devices/", 403, "Invalid token"},
		{"no permission list", DemoNoPermToken, "/api/dcim/devices/", 403, "You do not have permission to perform this action."},
		{"no permission detail", DemoNoPermToken, "/api/dcim/devices/1/", 403, "You do not have permission to perform this action."},
		{"no permission status", DemoNoPermToken, "/api/status/", 200, ""},
		{"status needs a token", "", "/api/status/", 403, "Authentication credentials were not provided."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := ts.get(t, c.path, c.token)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if c.detail != "" {
				var m map[string]string
				if err := json.Unmarshal(body, &m); err != nil || m["detail"] != c.detail {
					t.Errorf("body %s, want detail %q", body, c.detail)
				}
			}
		})
	}
	t.Run("tenant restriction", func(t *testing.T) {
		all := ts.list(t, "/api/dcim/devices/?limit=1000")
		mine := ts.listAs(t, "/api/dcim/devices/?limit=1000", DemoTenantToken)
		var want []int
		var hidden, visibleWithForeignSite int
		for _, r := range all.Results {
			if nestedField(r, "tenant", "slug") == "tenant-1" {
				want = append(want, int(r["id"].(float64)))
			} else if hidden == 0 {
				hidden = int(r["id"].(float64))
			}
		}
		if len(want) == 0 || hidden == 0 || count(t, mine) != len(want) || !slices.Equal(ids(mine), want) {
			t.Fatalf("tenant token sees %v, want %v", ids(mine), want)
		}
		resp, body := ts.get(t, "/api/dcim/devices/"+itoa(hidden)+"/", DemoTenantToken)
		if resp.StatusCode != 404 || !strings.Contains(string(body), "No Device matches the given query.") {
			t.Errorf("hidden device: %d %s", resp.StatusCode, body)
		}
		resp, _ = ts.get(t, "/api/dcim/devices/"+itoa(want[0])+"/", DemoTenantToken)
		if resp.StatusCode != 200 {
			t.Errorf("visible device: %d", resp.StatusCode)
		}
		// Sites of other tenants are hidden from lists, but still nested in visible devices.
		sites := ts.listAs(t, "/api/dcim/sites/?limit=1000", DemoTenantToken)
		visibleSites := map[float64]bool{}
		for _, s := range sites.Results {
			visibleSites[s["id"].(float64)] = true
		}
		for _, d := range mine.Results {
			if !visibleSites[nestedField(d, "site", "id").(float64)] {
				visibleWithForeignSite++
			}
		}
		if visibleWithForeignSite == 0 {
			t.Error("no visible device nests a hidden site; the data set does not exercise the rule")
		}
		// Types without a tenant are fully visible.
		if a, b := count(t, ts.list(t, "/api/dcim/interfaces/")), count(t, ts.listAs(t, "/api/dcim/interfaces/", DemoTenantToken)); a != b {
			t.Errorf("interfaces: %d for full, %d for tenant", a, b)
		}
	})
	t.Run("extra tokens", func(t *testing.T) {
		extra := "Token abcdefabcdefabcdefabcdefabcdefabcdefabcd"
		ts2 := newServer(t, Options{Tokens: []Token{{Header: extra, Profile: NoPermission}}})
		if resp, _ := ts2.get(t, "/api/dcim/sites/", extra); resp.StatusCode != 403 {
			t.Errorf("extra no-permission token: %d", resp.StatusCode)
		}
		if _, err := New(Options{Registry: ts.sim.reg, Tokens: []Token{{Header: "Token short", Profile: FullRead}}}); err == nil {
			t.Error("a malformed token was accepted")
		}
	})
}

func TestRouting(t *testing.T) {
	ts := testServer(t)
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/dcim/devices", 301},
		{"GET", "/api/dcim/nothing/", 404},
		{"GET", "/api/dcim/devices/abc/", 404},
		{"GET", "/api/dcim/devices/0/", 404},
		{"GET", "/elsewhere/", 404},
		{"POST", "/api/dcim/devices/", 405},
		{"DELETE", "/api/dcim/devices/1/", 405},
		{"HEAD", "/api/dcim/devices/1/", 200},
		{"GET", "/api/status/", 200},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
			req.Header.Set("Authorization", DemoFullToken)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status == 301 && resp.Header.Get("Location") != c.path+"/" {
				t.Errorf("Location %q", resp.Header.Get("Location"))
			}
		})
	}
	_, body := ts.get(t, "/api/status/", DemoFullToken)
	var st map[string]any
	// NetBox's own version string (4.6.8), as the gateway's version check reads it.
	if err := json.Unmarshal(body, &st); err != nil || st["netbox-version"] != model.DocumentVersion ||
		strings.Count(model.DocumentVersion, ".") != 2 || strings.ContainsAny(model.DocumentVersion, "-+ ") {
		t.Errorf("status %s", body)
	}
	// NetBox 4.6.8's StatusView keys (4.2's named the apps installed-apps).
	if strings.HasPrefix(model.DocumentVersion, "4.6.") {
		for _, k := range []string{"django-version", "hostname", "installed_apps", "netbox-full-version", "plugins", "python-version", "rq-workers-running"} {
			if _, ok := st[k]; !ok {
				t.Errorf("status lacks %s: %s", k, body)
			}
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without a registry succeeded")
	}
	if _, err := New(Options{Registry: newRegistry()}); err != nil {
		t.Fatalf("small registry: %v", err)
	}
	if _, err := New(Options{Registry: newRegistry(), Scale: -1}); err == nil {
		t.Error("negative scale accepted")
	}
	if _, err := New(Options{Registry: newRegistry(), Faults: &Faults{Error: &ErrorFault{Status: 418}}}); err == nil {
		t.Error("error status 418 accepted")
	}
}

// TestConcurrent runs first-time index builds and lists in parallel; run it with -race.
func TestConcurrent(t *testing.T) {
	ts := newServer(t, Options{Control: true})
	paths := []string{
		"/api/dcim/interfaces/?device_id=3", "/api/ipam/ip-addresses/?device_id=4", "/api/dcim/devices/?site=site-2",
		"/api/dcim/devices/?region_id=2", "/api/dcim/devices/?tag=tag-3&ordering=-name", "/api/dcim/sites/?q=site",
		"/api/ipam/ip-addresses/?interface_id=5", "/api/dcim/cables/?limit=3",
	}
	errs := make(chan string, 64)
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 10 {
				p := paths[(i+j)%len(paths)]
				req, _ := http.NewRequest(http.MethodGet, ts.URL+p, nil)
				req.Header.Set("Authorization", DemoFullToken)
				resp, err := ts.Client().Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- p + ": " + resp.Status
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := ts.sim.Stats().Requests; got != 80 {
		t.Errorf("%d requests counted, want 80", got)
	}
}

// TestScale100 builds the large data set; it runs with NETBOXSIM_SCALE100=1 only, to keep
// `go test` quick (the benchmarks report its build time and heap).
func TestScale100(t *testing.T) {
	if os.Getenv("NETBOXSIM_SCALE100") != "1" {
		t.Skip("set NETBOXSIM_SCALE100=1 to build the scale-100 data set")
	}
	ts := newServer(t, Options{Scale: 100})
	for name, want := range map[string]int{"Site": 1000, "Device": 10000, "Interface": 400000} {
		if got := ts.sim.Count(name); got != want {
			t.Errorf("%s: %d, want %d", name, got, want)
		}
	}
	p := ts.list(t, "/api/dcim/interfaces/?device_id=10000&limit=0")
	if count(t, p) != ifacesPerDevice {
		t.Errorf("device 10000 has %d interfaces", count(t, p))
	}
	p = ts.list(t, "/api/ipam/ip-addresses/?device_id=10000")
	if count(t, p) != ifacesPerDevice/4 {
		t.Errorf("device 10000 has %d IP addresses", count(t, p))
	}
}

// TestOmit follows NetBox 4.6's serializer: omit= drops the named fields from the full form,
// wins over brief=, and loses to fields=; unknown names are ignored.
func TestOmit(t *testing.T) {
	ts := testServer(t)
	full := ts.list(t, "/api/dcim/devices/?limit=1").Results[0]
	cases := []struct {
		query         string
		absent, there []string
	}{
		{"omit=tags,custom_fields,bogus", []string{"tags", "custom_fields"}, []string{"name", "site", "serial", "comments"}},
		{"omit=comments&brief=1", []string{"comments"}, []string{"serial", "tags", "custom_fields"}},
		{"omit=name&fields=id,name", []string{"serial"}, []string{"id", "name"}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			got := ts.list(t, "/api/dcim/devices/?limit=1&"+c.query).Results[0]
			for _, k := range c.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s present", k)
				}
			}
			for _, k := range c.there {
				if _, ok := got[k]; !ok {
					t.Errorf("%s missing", k)
				}
			}
			if c.query == "omit=tags,custom_fields,bogus" && len(got) != len(full)-2 {
				t.Errorf("%d keys, want the full form's %d less 2", len(got), len(full))
			}
		})
	}
}

// TestBriefForms follows NetBox 4.6 (#22154): a nested object drops its related-object counts,
// a top-level ?brief=1 list keeps those its serializer's brief_fields name, and a nested object
// has exactly the keys of the document's Brief component.
func TestBriefForms(t *testing.T) {
	ts := testServer(t)
	top := ts.list(t, "/api/circuits/virtual-circuit-types/?limit=1&brief=1").Results[0]
	if _, ok := top["virtual_circuit_count"]; !ok {
		t.Errorf("top-level brief virtual circuit type lacks virtual_circuit_count: %v", top)
	}
	vc := ts.list(t, "/api/circuits/virtual-circuits/?limit=1").Results[0]
	nested, _ := vc["type"].(map[string]any)
	if nested == nil {
		t.Fatalf("virtual circuit type: %v", vc["type"])
	}
	if _, ok := nested["virtual_circuit_count"]; ok {
		t.Errorf("nested virtual circuit type has virtual_circuit_count: %v", nested)
	}
	f := ts.sim.reg.Object("VirtualCircuit").Field("type")
	if len(nested) != len(f.NestedKeys) {
		t.Errorf("nested keys %v, want %v", keysOf(nested), f.NestedKeys)
	}
	// A count that is a model field (DeviceType.device_count) stays in nested objects.
	dev := ts.list(t, "/api/dcim/devices/?limit=1").Results[0]
	if dt, _ := dev["device_type"].(map[string]any); dt == nil || dt["device_count"] == nil {
		t.Errorf("nested device type: %v", dev["device_type"])
	}
}

// TestPortMappings: a front port maps onto its device's rear port (NetBox 4.5+ port mappings),
// and rear_port_id / front_port_id find the mapped ports.
func TestPortMappings(t *testing.T) {
	ts := testServer(t)
	fps := ts.list(t, "/api/dcim/front-ports/?limit=5").Results
	for _, fp := range fps {
		maps, _ := fp["rear_ports"].([]any)
		if len(maps) != 1 {
			t.Fatalf("front port %v: rear_ports %v", fp["id"], fp["rear_ports"])
		}
		m := maps[0].(map[string]any)
		rid := int(m["rear_port"].(float64))
		rp := ts.list(t, "/api/dcim/rear-ports/?id="+itoa(rid)).Results[0]
		if nestedField(rp, "device", "id") != nestedField(fp, "device", "id") || m["position"] != 1.0 {
			t.Errorf("front port %v maps to rear port %v on another device: %v %v", fp["id"], rid, fp["device"], rp["device"])
		}
		got := ts.list(t, "/api/dcim/front-ports/?rear_port_id="+itoa(rid))
		if count(t, got) != 1 || got.Results[0]["id"] != fp["id"] {
			t.Errorf("rear_port_id=%d: %v", rid, ids(got))
		}
		back := ts.list(t, "/api/dcim/rear-ports/?front_port_id="+itoa(int(fp["id"].(float64))))
		if count(t, back) != 1 || back.Results[0]["id"] != float64(rid) {
			t.Errorf("front_port_id=%v: %v", fp["id"], ids(back))
		}
	}
	all := count(t, ts.list(t, "/api/dcim/front-ports/?limit=1"))
	if n := count(t, ts.list(t, "/api/dcim/front-ports/?limit=1&rear_port_id__n=1")); n != all-1 {
		t.Errorf("rear_port_id__n=1: %d of %d", n, all)
	}
}
