package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNestedRequestsDeterministic is issue 13's Q2 over the demo inventory, 20 times without
// caches: the same upstream requests every time, as many as the plan says (1 device page with
// the devices' interface_count; the interfaces in groups of devices whose interfaces fit one
// page each; the IP addresses by the cheapest key: the devices' ids spread over the loader's 8
// concurrent requests rather than 20 URL-sized lists of interface ids), explain naming that
// choice, and every device's interfaces and every interface's addresses as REST gives them.
func TestNestedRequestsDeterministic(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	const q = `{ device_list(pagination: {limit: 200}) { results { id name interfaces { id name ip_addresses { address } } } } }`

	// The plan, from REST.
	devices := s.restAll(t, fullToken, "/api/dcim/devices/", nil)
	interfaces := s.restAll(t, fullToken, "/api/dcim/interfaces/", nil)
	addrs := map[string][]string{} // by interface id, in REST's order
	for _, a := range s.restAll(t, fullToken, "/api/ipam/ip-addresses/", nil) {
		if a["assigned_object_type"] == "dcim.interface" {
			id := strconv.Itoa(int(a["assigned_object_id"].(float64)))
			addrs[id] = append(addrs[id], a["address"].(string))
		}
	}
	var ifaceIDs []int
	for _, i := range interfaces {
		id, _ := strconv.Atoi(restID(i))
		ifaceIDs = append(ifaceIDs, id)
	}
	const concurrency, pageSize = 8, 1000
	n := min(len(devices), 200)
	per := (n + concurrency - 1) / concurrency // device ids a request
	ipRequests := (n + per - 1) / per
	if len(addrs) == 0 || len(interfaces) <= pageSize {
		t.Fatalf("%d interfaces, %d with addresses: the demo inventory no longer has the shape this test needs", len(interfaces), len(addrs))
	}
	// The interfaces: the devices (by id) grouped by their interface_count so that each group's
	// interfaces fit one page, read all at once.
	var devIDs []int
	counts := map[int]int{}
	for _, d := range devices {
		id, _ := strconv.Atoi(restID(d))
		devIDs = append(devIDs, id)
		counts[id] = int(d["interface_count"].(float64))
	}
	slices.Sort(devIDs)
	ifaceRequests, sum := 1, 0
	for _, id := range devIDs {
		if sum > 0 && sum+counts[id] > pageSize {
			ifaceRequests, sum = ifaceRequests+1, 0
		}
		sum += counts[id]
	}
	if ifaceRequests > (len(interfaces)+pageSize-1)/pageSize {
		t.Fatalf("the devices' interfaces pack into %d requests, more than paging them: the test's data no longer exercises packing", ifaceRequests)
	}
	want := 1 + ifaceRequests + ipRequests
	byDevice := map[string][]string{} // interface ids by device, in REST's order
	for _, i := range interfaces {
		d := restID(i["device"].(map[string]any))
		byDevice[d] = append(byDevice[d], restID(i))
	}
	// The other key, for the explain line: the interface ids in URL-sized lists.
	byInterface := len(chunkIDs(s.simURL, ifaceIDs))

	var first []string
	for run := range 20 {
		r := s.post(t, fullToken, []byte(`{"query": "`+q+`", "extensions": {"explain": true}}`))
		if len(r.Errors) > 0 {
			t.Fatalf("run %d: errors %+v", run, r.Errors)
		}
		var ex struct {
			Requests []struct{ URL, Cache string }
			KeyPaths []map[string]any `json:"key_paths"`
		}
		if err := json.Unmarshal(r.Extensions["explain"], &ex); err != nil {
			t.Fatal(err)
		}
		var urls []string
		asked := map[string]int{}
		for _, c := range ex.Requests {
			if c.Cache != "miss" {
				t.Errorf("run %d: %s answered by %s with the caches off", run, c.URL, c.Cache)
			}
			urls = append(urls, c.URL)
			path, rawq, _ := strings.Cut(c.URL, "?")
			v, _ := url.ParseQuery(rawq)
			if path == "/api/dcim/devices/" && !strings.Contains(v.Get("fields"), "interface_count") {
				t.Errorf("run %d: the device page does not ask for interface_count: %s", run, c.URL)
			}
			if path == "/api/dcim/interfaces/" && v.Get("offset") != "" {
				t.Errorf("run %d: interfaces read page by page: %s", run, c.URL)
			}
			if path != "/api/ipam/ip-addresses/" {
				continue
			}
			if len(v["interface_id"]) > 0 {
				t.Errorf("run %d: addresses read by interface_id: %s", run, c.URL)
			}
			for _, id := range v["device_id"] {
				asked[id]++
			}
		}
		for id, n := range asked {
			if n > 1 {
				t.Errorf("run %d: device %s's IP addresses asked %d times", run, id, n)
			}
		}
		if len(urls) != want {
			t.Errorf("run %d: %d upstream requests, want the plan's %d", run, len(urls), want)
		}
		if kp := fmt.Sprint(ex.KeyPaths); len(ex.KeyPaths) != 1 || ex.KeyPaths[0]["field"] != "InterfaceType.ip_addresses" ||
			ex.KeyPaths[0]["param"] != "device_id" || ex.KeyPaths[0]["requests"] != float64(ipRequests) ||
			ex.KeyPaths[0]["instead_of"] != "interface_id" || ex.KeyPaths[0]["instead_requests"].(float64) <= float64(ipRequests) ||
			ex.KeyPaths[0]["instead_requests"].(float64) > float64(byInterface) {
			// instead_requests is the fewest requests the interfaces' ids could take, known from
			// the devices' interface_count before the interfaces are read: at most byInterface.
			t.Errorf("run %d: explain key_paths %s, want InterfaceType.ip_addresses by device_id in %d requests instead of interface_id in more, at most %d", run, kp, ipRequests, byInterface)
		}
		slices.Sort(urls)
		if first == nil {
			first = urls
			t.Logf("%d upstream requests; key paths %v", len(urls), ex.KeyPaths)
			sameAddresses(t, r.Data["device_list"], addrs)
			var page struct {
				Results []struct {
					ID         string
					Interfaces []struct{ ID string }
				}
			}
			if err := json.Unmarshal(r.Data["device_list"], &page); err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Results {
				var got []string
				for _, i := range d.Interfaces {
					got = append(got, i.ID)
				}
				if !slices.Equal(got, byDevice[d.ID]) {
					t.Errorf("device %s: interfaces %v, REST %v", d.ID, got, byDevice[d.ID])
				}
			}
			continue
		}
		if !slices.Equal(urls, first) {
			t.Fatalf("run %d made other requests than run 0:\n%d: %v\n%d: %v", run, len(urls), urls, len(first), first)
		}
	}
}

