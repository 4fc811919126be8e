package netboxsim

import (
	"strconv"
	"strings"

	"github.com/graphbox/graphbox/model"
)

// NetBox's records about other objects — object changes, journal entries, contact assignments,
// image attachments and tagged items — point at the object they describe through a content type
// and an id (changed_object_type / changed_object_id, assigned_object_type / assigned_object_id,
// object_type / object_id), and NetBox renders that object nested beside them. The registry
// types the nested object as free-form JSON (NetBox's GraphQL schema names no union for it), so
// the generic fill leaves these columns empty; here they become generic columns filled from
// linkPlans, so that every record names a real object and the objects that matter have a
// change log, journal, contacts and images.

// linkTarget gives per records to every every-th row of the type named model.
type linkTarget struct {
	model      string
	per, every int
}

// linkPlan is how one record type links to the objects it describes.
type linkPlan struct {
	model, field, typeKey, idKey string
	targets                      []linkTarget
}

var linkPlans = []linkPlan{
	{"ObjectChange", "changed_object", "changed_object_type", "changed_object_id", []linkTarget{
		{"Device", 2, 1}, {"Site", 2, 1}, {"Rack", 1, 1}, {"VirtualMachine", 1, 1}, {"Prefix", 1, 1},
		{"Circuit", 1, 1}, {"IPAddress", 1, 4}, {"Interface", 1, 20}}},
	{"JournalEntry", "assigned_object", "assigned_object_type", "assigned_object_id", []linkTarget{
		{"Device", 1, 2}, {"Site", 1, 1}, {"Circuit", 1, 2}, {"VirtualMachine", 1, 5}}},
	{"ContactAssignment", "object", "object_type", "object_id", []linkTarget{
		{"Site", 1, 1}, {"Device", 1, 4}, {"Tenant", 1, 1}, {"Circuit", 1, 4}}},
	{"ImageAttachment", "parent", "object_type", "object_id", []linkTarget{
		{"Rack", 1, 1}, {"Site", 1, 2}, {"DeviceType", 1, 1}, {"Device", 1, 10}}},
	{"TaggedItem", "object", "object_type", "object_id", []linkTarget{
		{"Device", 1, 2}, {"Site", 1, 1}, {"VirtualMachine", 1, 2}, {"Prefix", 1, 1}}},
}

func planFor(name string) *linkPlan {
	for i := range linkPlans {
		if linkPlans[i].model == name {
			return &linkPlans[i]
		}
	}
	return nil
}

// linkRowCount is the number of records of a planned type: one run per target row.
func (g *generator) linkRowCount(o *model.Object) (int, bool) {
	p := planFor(o.Name)
	if p == nil || o.Field(p.field) == nil || o.Field(p.typeKey) == nil || o.Field(p.idKey) == nil {
		return 0, false
	}
	n := 0
	for _, tg := range p.targets {
		if to := g.s.reg.Object(tg.model); to != nil {
			n += (g.rowCount(to) + tg.every - 1) / tg.every * tg.per
		}
	}
	return n, true
}

// linkColumns makes a planned record's nested object a generic column with its two siblings.
func (g *generator) linkColumns(t *table) {
	p := planFor(t.obj.Name)
	if p == nil {
		return
	}
	gi, ok1 := t.byName[p.field]
	ti, ok2 := t.byName[p.typeKey]
	ii, ok3 := t.byName[p.idKey]
	if !ok1 || !ok2 || !ok3 {
		return
	}
	t.cols[gi].kind = colGeneric
	t.cols[ti].kind, t.cols[ti].sib = colGenType, gi
	t.cols[ii].kind, t.cols[ii].sib = colGenID, gi
}

// links fills the planned records, in the order of their plan: the first records of an object
// change log are its creation, the later ones updates. It runs after the displays, whose text
// the change records repeat (object_repr).
func (g *generator) links() {
	g.objectTypes()
	g.owners()
	for _, p := range linkPlans {
		t := g.tab(p.model)
		if t == nil || t.col(p.field) == nil || t.col(p.field).kind != colGeneric {
			continue
		}
		gen := t.col(p.field).gen
		r := 0
		for _, tg := range p.targets {
			target := g.tab(tg.model)
			if target == nil {
				continue
			}
			for row := 0; row < target.n; row += tg.every {
				for k := 0; k < tg.per && r < t.n; k++ {
					gen[r] = ref{tab: target.pos, row: int32(row)}
					g.describe(t, r, k, target, row)
					r++
				}
			}
		}
	}
}

