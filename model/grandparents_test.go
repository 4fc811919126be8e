package model

import "testing"

// TestGrandparentsInRegistry: every grandparent filter joins types and parameters the registry
// has: the parent's reverse relation to the child by Param, its foreign key Via to the
// grandparent, and the child's filter GrandParam.
func TestGrandparentsInRegistry(t *testing.T) {
	reg := Default()
	if len(Grandparents()) == 0 {
		t.Fatal("no grandparent filter")
	}
	for _, g := range Grandparents() {
		child, parent := reg.Object(g.Child), reg.Object(g.Parent)
		if child == nil || parent == nil || reg.Object(g.Grand) == nil {
			t.Errorf("%+v: a type is not in the registry", g)
			continue
		}
		found := false
		for _, rev := range parent.Reverse {
			found = found || rev.Child == g.Child && rev.Param == g.Param
		}
		if !found {
			t.Errorf("%+v: %s has no reverse relation to %s by %s", g, g.Parent, g.Child, g.Param)
		}
		if f := parent.Field(g.Via); f == nil || f.Kind != KindForeignKey || f.Related != g.Grand {
			t.Errorf("%+v: %s.%s is not a foreign key to %s", g, g.Parent, g.Via, g.Grand)
		}
		for _, p := range []string{g.Param, g.GrandParam} {
			if child.Filter(p) == nil {
				t.Errorf("%+v: %s's list has no filter %s", g, g.Child, p)
			}
		}
		if GrandparentOf(g.Child, g.Param, g.Parent) == nil {
			t.Errorf("%+v: GrandparentOf does not find it", g)
		}
	}
	if GrandparentOf("IPAddress", "interface_id", "VMInterface") != nil {
		t.Error("GrandparentOf matched another parent type")
	}
}

// TestChildCountsInRegistry: every counter is a field of its parent, which has a reverse
// relation to the child through the child's foreign key.
func TestChildCountsInRegistry(t *testing.T) {
	reg := Default()
	for _, c := range ChildCounts() {
		parent := reg.Object(c.Parent)
		if parent == nil || parent.Field(c.Field) == nil {
			t.Errorf("%+v: %s has no field %s", c, c.Parent, c.Field)
			continue
		}
		found := false
		for _, rev := range parent.Reverse {
			found = found || rev.Child == c.Child && rev.Via == c.Via
		}
		if !found {
			t.Errorf("%+v: %s has no reverse relation to %s through %s", c, c.Parent, c.Child, c.Via)
		}
		if ChildCountOf(c.Parent, c.Child, c.Via) != c.Field {
			t.Errorf("%+v: ChildCountOf does not find it", c)
		}
	}
}
