package filters

import (
	"math/rand"

	"github.com/graphbox/graphbox/filters/filtertest"
	"github.com/graphbox/graphbox/model"
)

// reference is filtertest's reference evaluator over the test inventory, answering the
// package's Window.
type reference struct {
	*filtertest.Reference
}

func newReference(reg *model.Registry, data dataset) *reference {
	return &reference{&filtertest.Reference{Reg: reg, Data: data, Derived: deviceRegion(data)}}
}

func (r *reference) eval(obj *model.Object, row map[string]any, in map[string]any) (bool, bool) {
	return r.Eval(obj, row, in)
}

// rows answers the window the reference way: filter, sort by the ordering terms then id, slice.
func (r *reference) rows(obj *model.Object, in map[string]any, w Window) ([]int, int) {
	return r.Rows(obj, in, filtertest.Window{Offset: w.Offset, Limit: w.Limit, Ordering: w.Ordering, Search: w.Search})
}

// gen is filtertest's generator over the test registry, where region_id of a device is the one
// derived parameter the reference evaluates; it draws NetBox 4.6.8's forms, and DISTINCT also
// on the types whose filter fields do not list it.
type gen struct {
	*filtertest.Gen
	r *rand.Rand
}

func newGen(r *rand.Rand, reg *model.Registry, data dataset) *gen {
	skip := func(obj *model.Object, ff *model.FilterField) bool {
		p := obj.Filter(ff.Param)
		return p != nil && p.Field == "" && !(obj.Name == "Device" && p.Name == "region_id")
	}
	return &gen{Gen: &filtertest.Gen{R: r, Reg: reg, Data: data, Skip: skip, NetBox46: true, Distinct: true}, r: r}
}

func (g *gen) filter(obj *model.Object, depth int) map[string]any { return g.Filter(obj, depth) }

func (g *gen) window(obj *model.Object) Window {
	w := Window{Offset: g.r.Intn(12), Limit: 1 + g.r.Intn(30)}
	switch g.r.Intn(5) {
	case 1:
		w.Ordering = []string{"name"}
	case 2:
		w.Ordering = []string{"-position", "name"}
	case 3:
		w.Ordering = []string{"-id"}
	}
	if g.r.Intn(6) == 0 {
		w.Limit = 0
	}
	if g.r.Intn(8) == 0 {
		w.Search = pick(g.r, []string{"c", "e", "a"})
	}
	if g.r.Intn(3) == 0 {
		w.Fields = []string{"name"}
	}
	return w
}
