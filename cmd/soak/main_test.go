package main

import (
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"67108864", 64 << 20, true},
		{"64MiB", 64 << 20, true},
		{"512 KiB", 512 << 10, true},
		{"1GiB", 1 << 30, true},
		{"100B", 100, true},
		{"0", 0, false},
		{"-1MiB", 0, false},
		{"64MB", 0, false},
		{"lots", 0, false},
		{"99999999999GiB", 0, false},
	}
	for _, tc := range tests {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parse([]string{"--scale", "2", "--tokens", "3", "--duration", "10s", "--cache-max-bytes", "64MiB"})
	if err != nil {
		t.Fatal(err)
	}
	if o.scale != 2 || o.tokens != 3 || o.duration != 10*time.Second || o.cacheMaxBytes != 64<<20 || o.interval != 5*time.Second {
		t.Errorf("options %+v", o)
	}
	for _, bad := range [][]string{{"--tokens", "0"}, {"--duration", "0s"}, {"--cache-max-bytes", "big"}, {"extra"}} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
