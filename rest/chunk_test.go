package rest

import (
	"net/url"
	"reflect"
	"testing"
)

func TestChunkValues(t *testing.T) {
	cases := []struct {
		name                   string
		fixed, limit, perChunk int
		values                 []string
		want                   [][]string
		ok                     bool
	}{
		// "&id=1" costs 5: 10 + 5 + 5 = 20 fits, a third does not
		{"by length", 10, 20, 0, []string{"1", "2", "3"}, [][]string{{"1", "2"}, {"3"}}, true},
		{"by count", 0, 1000, 2, []string{"1", "2", "3", "4", "5"}, [][]string{{"1", "2"}, {"3", "4"}, {"5"}}, true},
		// "&id=a+b" costs 7, "&id=c%26d" 9: one each within 12
		{"escaped values cost their escaping", 0, 12, 0, []string{"a b", "c&d"}, [][]string{{"a b"}, {"c&d"}}, true},
		{"one value too long", 10, 14, 0, []string{"1"}, nil, false},
		{"no values", 0, 10, 0, nil, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ChunkValues(tc.fixed, tc.limit, "id", tc.values, tc.perChunk)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
			for _, c := range got {
				if n := tc.fixed + len("&"+url.Values{"id": c}.Encode()); n > tc.limit {
					t.Errorf("chunk %v makes %d characters, over %d", c, n, tc.limit)
				}
			}
		})
	}
}
