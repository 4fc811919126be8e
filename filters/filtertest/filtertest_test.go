package filtertest

import (
	"math/rand"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// tiny is one type with a nullable string, an integer choice, a date-time and a self relation.
func tiny() (*model.Registry, Dataset) {
	obj := &model.Object{Name: "Thing", Path: "/api/things/",
		Fields: []model.Field{{Name: "id", Kind: model.KindScalar}, {Name: "name", Kind: model.KindScalar, Nullable: true},
			{Name: "family", Kind: model.KindChoice, ChoiceObject: true, Choices: []model.Choice{{Value: "4", Enum: "FAMILY_4"}, {Value: "6", Enum: "FAMILY_6"}}},
			{Name: "created", Kind: model.KindScalar}, {Name: "parent", Kind: model.KindForeignKey, Related: "Thing", Nullable: true}},
		Filters: []model.FilterParam{
			{Name: "id", Type: model.ParamInt, Exact: true, Lookups: []string{"gt", "n"}, Field: "id"},
			{Name: "name", Type: model.ParamString, Exact: true, Lookups: []string{"ic", "regex"}, Field: "name"},
			{Name: "family", Type: model.ParamChoice, Exact: true, Field: "family"},
			{Name: "created", Type: model.ParamDateTime, Exact: true, Lookups: []string{"gt", "lte"}, Field: "created"},
			{Name: "parent_id", Type: model.ParamInt, Exact: true, Field: "parent", Related: "Thing", RelatedKey: "id"},
		},
		FilterFields: []model.FilterField{
			{Name: "id", Kind: model.FilterLookup, Input: "IDFilterLookup", Param: "id", Field: "id"},
			{Name: "name", Kind: model.FilterLookup, Input: "StrFilterLookup", Param: "name", Field: "name"},
			{Name: "family", Kind: model.FilterChoice, Input: "ThingFamilyEnum", Param: "family", Field: "family"},
			{Name: "created", Kind: model.FilterLookup, Input: "DateTimeFilterLookup", Param: "created", Field: "created"},
			{Name: "parent", Kind: model.FilterRelated, Input: "ThingFilter", Param: "parent_id", Field: "parent", Related: "Thing"},
		}}
	fam := func(v float64) map[string]any { return map[string]any{"value": v, "label": "IPv"} }
	data := Dataset{"Thing": {
		{"id": 1.0, "name": "Core.1", "family": fam(4), "created": "2025-01-01T00:00:00.000000Z", "parent": nil},
		{"id": 2.0, "name": nil, "family": fam(6), "created": "2025-01-02T12:00:00.000000Z", "parent": map[string]any{"id": 1.0}},
		{"id": 3.0, "name": "", "family": fam(4), "created": "2025-01-03T00:00:00.000000Z", "parent": map[string]any{"id": 2.0}},
	}}
	return model.NewRegistry([]*model.Object{obj}, nil), data
}

// m builds an input object from keys and values.
func m(kv ...any) map[string]any {
	out := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestReferenceRows(t *testing.T) {
	reg, data := tiny()
	obj := reg.Object("Thing")
	ref := &Reference{Reg: reg, Data: data}
	checkRows(t, ref, obj, []rowCase{
		{"empty filter", m(), []int{1, 2, 3}},
		{"NULL fails a lookup", m("name", m("i_contains", "")), []int{1, 3}},
		{"is_null", m("name", m("is_null", true)), []int{2}},
		{"NOT includes the NULL row, as Django's exclude does", m("NOT", m("name", m("exact", "Core.1"))), []int{2, 3}},
		{"contains is literal and case-sensitive", m("name", m("contains", "e.1")), []int{1}},
		{"i_contains folds case", m("name", m("i_contains", "CORE")), []int{1}},
		{"integer choice by enum", m("family", "FAMILY_4"), []int{1, 3}},
		{"choice list", m("family", []any{"FAMILY_6"}), []int{2}},
		{"date-times compare as instants", m("created", m("exact", "2025-01-01T00:00:00Z")), []int{1}},
		{"a bare date is midnight", m("created", m("gt", "2025-01-02")), []int{2, 3}},
		{"range", m("created", m("range", m("start", "2025-01-02", "end", "2025-01-03"))), []int{2, 3}},
		{"OR is applied last", m("id", m("gt", "2"), "OR", m("id", m("exact", "1"))), []int{1, 3}},
		{"related: a missing parent is a row of NULLs", m("parent", m("name", m("is_null", true))), []int{1, 3}},
		{"related two levels", m("parent", m("parent", m("id", m("exact", "1")))), []int{3}},
		{"empty NOT constrains nothing", m("NOT", m()), []int{1, 2, 3}},
	})
	got, total := ref.Rows(obj, map[string]any{}, Window{Offset: 1, Limit: 1, Ordering: []string{"-id"}})
	if !reflect.DeepEqual(got, []int{2}) || total != 3 {
		t.Errorf("window: got %v (total %d), want [2] (3)", got, total)
	}
}

// rowCase is a filter input and the ids the reference should select.
type rowCase struct {
	name string
	in   map[string]any
	want []int
}

// checkRows runs cases through the reference's Rows on obj.
func checkRows(t *testing.T, ref *Reference, obj *model.Object, cases []rowCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, total := ref.Rows(obj, tc.in, Window{Limit: 10})
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) || total != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, total, tc.want)
			}
		})
	}
}

