package model

import (
	"slices"
	"sort"
	"testing"
)

func TestNaturalCompare(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"eth2", "eth10", -1}, {"eth10", "eth2", 1}, {"eth2", "eth2", 0},
		{"a", "b", -1}, {"eth", "eth0", -1}, {"device-100", "device-99", 1}, {"x9y", "x10a", -1},
		{"99999999999999999999", "100000000000000000000", -1},
		// Case decides only between texts otherwise equal, lower case first.
		{"Device-2", "device-10", -1}, {"device-2", "Device-2", -1}, {"B", "a", 1},
		// Equal by value: PostgreSQL's deterministic collation then compares the bytes.
		{"eth02", "eth2", -1},
		// Punctuation before digits before letters.
		{"a-1", "a1", -1}, {"a1", "ab", -1},
	}
	for _, c := range cases {
		if got := NaturalCompare(c.a, c.b); got != c.want {
			t.Errorf("NaturalCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// The keys and the sorted list are NetBox 4.6.8's naturalize_interface facts (see
// ../shared/netbox/natural-ordering.md).
func TestNaturalizeInterface(t *testing.T) {
	keys := map[string]string{
		"Gi1/0/2":     "000100009999" + "9999Gi000002............",
		"Gi1/0/1.100": "000100009999" + "9999Gi000001......000100",
		"Te1/1":       "000199999999" + "9999Te000001............",
		"xe-0/0/1:2":  "000000009999" + "9999xe-000001000002......",
		"eth10":       "999999999999" + "9999eth000010............",
	}
	for name, want := range keys {
		if got := NaturalizeInterface(name, 100); got != want {
			t.Errorf("NaturalizeInterface(%q) = %q, want %q", name, got, want)
		}
	}
	want := []string{"ge-0/0/0.0", "xe-0/0/1:2", "Gi1/0/1", "Gi1/0/1.100", "Gi1/0/2", "Gi1/0/10",
		"GigabitEthernet1/0/1", "Te1/1", "Gi2/0/1", "Po1", "Vlan100", "eth2", "eth10", "mgmt0"}
	got := slices.Clone(want)
	sort.Strings(got) // start from another order
	slices.SortStableFunc(got, CollateInterface.CompareText)
	if !slices.Equal(got, want) {
		t.Errorf("interface order %v, want %v", got, want)
	}
}

func TestInetCompare(t *testing.T) {
	cases := []struct {
		a, b       string
		withLength bool
		want       int
	}{
		{"10.0.0.2/24", "10.0.0.10/24", false, -1},
		{"10.0.0.10/24", "9.0.0.1/8", false, 1},
		{"2001:db8::1/64", "192.168.0.1/24", false, 1}, // IPv4 first
		{"10.0.0.1/24", "10.0.0.1/16", false, 0},       // the host only
		{"10.0.0.0/8", "10.0.0.0/16", true, -1},        // then the prefix length
	}
	for _, c := range cases {
		if got := InetCompare(c.a, c.b, c.withLength); got != c.want {
			t.Errorf("InetCompare(%q, %q, %t) = %d, want %d", c.a, c.b, c.withLength, got, c.want)
		}
	}
}
