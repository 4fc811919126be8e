package netboxsim

import (
	"fmt"
	"strings"
)

// The data set is generated row by row, and its names follow the rows ("device-7" is row 6).
// NetBox's ids follow the order objects were made in, not their names, so ids are dealt out
// here, after generation, as a seeded permutation of 1..n per table: a list ordered by name (as
// NetBox orders most lists) is then not in id order, and an ordering mistake shows.

// id returns the id of a row.
func (t *table) id(row int) int {
	if t.ids == nil {
		return row + 1
	}
	return int(t.ids[row])
}

// rowOf returns the row of an id, and false for an id no row has.
func (t *table) rowOf(id int) (int, bool) {
	if id < 1 || id > t.n {
		return -1, false
	}
	if t.rows == nil {
		return id - 1, true
	}
	return int(t.rows[id-1]), true
}

// shuffleIDs deals the ids out: every table's ids become a permutation of 1..n drawn from the
// seed. Values that hold an id as a plain number, and displays made from an id, follow.
func (g *generator) shuffleIDs() {
	for _, t := range g.s.tables {
		if t.n < 2 {
			continue
		}
		ids := make([]int32, t.n)
		for r := range ids {
			ids[r] = int32(r + 1)
		}
		// Fisher–Yates with the generator's hash as the source, so a seed gives one data set.
		for i := t.n - 1; i > 0; i-- {
			j := int(g.h(t, -1, i) % uint64(i+1))
			ids[i], ids[j] = ids[j], ids[i]
		}
		t.ids = ids
		t.rows = make([]int32, t.n)
		for r, id := range ids {
			t.rows[id-1] = int32(r)
		}
	}
	// CableTermination.cable is the cable's id as a number (see circuitsAndCables).
	if ct, cables := g.tab("CableTermination"), g.tab("Cable"); ct != nil && cables != nil {
		if c := ct.col("cable"); c != nil && c.kind == colNumber {
			for r := range ct.n {
				if !c.isNull(r) && c.nums[r] >= 1 && int(c.nums[r]) <= cables.n {
					c.nums[r] = float64(cables.id(int(c.nums[r]) - 1))
				}
			}
		}
	}
	// A cable without a label reads "#<id>".
	if t := g.tab("Cable"); t != nil && t.display != nil {
		for r := range t.n {
			if strings.HasPrefix(t.display[r], "#") {
				t.display[r] = fmt.Sprintf("#%d", t.id(r))
			}
		}
	}
}