// TestGenFromData checks that every generated input evaluates and that drawn <fk>_id values
// name existing rows.
func TestGenFromData(t *testing.T) {
	reg, data := tiny()
	obj := reg.Object("Thing")
	ref := &Reference{Reg: reg, Data: data}
	g := &Gen{R: rand.New(rand.NewSource(1)), Reg: reg, Data: data, FromData: true}
	exists := map[string]bool{"1": true, "2": true, "3": true}
	for range 300 {
		in := g.Filter(obj, 3)
		ref.Rows(obj, in, Window{Limit: 10})
	}
	ff := &model.FilterField{Name: "parent_id", Kind: model.FilterLookup, Input: "IDFilterLookup", Param: "parent_id", Field: "parent"}
	for range 50 {
		v, ok := g.dataValue(obj, ff)
		if !ok || !exists[v.(string)] {
			t.Fatalf("dataValue(parent_id) = %v, %v: not an existing id", v, ok)
		}
	}
	if IDs([]rest.Object{{"id": 5.0}, {"id": 2.0}})[0] != 5 {
		t.Error("IDs reorders rows")
	}
}

// TestReferenceNetBox46 checks the reference on NetBox 4.6.8's forms with answers worked out by
// hand: Django's BETWEEN with a NULL bound, date parts in UTC, ID foreign keys, one-of lookups,
// enum lookups, DISTINCT and a many-to-many relation.
func TestReferenceNetBox46(t *testing.T) {
	label := &model.Object{Name: "Label", Path: "/api/labels/",
		Fields:       []model.Field{{Name: "id", Kind: model.KindScalar}, {Name: "slug", Kind: model.KindScalar}},
		Filters:      []model.FilterParam{{Name: "slug", Type: model.ParamString, Exact: true, Field: "slug"}},
		FilterFields: []model.FilterField{{Name: "slug", Kind: model.FilterLookup, Input: "StrFilterLookup", Param: "slug", Field: "slug"}}}
	thing := &model.Object{Name: "Thing", Path: "/api/things/",
		Fields: []model.Field{{Name: "id", Kind: model.KindScalar}, {Name: "size", Kind: model.KindScalar, Nullable: true},
			{Name: "family", Kind: model.KindChoice, ChoiceObject: true, Choices: []model.Choice{{Value: "4", Enum: "FAMILY_4"}, {Value: "6", Enum: "FAMILY_6"}}},
			{Name: "created", Kind: model.KindScalar}, {Name: "parent", Kind: model.KindForeignKey, Related: "Thing", Nullable: true},
			{Name: "labels", Kind: model.KindManyToMany, List: true, Related: "Label"}},
		Filters: []model.FilterParam{
			{Name: "size", Type: model.ParamInt, Exact: true, Field: "size"},
			{Name: "family", Type: model.ParamChoice, Exact: true, Field: "family"},
			{Name: "created", Type: model.ParamDateTime, Exact: true, Field: "created"},
			{Name: "parent_id", Type: model.ParamInt, Exact: true, Field: "parent", Related: "Thing", RelatedKey: "id"},
			{Name: "label_id", Type: model.ParamInt, Exact: true, Lookups: []string{"any", "n"}, Field: "labels", Related: "Label", RelatedKey: "id"},
		},
		FilterFields: []model.FilterField{
			{Name: "size", Kind: model.FilterLookup, Input: "IntegerLookup", Param: "size", Field: "size", OneOf: true},
			{Name: "family", Kind: model.FilterChoice, Input: "FamilyEnumBaseFilterLookup", Param: "family", Field: "family"},
			{Name: "created", Kind: model.FilterLookup, Input: "DatetimeFilterLookup", Param: "created", Field: "created"},
			{Name: "parent_id", Kind: model.FilterID, Input: "ID", Param: "parent_id", Field: "parent"},
			{Name: "labels", Kind: model.FilterRelated, Input: "LabelFilter", Param: "label_id", Field: "labels", Related: "Label"},
			{Name: "DISTINCT", Kind: model.FilterDistinct},
		}}
	reg := model.NewRegistry([]*model.Object{thing, label}, nil)
	lbl := func(id float64) map[string]any { return map[string]any{"id": id} }
	fam := func(v string) map[string]any { return map[string]any{"value": v, "label": "IPv" + v} }
	data := Dataset{
		"Label": {{"id": 1.0, "slug": "a"}, {"id": 2.0, "slug": "b"}},
		"Thing": {
			{"id": 1.0, "size": 1.0, "family": fam("4"), "created": "2024-12-31T23:59:59Z", "parent": nil, "labels": []any{lbl(1), lbl(2)}},
			{"id": 2.0, "size": 5.0, "family": fam("6"), "created": "2025-01-01T00:00:00Z", "parent": map[string]any{"id": 1.0}, "labels": []any{lbl(2)}},
			{"id": 3.0, "size": nil, "family": nil, "created": "2024-12-30T08:00:00+02:00", "parent": map[string]any{"id": 2.0}, "labels": []any{}},
		}}
	ref := &Reference{Reg: reg, Data: data}
	checkRows(t, ref, thing, []rowCase{
		{"range_lookup", m("size", m("range_lookup", m("start", int32(1), "end", int32(4)))), []int{1}},
		{"range without end: never true", m("size", m("range_lookup", m("start", int32(1)))), nil},
		{"NOT range without end: below it, or NULL", m("NOT", m("size", m("range_lookup", m("start", int32(2))))), []int{1, 3}},
		{"NOT range without bounds: NULL only", m("NOT", m("size", m("comparison_lookup", m("range", m())))), []int{3}},
		{"range without end OR true", m("size", m("range_lookup", m("end", int32(9))), "OR", m("parent_id", "1")), []int{2}},
		{"filter_lookup", m("size", m("filter_lookup", m("in_list", []any{int32(5), int32(7)}))), []int{2}},
		{"comparison_lookup", m("size", m("comparison_lookup", m("gte", int32(1), "lt", int32(5)))), []int{1}},
		{"year in UTC", m("created", m("year", m("exact", int32(2024)))), []int{1, 3}},
		{"year gt", m("created", m("year", m("gt", int32(2024)))), []int{2}},
		{"iso_year: 2024-12-30 is in 2025's week 1", m("created", m("iso_year", m("exact", int32(2025)))), []int{1, 2, 3}},
		{"date in UTC", m("created", m("date", m("exact", "2024-12-30"))), []int{3}},
		{"date range without end, negated", m("NOT", m("created", m("date", m("range", m("start", "2024-12-31"))))), []int{3}},
		{"ID", m("parent_id", "2"), []int{3}},
		{"NOT ID keeps NULL", m("NOT", m("parent_id", int32(2))), []int{1, 2}},
		{"enum exact", m("family", m("exact", "FAMILY_6")), []int{2}},
		{"enum in_list and is_null", m("family", m("in_list", []any{"FAMILY_4"}, "is_null", false)), []int{1}},
		{"enum is_null", m("family", m("is_null", true)), []int{3}},
		{"bare enum", m("family", "FAMILY_4"), []int{1}},
		{"DISTINCT changes nothing", m("DISTINCT", true, "family", m("exact", "FAMILY_4")), []int{1}},
		{"DISTINCT alone", m("DISTINCT", false), []int{1, 2, 3}},
		{"many-to-many: any related row", m("labels", m("slug", m("exact", "b"))), []int{1, 2}},
		{"many-to-many: in_list", m("labels", m("slug", m("in_list", []any{"a", "x"}))), []int{1}},
		{"NOT many-to-many: none of them", m("NOT", m("labels", m("slug", m("exact", "a")))), []int{2, 3}},
		{"many-to-many: a NULL is false there", m("NOT", m("labels", m("slug", m("range", m("start", "a"))))), []int{1, 2, 3}},
		{"many-to-many empty filter vanishes", m("labels", m()), []int{1, 2, 3}},
	})
}

