package netboxsim

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// idsFollow fails unless some row's id is below the one before it: a list whose ids follow its
// order would hide an ordering mistake.
func idsFollow(t *testing.T, what string, rows []map[string]any) {
	t.Helper()
	for i := 1; i < len(rows); i++ {
		if rows[i]["id"].(float64) < rows[i-1]["id"].(float64) {
			return
		}
	}
	t.Errorf("%s: the ids follow the order; the data set hides ordering mistakes", what)
}

func names(rows []map[string]any, key string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r[key])
	}
	return out
}

// TestDefaultOrder: lists come in NetBox 4.6.8's default order, not in id order.
func TestDefaultOrder(t *testing.T) {
	ts := testServer(t)

	t.Run("devices by name, naturally", func(t *testing.T) {
		rows := ts.rowsOf(t, "/api/dcim/devices/")
		idsFollow(t, "devices", rows)
		// device-2 before device-10 before device-100: the digits compare by value.
		for i, n := range names(rows, "name") {
			if want := fmt.Sprintf("device-%d", i+1); n != want {
				t.Fatalf("device %d is %s, want %s", i, n, want)
			}
		}
	})

	t.Run("interfaces by device, then naturalize_interface", func(t *testing.T) {
		devices := ts.rowsOf(t, "/api/dcim/devices/")
		rows := ts.rowsOf(t, "/api/dcim/interfaces/")
		idsFollow(t, "interfaces", rows)
		want := []string{"et-0/0/0", "et-0/0/1", "et-0/0/1.100", "et-0/0/2", "et-0/0/3",
			"Gi1/0/1", "Gi1/0/1.100", "Gi1/0/1.200"}
		for k := 2; k <= 24; k++ {
			want = append(want, fmt.Sprintf("Gi1/0/%d", k))
		}
		want = append(want, "Te1/1/1", "Te1/1/2", "Te1/1/3", "Te1/1/4", "Po1", "Po2", "Vlan100", "Vlan200", "mgmt0")
		if len(rows) != len(devices)*len(want) {
			t.Fatalf("%d interfaces for %d devices, want %d each", len(rows), len(devices), len(want))
		}
		for d, dev := range devices {
			block := rows[d*len(want) : (d+1)*len(want)]
			for _, r := range block {
				if nestedField(r, "device", "id") != dev["id"] {
					t.Fatalf("interface %v of device %v is among device %v's (%s)", r["id"], nestedField(r, "device", "id"), dev["id"], dev["name"])
				}
			}
			if got := names(block, "name"); !slices.Equal(got, want) {
				t.Fatalf("interfaces of %s: %v, want %v", dev["name"], got, want)
			}
		}
		// One device's interfaces alone keep the order.
		first := ts.rowsOf(t, "/api/dcim/interfaces/?device_id="+fmt.Sprint(devices[0]["id"]))
		if got := names(first, "name"); !slices.Equal(got, want) {
			t.Errorf("device_id filter: %v, want %v", got, want)
		}
	})

	t.Run("regions in tree order", func(t *testing.T) {
		rows := ts.rowsOf(t, "/api/dcim/regions/")
		idsFollow(t, "regions", rows)
		// Depth first, each parent before its children; roots and siblings by name.
		children := map[string][]map[string]any{}
		for _, r := range rows {
			parent := "root"
			if p, ok := r["parent"].(map[string]any); ok {
				parent = fmt.Sprint(p["id"])
			}
			children[parent] = append(children[parent], r)
		}
		var want []string
		var walk func(string)
		walk = func(parent string) {
			kids := slices.Clone(children[parent])
			sort.SliceStable(kids, func(i, j int) bool { return kids[i]["name"].(string) < kids[j]["name"].(string) })
			for _, k := range kids {
				want = append(want, k["name"].(string))
				walk(fmt.Sprint(k["id"]))
			}
		}
		walk("root")
		got := names(rows, "name")
		if !slices.Equal(got, want) {
			t.Errorf("regions %v, want %v", got, want)
		}
		if len(children) < 3 || slices.IsSorted(got) {
			t.Errorf("regions %v: the tree order should differ from the name order", got)
		}
	})

	t.Run("IP addresses by host address, then id", func(t *testing.T) {
		rows := ts.rowsOf(t, "/api/ipam/ip-addresses/")
		idsFollow(t, "IP addresses", rows)
		addrs := names(rows, "address")
		// 10.0.0.2 before 10.0.0.10 (by value, not text), IPv4 before IPv6.
		if want := []string{"10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24"}; !slices.Equal(addrs[:3], want) {
			t.Errorf("first addresses %v, want %v", addrs[:3], want)
		}
		if i, j := slices.Index(addrs, "10.0.0.9/24"), slices.Index(addrs, "10.0.0.10/24"); i < 0 || j != i+1 {
			t.Errorf("10.0.0.9/24 at %d, 10.0.0.10/24 at %d", i, j)
		}
		seen6 := false
		for _, a := range addrs {
			if strings.Contains(a, ":") {
				seen6 = true
			} else if seen6 {
				t.Fatalf("IPv4 %s after an IPv6 address", a)
			}
		}
		if !seen6 {
			t.Error("no IPv6 address; the case proves nothing")
		}
	})

	t.Run("ordering= replaces the default order", func(t *testing.T) {
		p := ts.list(t, "/api/dcim/devices/?ordering=id&limit=5")
		if got := ids(p); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
			t.Errorf("ordering=id: %v", got)
		}
		p = ts.list(t, "/api/dcim/devices/?ordering=-name&limit=2")
		if got := names(p.Results, "name"); !slices.Equal(got, []string{"device-" + strconv.Itoa(ts.sim.Count("Device")), "device-" + strconv.Itoa(ts.sim.Count("Device")-1)}) {
			t.Errorf("ordering=-name: %v", got)
		}
	})
}
