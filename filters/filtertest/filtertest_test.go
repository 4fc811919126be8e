package filtertest

import (
	"math/rand"
	"reflect"
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

func TestReferenceRows(t *testing.T) {
	reg, data := tiny()
	obj := reg.Object("Thing")
	ref := &Reference{Reg: reg, Data: data}
	m := func(kv ...any) map[string]any {
		out := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   map[string]any
		want []int
	}{
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total := ref.Rows(obj, tc.in, Window{Limit: 10})
			if !reflect.DeepEqual(got, tc.want) || total != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, total, tc.want)
			}
		})
	}
	got, total := ref.Rows(obj, map[string]any{}, Window{Offset: 1, Limit: 1, Ordering: []string{"-id"}})
	if !reflect.DeepEqual(got, []int{2}) || total != 3 {
		t.Errorf("window: got %v (total %d), want [2] (3)", got, total)
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