// TestReferenceTreeNode checks NetBox 4.6's TreeNodeFilter on a foreign key into a tree, with
// answers worked out by hand: nodes 1 > 2 > 3 and 1 > 4, and 5 alone.
func TestReferenceTreeNode(t *testing.T) {
	node := &model.Object{Name: "Node", Path: "/api/nodes/",
		Fields: []model.Field{{Name: "id", Kind: model.KindScalar}, {Name: "parent", Kind: model.KindForeignKey, Related: "Node", Nullable: true}},
		Filters: []model.FilterParam{{Name: "id", Type: model.ParamInt, Exact: true, Field: "id"},
			{Name: "parent_id", Type: model.ParamInt, Exact: true, Field: "parent", Related: "Node", RelatedKey: "id"}},
		FilterFields: []model.FilterField{{Name: "id", Kind: model.FilterLookup, Input: "IDComparisonFilterLookup", Param: "id", Field: "id"}}}
	place := &model.Object{Name: "Place", Path: "/api/places/",
		Fields:  []model.Field{{Name: "id", Kind: model.KindScalar}, {Name: "node", Kind: model.KindForeignKey, Related: "Node", Nullable: true}},
		Filters: []model.FilterParam{{Name: "node_id", Type: model.ParamString, Exact: true, Field: "node", Related: "Node", RelatedKey: "id"}},
		FilterFields: []model.FilterField{
			{Name: "node_id", Kind: model.FilterRelated, Input: "TreeNodeFilter", Param: "node_id", Field: "node", Related: "Node", Tree: true}}}
	reg := model.NewRegistry([]*model.Object{node, place}, nil)
	ref := func(id float64) map[string]any { return map[string]any{"id": id} }
	data := Dataset{
		"Node": {{"id": 1.0, "parent": nil}, {"id": 2.0, "parent": ref(1)}, {"id": 3.0, "parent": ref(2)},
			{"id": 4.0, "parent": ref(1)}, {"id": 5.0, "parent": nil}},
		"Place": {{"id": 1.0, "node": ref(1)}, {"id": 2.0, "node": ref(2)}, {"id": 3.0, "node": ref(3)},
			{"id": 4.0, "node": ref(4)}, {"id": 5.0, "node": nil}, {"id": 6.0, "node": ref(5)}},
	}
	r := &Reference{Reg: reg, Data: data}
	tn := func(id any, match string) map[string]any { return m("node_id", m("id", id, "match_type", match)) }
	checkRows(t, r, place, []rowCase{
		{"EXACT", tn("2", "EXACT"), []int{2}},
		{"SELF_AND_DESCENDANTS", tn("1", "SELF_AND_DESCENDANTS"), []int{1, 2, 3, 4}},
		{"DESCENDANTS", tn("1", "DESCENDANTS"), []int{2, 3, 4}},
		{"DESCENDANTS two levels down", tn("2", "DESCENDANTS"), []int{3}},
		{"CHILDREN", tn("1", "CHILDREN"), []int{2, 4}},
		{"a leaf has no descendants", tn("3", "DESCENDANTS"), nil},
		{"a lone root", tn(int32(5), "SELF_AND_DESCENDANTS"), []int{6}},
		{"NOT DESCENDANTS keeps the node, other trees and NULL", m("NOT", tn("1", "DESCENDANTS")), []int{1, 5, 6}},
		{"no such node: nothing", tn("99", "SELF_AND_DESCENDANTS"), nil},
		{"NOT no such node: everything", m("NOT", tn("99", "EXACT")), []int{1, 2, 3, 4, 5, 6}},
	})

	// the generator draws existing nodes and planned match types, every one of them
	g := &Gen{R: rand.New(rand.NewSource(1)), Reg: reg, Data: data, FromData: true}
	seen := map[string]int{}
	for range 200 {
		in := g.Filter(place, 2)
		r.Rows(place, in, Window{Limit: 10})
		if v, ok := in["node_id"].(map[string]any); ok {
			id, _ := strconv.Atoi(v["id"].(string))
			if data.ByID("Node", id) == nil || !slices.Contains(TreeMatches, v["match_type"].(string)) {
				t.Fatalf("drawn %v: no such node, or a match type the compiler does not plan", v)
			}
			seen[v["match_type"].(string)]++
		}
	}
	if len(seen) != len(TreeMatches) {
		t.Errorf("drawn match types %v, want each of %v", seen, TreeMatches)
	}
}
