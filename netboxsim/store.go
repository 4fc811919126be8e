package netboxsim

import (
	"sync"

	"github.com/graphbox/graphbox/model"
)

// colKind is how one column of a table stores its values.
type colKind uint8

const (
	colString     colKind = iota + 1 // strs, nulls
	colNumber                        // nums, nulls
	colBool                          // bools: -1 null, 0 false, 1 true
	colChoice                        // idx: -1 null, else index into Field.Choices
	colFK                            // idx: -1 null, else row of the related table
	colM2M                           // lists: rows of the related table
	colGeneric                       // gen: one generic object (or null)
	colGenList                       // glists: lists of generic objects (cable terminations)
	colJSON                          // computed: custom_fields, config_context, ...
	colID                            // computed from the row
	colURL                           // computed from the row and the request's host
	colDisplayURL                    // computed from the row and the request's host
	colTimestamp                     // computed from the row: created, last_updated
	colGenType                       // the <x>_type sibling of a generic column
	colGenID                         // the <x>_id sibling of a generic column
	colDisplay                       // table.display
)

// ref points at one row of one table; tab is the table's index in Sim.tables.
type ref struct {
	tab int16
	row int32
}

var noRef = ref{tab: -1, row: -1}

// column holds the values of one field for every row of a table; only the slice of its kind is
// used, so a table costs a few bytes per row and field instead of a map per object.
type column struct {
	f      *model.Field
	kind   colKind
	rel    *table // related table: FK, M2M
	strs   []string
	slists [][]string // lists of strings (CustomField.object_types)
	nums   []float64
	nulls  []bool // for strings and numbers; nil when the column has no nulls
	bools  []int8
	idx    []int32
	lists  [][]int32
	gen    []ref
	glist  [][]ref
	// generic siblings (<x>_type, <x>_id) read the generic column at sib.
	sib   int
	isInt bool // numbers rendered without a fraction

	indexOnce sync.Once
	index     [][]int32       // FK, M2M: related row -> rows of this table
	genIndex  map[ref][]int32 // Generic, GenList: target -> rows of this table
}

func (c *column) isNull(row int) bool { return c.nulls != nil && c.nulls[row] }

func (c *column) setNull(row int, n int) {
	if c.nulls == nil {
		c.nulls = make([]bool, n)
	}
	c.nulls[row] = true
}

// table is the data of one object type.
type table struct {
	pos    int16
	obj    *model.Object
	n      int
	cols   []*column // aligned with obj.Fields
	byName map[string]int
	uiPath string // display_url path, "/dcim/devices/"

	tenant  int // column of the tenant foreign key, or -1
	display []string
	parent  int   // column of a self-referencing "parent" FK (tree types), or -1
	cfs     []int // the custom fields of the type, indexes into customFields
	// peers are the objects at the far end of a cabled row's cable (link_peers,
	// connected_endpoints).
	peers map[int32][]ref

	// ids are the rows' ids and rows the row of each id (ids.go); nil: id = row+1.
	ids, rows []int32
	order     orderCache
}

func (t *table) col(name string) *column {
	if i, ok := t.byName[name]; ok {
		return t.cols[i]
	}
	return nil
}

// buildIndex builds the reverse index of an FK, M2M or generic column once, on first use, so
// start-up stays fast and a filter on a parent costs the number of matches.
func (c *column) buildIndex(n int) {
	c.indexOnce.Do(func() {
		switch c.kind {
		case colFK:
			counts := make([]int32, c.rel.n)
			for _, p := range c.idx {
				if p >= 0 {
					counts[p]++
				}
			}
			c.index = make([][]int32, c.rel.n)
			flat := make([]int32, 0, n)
			for p, k := range counts {
				c.index[p] = flat[len(flat) : len(flat) : len(flat)+int(k)]
				flat = flat[:len(flat)+int(k)]
			}
			for r, p := range c.idx {
				if p >= 0 {
					c.index[p] = append(c.index[p], int32(r))
				}
			}
		case colM2M:
			c.index = make([][]int32, c.rel.n)
			for r, l := range c.lists {
				for _, p := range l {
					c.index[p] = append(c.index[p], int32(r))
				}
			}
		case colGeneric:
			c.genIndex = make(map[ref][]int32)
			for r, g := range c.gen {
				if g.tab >= 0 {
					c.genIndex[g] = append(c.genIndex[g], int32(r))
				}
			}
		case colGenList:
			c.genIndex = make(map[ref][]int32)
			for r, l := range c.glist {
				for _, g := range l {
					c.genIndex[g] = append(c.genIndex[g], int32(r))
				}
			}
		}
	})
}

// children returns the rows whose column points at parent (a row of the related table).
func (c *column) children(n int, parent int32) []int32 {
	c.buildIndex(n)
	if parent < 0 || int(parent) >= len(c.index) {
		return nil
	}
	return c.index[parent]
}

func (c *column) genChildren(n int, target ref) []int32 {
	c.buildIndex(n)
	return c.genIndex[target]
}