// describe fills what a record says about its object, and who wrote it.
func (g *generator) describe(t *table, r, k int, target *table, row int) {
	switch t.obj.Name {
	case "ObjectChange":
		action := "update"
		if k == 0 {
			action = "create"
		}
		choiceSet(t, "action", r, action)
		strSet(t, "object_repr", r, target.display[row])
		// user_name keeps the user's name as it was; here it is the user's.
		if u := t.col("user"); u != nil && u.kind == colFK && u.idx[r] >= 0 {
			if name := u.rel.col("username"); name != nil && name.kind == colString {
				strSet(t, "user_name", r, name.strs[u.idx[r]])
			}
		}
	case "JournalEntry":
		// created_by is a user's id.
		if users := g.tab("User"); users != nil {
			numSet(t, "created_by", r, float64(1+r%users.n))
		}
	case "TaggedItem":
		// The tag is one the object carries; an untagged object gets the record's tag.
		tags, tag := target.col("tags"), t.col("tag")
		if tags == nil || tags.kind != colM2M || tag == nil || tag.kind != colFK || tag.rel != tags.rel || tags.rel.n == 0 {
			return
		}
		if len(tags.lists[row]) == 0 {
			tags.lists[row] = append(tags.lists[row], int32(r%tags.rel.n))
		}
		tag.idx[r] = tags.lists[row][k%len(tags.lists[row])]
	}
}

// owners gives each NetBox 4.6 owner its people: a user each, and every other owner a group.
func (g *generator) owners() {
	t := g.tab("Owner")
	if t == nil {
		return
	}
	for _, f := range []string{"users", "user_groups"} {
		c := t.col(f)
		if c == nil || c.kind != colM2M || c.rel.n == 0 {
			continue
		}
		for r := range t.n {
			c.lists[r] = nil
			if f == "users" || r%2 == 0 {
				c.lists[r] = []int32{int32(r % c.rel.n)}
			}
		}
	}
}

// componentTypes are NetBox's device components, whose changes it files under their device too
// (ComponentModel.to_objectchange sets related_object).
var componentTypes = map[string]bool{
	"Interface": true, "ConsolePort": true, "ConsoleServerPort": true, "PowerPort": true, "PowerOutlet": true,
	"FrontPort": true, "RearPort": true, "DeviceBay": true, "ModuleBay": true, "InventoryItem": true,
}

// relatedObject is the object a change is also filed under: a component's device.
func (s *Sim) relatedObject(changed ref) (ref, bool) {
	if changed.tab < 0 {
		return noRef, false
	}
	tt := s.tables[changed.tab]
	dev := tt.col("device")
	if !componentTypes[tt.obj.Name] || dev == nil || dev.kind != colFK || dev.idx[changed.row] < 0 {
		return noRef, false
	}
	return ref{tab: dev.rel.pos, row: dev.idx[changed.row]}, true
}

// relatedObjectParam applies object changes' related_object_type and related_object_id, which
// NetBox's REST form of a change does not show.
func (s *Sim) relatedObjectParam(t *table, p *plan, fp *model.FilterParam, k, lookup string, vals []string) (bool, error) {
	gc := t.col("changed_object")
	if t.obj.Name != "ObjectChange" || gc == nil || gc.kind != colGeneric ||
		(fp.Name != "related_object_type" && fp.Name != "related_object_id") || (lookup != "" && lookup != "n") {
		return false, nil
	}
	want := map[string]bool{}
	for _, v := range vals {
		if fp.Name == "related_object_id" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return true, &badRequest{k, "Enter a number."}
			}
			v = strconv.FormatInt(n, 10)
		}
		want[v] = true
	}
	m := func(row int) bool {
		r, ok := s.relatedObject(gc.gen[row])
		if !ok {
			return false
		}
		if fp.Name == "related_object_type" {
			return want[s.tables[r.tab].obj.ContentType]
		}
		return want[strconv.Itoa(s.tables[r.tab].id(int(r.row)))]
	}
	if lookup == "n" {
		p.preds = append(p.preds, func(row int) bool { return !m(row) })
		return true, nil
	}
	p.preds = append(p.preds, m)
	return true, nil
}

// typeIDParam applies <x>_type_id (changed_object_type_id of changes, assigned_object_type_id
// of journal entries): object type ids, matched against the record's <x>_type. The plain
// object_type_id is objectTypeParam's.
func (s *Sim) typeIDParam(t *table, p *plan, fp *model.FilterParam, k, lookup string, vals []string) (bool, error) {
	base, ok := strings.CutSuffix(fp.Name, "_type_id")
	ci, has := t.byName[base+"_type"]
	ot := s.byName["ObjectType"]
	if !ok || base == "object" || !has || ot == nil || (lookup != "" && lookup != "n") ||
		(t.cols[ci].kind != colGenType && t.cols[ci].kind != colString) {
		return false, nil
	}
	rows, _, err := s.lookupRows(k, ot, "id", vals)
	if err != nil {
		return true, err
	}
	s.matchContentTypes(t, p, ci, ot, rows, lookup == "n")
	return true, nil
}
