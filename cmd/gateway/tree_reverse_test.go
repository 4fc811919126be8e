package main

import (
	"slices"
	"testing"
)

// TestTreeReverseRelations: since NetBox 4.3 a tree's filter (platform_id, role_id, region_id,
// location_id) matches the descendants too. The reverse relations read through it (a region's
// sites, a location's devices and racks, a platform's devices) must still list only the
// children whose own foreign key is the parent, as REST shows them.
func TestTreeReverseRelations(t *testing.T) {
	s := newStack(t, nil)
	cases := []struct{ list, relation, childPath, fk string }{
		{"region_list", "sites", "/api/dcim/sites/", "region"},
		{"location_list", "devices", "/api/dcim/devices/", "location"},
		{"location_list", "racks", "/api/dcim/racks/", "location"},
		{"platform_list", "devices", "/api/dcim/devices/", "platform"},
	}
	for _, c := range cases {
		t.Run(c.list+"."+c.relation, func(t *testing.T) {
			want := map[string][]string{} // parent id -> child ids, from REST
			for _, o := range s.restAll(t, fullToken, c.childPath, nil) {
				if p, ok := o[c.fk].(map[string]any); ok {
					id := restID(p)
					want[id] = append(want[id], restID(o))
				}
			}
			r := s.query(t, fullToken, `{ `+c.list+`(pagination: {limit: 100}) { results { id `+c.relation+`(pagination: {limit: 1000}) { id } } } }`)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			got := decode[struct {
				Results []map[string]any
			}](t, r.Data[c.list]).Results
			nonEmpty, none := 0, 0
			for _, p := range got {
				id := p["id"].(string)
				var ids []string
				for _, ch := range p[c.relation].([]any) {
					ids = append(ids, ch.(map[string]any)["id"].(string))
				}
				slices.Sort(ids)
				w := append([]string(nil), want[id]...)
				slices.Sort(w)
				if !slices.Equal(ids, w) {
					t.Errorf("%s %s: %s %v, REST says %v", c.list, id, c.relation, ids, w)
				}
				if len(ids) > 0 {
					nonEmpty++
				}
				if len(want[id]) == 0 {
					none++ // e.g. root regions, whose sites all sit in child regions
				}
			}
			if nonEmpty == 0 {
				t.Errorf("no %s has %s", c.list, c.relation)
			}
			t.Logf("%d parents, %d with direct children, %d without", len(got), nonEmpty, none)
		})
	}
}