// chunkIDs splits ids into the URL-sized interface_id lists (4,000 characters, upstream base
// included) the gateway would send for the addresses.
func chunkIDs(base string, ids []int) [][]int {
	var out [][]int
	const maxURL = 4000
	fixed := len(base + "/api/ipam/ip-addresses/?fields=address%2Cassigned_object%2Cassigned_object_id%2Cassigned_object_type%2Cid&limit=1000")
	var cur []int
	size := fixed
	for _, id := range ids {
		add := len("&interface_id=") + len(strconv.Itoa(id))
		if len(cur) == 1000 || size+add > maxURL {
			out = append(out, cur)
			cur, size = nil, fixed
		}
		cur = append(cur, id)
		size += add
	}
	return append(out, cur)
}

// TestVMAddressesByVirtualMachine: with short URLs and one request at a time, a virtual machine's
// interfaces' addresses are read by the machines' ids, and are those REST gives by
// vminterface_id.
func TestVMAddressesByVirtualMachine(t *testing.T) {
	s := newStack(t, func(c *Config) {
		c.Cache.TTL = 0
		c.Upstream.MaxURLLength = minURLLength
		c.Upstream.MaxConcurrency = 1
	})
	addrs := map[string][]string{}
	for _, a := range s.restAll(t, fullToken, "/api/ipam/ip-addresses/", nil) {
		if a["assigned_object_type"] == "virtualization.vminterface" {
			id := strconv.Itoa(int(a["assigned_object_id"].(float64)))
			addrs[id] = append(addrs[id], a["address"].(string))
		}
	}
	if len(addrs) == 0 {
		t.Fatal("no VM interface has an address in the demo inventory")
	}
	r := s.post(t, fullToken, []byte(`{"query": "{ virtual_machine_list(pagination: {limit: 1000}) { results { interfaces { id ip_addresses { address } } } } }", "extensions": {"explain": true}}`))
	if len(r.Errors) > 0 {
		t.Fatalf("errors %+v", r.Errors)
	}
	var ex struct {
		KeyPaths []map[string]any `json:"key_paths"`
	}
	if err := json.Unmarshal(r.Extensions["explain"], &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.KeyPaths) != 1 || ex.KeyPaths[0]["field"] != "VMInterfaceType.ip_addresses" || ex.KeyPaths[0]["param"] != "virtual_machine_id" {
		t.Errorf("explain key_paths %v, want VMInterfaceType.ip_addresses by virtual_machine_id", ex.KeyPaths)
	}
	sameAddresses(t, r.Data["virtual_machine_list"], addrs)
}

// sameAddresses wants every interface of a list's results { interfaces { id ip_addresses {
// address } } } to have the addresses REST gives for it (by interface id, in REST's order), and
// some interface to have one.
func sameAddresses(t *testing.T, list json.RawMessage, addrs map[string][]string) {
	t.Helper()
	var page struct {
		Results []struct {
			Interfaces []struct {
				ID          string
				IPAddresses []struct{ Address string } `json:"ip_addresses"`
			}
		}
	}
	if err := json.Unmarshal(list, &page); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, parent := range page.Results {
		for _, i := range parent.Interfaces {
			var got []string
			for _, a := range i.IPAddresses {
				got = append(got, a.Address)
			}
			if !slices.Equal(got, addrs[i.ID]) {
				t.Errorf("interface %s: addresses %v, REST by its id %v", i.ID, got, addrs[i.ID])
			}
			seen += len(got)
		}
	}
	if seen == 0 {
		t.Error("no interface in the answer has an address")
	}
}
