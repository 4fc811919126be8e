package netboxsim

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/graphbox/graphbox/model"
)

// orderCache is a table's default order, made on first use: NetBox's order of the list when no
// ordering= is given (model.Ordering, from the registry).
type orderCache struct {
	once   sync.Once
	byRank []int32 // rows in the default order
	rank   []int32 // row -> its position in byRank
}

// defaultOrder returns the rows in the list's default order and each row's rank in it.
func (s *Sim) defaultOrder(t *table) (byRank, rank []int32) {
	t.order.once.Do(func() {
		rows := make([]int32, t.n)
		for r := range rows {
			rows[r] = int32(r)
		}
		cmp := s.termsCompare(t, t.obj.Order.Terms)
		if t.obj.Order.Tree && t.parent >= 0 {
			rows = treeOrder(t, rows, cmp)
		} else {
			slices.SortStableFunc(rows, cmp)
		}
		t.order.byRank = rows
		t.order.rank = make([]int32, t.n)
		for i, r := range rows {
			t.order.rank[r] = int32(i)
		}
	})
	return t.order.byRank, t.order.rank
}

// treeOrder lists a tree depth first, each parent before its children, roots and the children
// of one parent in cmp's order: django-mptt's tree_id, lft with order_insertion_by.
func treeOrder(t *table, rows []int32, cmp func(a, b int32) int) []int32 {
	pc := t.cols[t.parent]
	children := make(map[int32][]int32, t.n)
	for _, r := range rows {
		children[pc.idx[r]] = append(children[pc.idx[r]], r) // -1: roots
	}
	for _, kids := range children {
		slices.SortStableFunc(kids, cmp)
	}
	out := make([]int32, 0, t.n)
	var walk func(parent int32)
	walk = func(parent int32) {
		for _, r := range children[parent] {
			out = append(out, r)
			walk(r)
		}
	}
	walk(-1)
	return out
}

// termsCompare compares two rows by the ordering terms, then by id.
func (s *Sim) termsCompare(t *table, terms []model.OrderTerm) func(a, b int32) int {
	type reader struct {
		get  getter
		term model.OrderTerm
	}
	readers := make([]reader, 0, len(terms))
	for _, term := range terms {
		if get := s.pathGetter(t, term.Fields()); get != nil {
			readers = append(readers, reader{get, term})
		}
	}
	var bufA, bufB []val
	return func(a, b int32) int {
		for _, rd := range readers {
			bufA = rd.get(int(a), bufA[:0])
			bufB = rd.get(int(b), bufB[:0])
			if c := compareTerm(rd.term, bufA, bufB); c != 0 {
				return c
			}
		}
		return t.id(int(a)) - t.id(int(b))
	}
}

// pathGetter reads a field through foreign keys ("device.name"); nil when the path leaves the
// table's columns.
func (s *Sim) pathGetter(t *table, path []string) getter {
	ci, ok := t.byName[path[0]]
	if !ok {
		return nil
	}
	c := t.cols[ci]
	if len(path) == 1 {
		if c.kind == colNumber && c.f.List {
			return func(row int, buf []val) []val { // kept as JSON literals (service ports)
				for _, x := range c.slists[row] {
					buf = append(buf, val{s: x})
				}
				return buf
			}
		}
		return s.valuesOf(t, ci, "")
	}
	if c.kind != colFK || c.rel == nil {
		return nil
	}
	sub := s.pathGetter(c.rel, path[1:])
	if sub == nil {
		return nil
	}
	return func(row int, buf []val) []val {
		if p := c.idx[row]; p >= 0 {
			return sub(int(p), buf)
		}
		return buf // a missing related row reads NULL (LEFT OUTER JOIN)
	}
}

// compareTerm compares the values of one term: NULL (no value) last ascending and first
// descending, as PostgreSQL orders, unless the term puts NULL first.
func compareTerm(term model.OrderTerm, a, b []val) int {
	na, nb := len(a) == 0, len(b) == 0
	var c int
	switch {
	case na && nb:
		return 0
	case na || nb:
		c = 1 // NULL after a value
		if nb {
			c = -1
		}
		if term.NullsFirst {
			c = -c
		}
		if term.Desc {
			c = -c
		}
		return c
	}
	switch {
	case term.Collation == model.CollateLowest:
		c = cmp.Compare(lowest(a), lowest(b))
	case a[0].isNum && b[0].isNum:
		c = cmp.Compare(a[0].n, b[0].n)
	default:
		c = term.Collation.CompareText(a[0].str(), b[0].str())
	}
	if term.Desc {
		c = -c
	}
	return c
}

func lowest(vs []val) float64 {
	low := 0.0
	for i, v := range vs {
		n := v.n
		if !v.isNum {
			n, _ = strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		}
		if i == 0 || n < low {
			low = n
		}
	}
	return low
}

// sortByID puts rows in id order (cursor pagination, and the ties of ordering=).
func sortByID(t *table, rows []int32) {
	slices.SortFunc(rows, func(a, b int32) int { return t.id(int(a)) - t.id(int(b)) })
}

// sortDefault puts rows in the list's default order.
func (s *Sim) sortDefault(t *table, rows []int32) {
	_, rank := s.defaultOrder(t)
	slices.SortFunc(rows, func(a, b int32) int { return int(rank[a]) - int(rank[b]) })
}
