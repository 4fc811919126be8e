package netboxsim

import "strings"

// countOf names the counted type where the field's name does not (NetBox 4.6.8: OwnerGroup's
// member_count counts its owners, related name "members"; VirtualChassis' counts its devices).
var countOf = map[string]string{"OwnerGroup.member_count": "Owner", "VirtualChassis.member_count": "Device"}

// counts makes each <x>_count field count what it names: the rows of type x whose one foreign
// key to the type points at the row (a cable bundle's cable_count, a rack group's rack_count, a
// virtual machine type's virtual_machine_count). On tree types the count includes the
// descendants' rows, as NetBox's cumulative related counts do (a region's site_count). Counts
// whose type the name does not tell, or which several foreign keys could mean, keep their
// generated values.
func (g *generator) counts() {
	for _, t := range g.s.tables {
		for _, c := range t.cols {
			if c.kind != colNumber || c.f.List || !strings.HasSuffix(c.f.Name, "_count") {
				continue
			}
			x := strings.TrimSuffix(c.f.Name, "_count")
			child := g.s.bySnake[x]
			if name, ok := countOf[t.obj.Name+"."+c.f.Name]; ok {
				child = g.s.byName[name]
			}
			if child == nil {
				child = g.s.byLower[strings.ReplaceAll(x, "_", "")]
			}
			if child == nil || child == t {
				continue
			}
			fk := -1
			for ci, cc := range child.cols {
				if cc.kind == colFK && cc.rel == t {
					if fk >= 0 {
						fk = -2
						break
					}
					fk = ci
				}
			}
			if fk < 0 {
				continue
			}
			n := make([]float64, t.n)
			for _, p := range child.cols[fk].idx {
				if p < 0 {
					continue
				}
				n[p]++
				if t.parent < 0 {
					continue
				}
				up := t.cols[t.parent].idx
				for a, hops := up[p], 0; a >= 0 && hops < t.n; a, hops = up[a], hops+1 {
					n[a]++
				}
			}
			for r := range t.n {
				c.nums[r] = n[r]
				if c.nulls != nil {
					c.nulls[r] = false
				}
			}
		}
	}
}
