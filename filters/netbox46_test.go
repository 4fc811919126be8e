package filters

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

type m = map[string]any

// TestNetBox46Forms compiles NetBox 4.6.8's filter forms on the test registry, runs each over
// the fake REST API against the reference, and checks the one REST parameter set it becomes
// ("<not simple>" when it takes several requests or matches nothing, see Plan.Simple).
func TestNetBox46Forms(t *testing.T) {
	cases := []struct {
		name string
		obj  string
		in   m
		want string
	}{
		// <Enum>BaseFilterLookup
		{"enum exact", "Device", m{"status": m{"exact": "STATUS_ACTIVE"}}, "status=active"},
		{"enum in_list", "Device", m{"status": m{"in_list": []any{"STATUS_ACTIVE", "STATUS_PLANNED"}}}, "status=active&status=planned"},
		{"enum exact and in_list AND", "Device", m{"status": m{"exact": "STATUS_ACTIVE", "in_list": []any{"STATUS_ACTIVE", "STATUS_FAILED"}}}, "status=active"},
		{"enum in_list empty matches nothing", "Device", m{"status": m{"in_list": []any{}}}, "<not simple>"},
		{"enum is_null on a column never NULL", "Device", m{"status": m{"is_null": true}}, "<not simple>"},
		{"enum is_null false", "Device", m{"status": m{"is_null": false}}, ""},
		{"enum null lookup skipped", "Device", m{"status": m{"exact": nil}}, ""},
		{"enum by REST value", "Device", m{"status": m{"exact": "planned"}}, "status=planned"},
		{"NetBox 4.4's bare enum still", "Device", m{"status": "STATUS_FAILED"}, "status=failed"},
		{"NetBox 4.4's enum list still", "Device", m{"status": []any{"STATUS_FAILED", "STATUS_OFFLINE"}}, "status=failed&status=offline"},
		{"NOT enum lookup", "Device", m{"NOT": m{"status": m{"in_list": []any{"STATUS_ACTIVE", "STATUS_FAILED"}}}}, "status__n=active&status__n=failed"},
		// bare ID foreign keys
		{"ID as a string", "Device", m{"site_id": "3"}, "site_id=3"},
		{"ID as an int literal", "Device", m{"site_id": int32(3)}, "site_id=3"},
		{"ID as a JSON number", "Device", m{"tenant_id": float64(2)}, "tenant_id=2"},
		{"ID canonical", "Device", m{"site_id": " 03"}, "site_id=3"},
		{"NOT ID", "Device", m{"NOT": m{"tenant_id": "2"}}, "tenant_id__n=2"},
		// DISTINCT
		{"DISTINCT true", "Device", m{"DISTINCT": true, "status": m{"exact": "STATUS_ACTIVE"}}, "status=active"},
		{"DISTINCT false", "Device", m{"DISTINCT": false}, ""},
		{"DISTINCT null", "Device", m{"DISTINCT": nil}, ""},
		{"DISTINCT in AND, OR, NOT", "Device", m{"AND": m{"DISTINCT": true}, "OR": m{"DISTINCT": false}, "NOT": m{"DISTINCT": true, "status": m{"exact": "STATUS_ACTIVE"}}}, "status__n=active"},
		{"DISTINCT in a related filter without a DISTINCT field", "Device", m{"site": m{"DISTINCT": true, "status": "STATUS_RETIRED"}}, "site_id=1&site_id=6&site_id=8&site_id=10&site_id=14"},
		{"DISTINCT alone in a related filter vanishes", "Device", m{"site": m{"DISTINCT": true}}, ""},
		{"DISTINCT on a type without a DISTINCT field", "Site", m{"DISTINCT": true, "status": "STATUS_RETIRED"}, "status=retired"},
		// one-of numeric lookups
		{"filter_lookup exact", "Device", m{"vc_position": m{"filter_lookup": m{"exact": int32(2)}}}, "vc_position=2"},
		{"filter_lookup in_list", "Device", m{"vc_position": m{"filter_lookup": m{"in_list": []any{int32(1), int32(3)}}}}, "vc_position=1&vc_position=3"},
		{"filter_lookup is_null", "Device", m{"position": m{"filter_lookup": m{"is_null": true}}}, "position__empty=true"},
		{"range_lookup", "Device", m{"position": m{"range_lookup": m{"start": 1.0, "end": 2.5}}}, "position__gte=1&position__lte=2.5"},
		{"comparison_lookup gt", "Device", m{"position": cmp(m{"gt": 1.5})}, "position__gt=1.5"},
		{"comparison_lookup gte and lt", "Device", m{"vc_position": cmp(m{"gte": int32(1), "lt": int32(3)})}, "vc_position__gte=1&vc_position__lt=3"},
		{"comparison_lookup lte", "Device", m{"vc_position": cmp(m{"lte": int32(2)})}, "vc_position__lte=2"},
		{"comparison_lookup exact", "Device", m{"position": cmp(m{"exact": 2.0})}, "position=2"},
		{"comparison_lookup in_list", "Device", m{"position": cmp(m{"in_list": []any{0.5, 2.0}})}, "position=0.5&position=2"},
		{"comparison_lookup range", "Device", m{"position": cmp(m{"range": m{"start": 0.5, "end": 1.5}})}, "position__gte=0.5&position__lte=1.5"},
		{"BigInt one-of", "Site", m{"asn": cmp(m{"gte": "64502"})}, "asn__gte=64502"},
		{"one-of member with a null lookup", "Device", m{"position": cmp(m{"gt": nil})}, ""},
		// a range with a null bound: BETWEEN a AND NULL, never true; its NOT is true below a or on NULL
		{"range without end matches nothing", "Device", m{"position": m{"range_lookup": m{"start": 1.0}}}, "<not simple>"},
		{"range with a null end matches nothing", "Device", m{"position": cmp(m{"range": m{"start": 1.0, "end": nil}})}, "<not simple>"},
		{"NOT range without end", "Device", m{"NOT": m{"position": m{"range_lookup": m{"start": 1.5}}}}, "<not simple>"},
		{"NOT range without start, never NULL", "Device", m{"NOT": m{"id": m{"range": m{"end": "40"}}}}, "id__gt=40"},
		{"NOT range without bounds, nullable", "Device", m{"NOT": m{"position": m{"range_lookup": m{}}}}, "position__empty=true"},
		{"NOT range without bounds, never NULL", "Device", m{"NOT": m{"id": m{"range": m{"start": nil, "end": nil}}}}, "<not simple>"},
		{"range without end ORed", "Device", m{"position": m{"range_lookup": m{"start": 1.0}}, "OR": m{"status": m{"exact": "STATUS_FAILED"}}}, "status=failed"},
		// IDComparisonFilterLookup
		{"id exact", "Device", m{"id": m{"exact": "5"}}, "id=5"},
		{"id in_list", "Device", m{"id": m{"in_list": []any{"5", "7"}}}, "id=5&id=7"},
		{"id gt", "Device", m{"id": m{"gt": "80"}}, "id__gt=80"},
		{"id gte", "Device", m{"id": m{"gte": "80"}}, "id__gte=80"},
		{"id lt", "Device", m{"id": m{"lt": "4"}}, "id__lt=4"},
		{"id lte", "Device", m{"id": m{"lte": "4"}}, "id__lte=4"},
		{"id range", "Device", m{"id": m{"range": m{"start": "3", "end": "6"}}}, "id__gte=3&id__lte=6"},
		{"id is_null never holds", "Device", m{"id": m{"is_null": true}}, "<not simple>"},
		{"id is_null false always holds", "Device", m{"id": m{"is_null": false}}, ""},
		{"NOT id is_null", "Device", m{"NOT": m{"id": m{"is_null": true}}}, ""},
		// DatetimeFilterLookup and DateFilterLookup parts (UTC here, the test upstream's zone)
		{"year exact", "Device", m{"created": m{"year": m{"exact": int32(2024)}}}, "created__gte=2024-01-01T00:00:00&created__lt=2025-01-01T00:00:00"},
		{"year gt", "Device", m{"created": m{"year": m{"gt": int32(2023)}}}, "created__gte=2024-01-01T00:00:00"},
		{"year gte", "Device", m{"created": m{"year": m{"gte": int32(2025)}}}, "created__gte=2025-01-01T00:00:00"},
		{"year lt", "Device", m{"created": m{"year": m{"lt": int32(2024)}}}, "created__lt=2024-01-01T00:00:00"},
		{"year lte", "Device", m{"created": m{"year": m{"lte": int32(2024)}}}, "created__lt=2025-01-01T00:00:00"},
		{"year range", "Device", m{"created": m{"year": m{"range": m{"start": int32(2023), "end": int32(2024)}}}}, "created__gte=2023-01-01T00:00:00&created__lt=2025-01-01T00:00:00"},
		{"year in_list", "Device", m{"created": m{"year": m{"in_list": []any{int32(2022), int32(2024)}}}}, "<not simple>"},
		{"year is_null", "Device", m{"warranty": m{"year": m{"is_null": true}}}, "warranty__empty=true"},
		{"date exact", "Device", m{"created": m{"date": m{"exact": "2024-01-03"}}}, "created__gte=2024-01-03T00:00:00&created__lt=2024-01-04T00:00:00"},
		{"date gt", "Device", m{"created": m{"date": m{"gt": "2024-01-03"}}}, "created__gte=2024-01-04T00:00:00"},
		{"date lte", "Device", m{"created": m{"date": m{"lte": "2024-01-03"}}}, "created__lt=2024-01-04T00:00:00"},
		{"NOT date exact", "Device", m{"NOT": m{"created": m{"date": m{"exact": "2024-01-03"}}}}, "<not simple>"},
		{"iso_year on a date", "Device", m{"warranty": m{"iso_year": m{"exact": int32(2025)}}}, "warranty__gte=2024-12-30&warranty__lt=2025-12-29"},
		{"year on a date", "Device", m{"warranty": m{"year": m{"exact": int32(2025)}}}, "warranty__gte=2025-01-01&warranty__lt=2026-01-01"},
		{"year with other lookups", "Device", m{"created": m{"year": m{"exact": int32(2024)}, "gt": "2024-01-02T00:00:00Z"}}, "created__gt=2024-01-02T00:00:00Z&created__gte=2024-01-01T00:00:00&created__lt=2025-01-01T00:00:00"},
		{"year range without end", "Device", m{"NOT": m{"warranty": m{"year": m{"range": m{"start": int32(2025)}}}}}, "<not simple>"},
		// BoolFilterLookup's in_list: NetBox's boolean filter keeps the last value, so one leaf each
		{"bool in_list one", "Device", m{"enabled": m{"in_list": []any{true}}}, "enabled=true"},
		{"bool in_list both", "Device", m{"enabled": m{"in_list": []any{true, false}}}, "<not simple>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture()
			p, _ := fx.check(t, tc.obj, tc.in, all)
			if got := simpleQuery(t, p, fx.fake); got != tc.want {
				t.Errorf("REST query %q, want %q\nplan %s", got, tc.want, p.Explain())
			}
			for _, w := range []Window{{Offset: 3, Limit: 5}, {Limit: 0}, {Offset: 1, Limit: 9, Ordering: []string{"-name"}}} {
				fx.check(t, tc.obj, tc.in, w)
			}
		})
	}
}

// TestNetBox46Semantics checks what some forms mean against answers computed from the data
// directly, not only against the reference evaluator.
func TestNetBox46Semantics(t *testing.T) {
	fx := newFixture()
	dev := fx.data["Device"]
	var want func(func(row m) bool) []int
	want = func(keep func(row m) bool) []int {
		var out []int
		for _, r := range dev {
			if keep(r) {
				out = append(out, r.ID())
			}
		}
		return out
	}
	ids := func(in m) []int {
		t.Helper()
		_, res := fx.check(t, "Device", in, Window{Limit: 1000, Ordering: []string{"id"}})
		return idsOf(res.Rows)
	}
	pos := func(r m) (float64, bool) { f, ok := r["position"].(float64); return f, ok }
	cases := []struct {
		name string
		in   m
		keep func(r m) bool
	}{
		{"range without end is never true", m{"position": m{"range_lookup": m{"start": 1.0}}},
			func(r m) bool { return false }},
		{"NOT range without end: below the start, or NULL", m{"NOT": m{"position": m{"range_lookup": m{"start": 1.5}}}},
			func(r m) bool { p, ok := pos(r); return !ok || p < 1.5 }},
		{"year 2024 of a date: the whole year, NULL out", m{"warranty": m{"year": m{"exact": int32(2024)}}},
			func(r m) bool { s, _ := r["warranty"].(string); return strings.HasPrefix(s, "2024-") }},
		{"ISO year 2025 starts on 2024-12-30", m{"warranty": m{"iso_year": m{"exact": int32(2025)}}},
			func(r m) bool { s, _ := r["warranty"].(string); return s >= "2024-12-30" }},
		{"date of a date-time", m{"created": m{"date": m{"exact": "2024-01-02"}}},
			func(r m) bool { return strings.HasPrefix(r["created"].(string), "2024-01-02T") }},
		{"bool in_list both: every row", m{"enabled": m{"in_list": []any{true, false}}},
			func(r m) bool { return true }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, exp := ids(tc.in), want(tc.keep)
			if len(got) == 0 && len(exp) == 0 {
				got, exp = nil, nil
			}
			if !reflect.DeepEqual(got, exp) {
				t.Fatalf("got %v, want %v", got, exp)
			}
		})
	}
	// the cases must not all be trivially empty or full
	if n := len(want(func(r m) bool { p, ok := pos(r); return !ok || p < 1.5 })); n == 0 || n == len(dev) {
		t.Errorf("the data has no position on both sides of 1.5 (%d of %d)", n, len(dev))
	}
}

// TestTags runs NetBox 4.6's tags: TagFilter on the many-to-many tags: a device matches when
// any of its tags matches, through tag_id__any (tag_id alone wants all of its values); NOT is
// none of them, tag_id__n.
func TestTags(t *testing.T) {
	fx := newFixture()
	tagsOf := func(r m) map[string]bool {
		out := map[string]bool{}
		for _, e := range r["tags"].([]any) {
			out[e.(map[string]any)["slug"].(string)] = true
		}
		return out
	}
	anyOf := func(slugs ...string) func(r m) bool {
		return func(r m) bool {
			for _, s := range slugs {
				if tagsOf(r)[s] {
					return true
				}
			}
			return false
		}
	}
	cases := []struct {
		name    string
		in      m
		explain string
		keep    func(r m) bool
	}{
		{"slug exact", m{"tags": m{"slug": m{"exact": "tag2"}}}, "tag_id__any=ids(Tag /api/extras/tags/?slug=tag2)", anyOf("tag2")},
		{"slug in_list: any of its tags", m{"tags": m{"slug": m{"in_list": []any{"tag1", "tag3"}}}}, "tag_id__any=ids(Tag /api/extras/tags/?slug=tag1&slug=tag3)", anyOf("tag1", "tag3")},
		{"name exact", m{"tags": m{"name": m{"exact": fx.data["Tag"][3]["name"]}}}, "tag_id__any=ids(Tag", func(r m) bool {
			for _, e := range r["tags"].([]any) {
				if e.(map[string]any)["name"] == fx.data["Tag"][3]["name"] {
					return true
				}
			}
			return false
		}},
		{"OR inside the tag filter", m{"tags": m{"slug": m{"exact": "tag1"}, "OR": m{"slug": m{"exact": "tag5"}}}}, "tag_id__any=", anyOf("tag1", "tag5")},
		{"NOT: none of them", m{"NOT": m{"tags": m{"slug": m{"in_list": []any{"tag1", "tag3"}}}}}, "tag_id__n=ids(Tag", func(r m) bool { return !anyOf("tag1", "tag3")(r) }},
		{"no tag matches", m{"tags": m{"slug": m{"exact": "nope"}}}, "tag_id__any=", func(r m) bool { return false }},
		{"NOT no tag matches", m{"NOT": m{"tags": m{"slug": m{"exact": "nope"}}}}, "tag_id__n=", func(r m) bool { return true }},
		{"with another field", m{"tags": m{"slug": m{"exact": "tag2"}}, "status": m{"exact": "STATUS_ACTIVE"}}, "status=active&tag_id__any=",
			func(r m) bool { return anyOf("tag2")(r) && r["status"].(map[string]any)["value"] == "active" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, res := fx.check(t, "Device", tc.in, Window{Limit: 1000, Ordering: []string{"id"}})
			if !strings.Contains(p.Explain(), tc.explain) {
				t.Errorf("plan %s does not contain %q", p.Explain(), tc.explain)
			}
			var exp []int
			for _, r := range fx.data["Device"] {
				if tc.keep(r) {
					exp = append(exp, r.ID())
				}
			}
			got := idsOf(res.Rows)
			if !sort.IntsAreSorted(got) {
				t.Fatalf("rows %v out of order", got)
			}
			if len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("duplicate rows %v", got)
			}
			if len(got) == 0 && len(exp) == 0 {
				got, exp = nil, nil
			}
			if !reflect.DeepEqual(got, exp) {
				t.Fatalf("got %v, want %v", got, exp)
			}
		})
	}
	// the data has devices with several tags, so all-of and any-of differ
	several := 0
	for _, r := range fx.data["Device"] {
		if len(tagsOf(r)) > 1 {
			several++
		}
	}
	if several == 0 {
		t.Error("no device has two tags; any-of and all-of cannot be told apart")
	}
}

// TestTagsConjoinedWithoutAny: on an upstream whose tag filters lack __any (NetBox before
// 4.6.6), tag_id wants all of its values: one matching tag is asked for, several are refused.
func TestTagsConjoinedWithoutAny(t *testing.T) {
	reg := testRegistry()
	reg.Object("Device").Filter("tag_id").Lookups = []string{"n"}
	fx := newFixture()
	fx.reg = reg
	fx.fake.reg = reg
	dev := reg.Object("Device")
	ctx := context.Background()
	p, err := Compile(reg, dev, m{"tags": m{"slug": m{"exact": "tag2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(ctx, fx.fake, all); err != nil {
		t.Fatalf("one tag: %v", err)
	}
	if q := simpleQuery(t, p, fx.fake); !strings.HasPrefix(q, "tag_id=") || strings.Count(q, "tag_id=") != 1 {
		t.Errorf("one tag: query %q", q)
	}
	p, err = Compile(reg, dev, m{"tags": m{"slug": m{"in_list": []any{"tag1", "tag2"}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(ctx, fx.fake, all)
	if err == nil || !errors.Is(err, ErrUnsupportedLookup) || !strings.Contains(err.Error(), "tag_id__any") || !strings.Contains(err.Error(), "DeviceFilter.tags") {
		t.Fatalf("two tags: error %v, want a refusal naming the filter and tag_id__any", err)
	}
	// NOT is none of them whatever the count
	p, err = Compile(reg, dev, m{"NOT": m{"tags": m{"slug": m{"in_list": []any{"tag1", "tag2"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	fx.check(t, "Device", m{"NOT": m{"tags": m{"slug": m{"in_list": []any{"tag1", "tag2"}}}}}, all)
	// a plain ModelMultipleChoiceFilter (ConfigContext's tag_id) ORs: where some tag filter has
	// __any, one without it is not conjoined
	withAny := testRegistry()
	cc := &model.Object{Name: "ConfigContext", Path: "/api/extras/config-contexts/",
		Fields:       []model.Field{scalarField("id", "ID", false), {Name: "tags", Kind: model.KindManyToMany, List: true, Related: "Tag"}},
		Filters:      []model.FilterParam{{Name: "id", Type: model.ParamInt, Exact: true, Field: "id"}, {Name: "tag_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "tags", Related: "Tag", RelatedKey: "id"}},
		FilterFields: []model.FilterField{relFF("tags", "Tag", "tag_id", "tags")}}
	withAny = model.NewRegistry(append(withAny.Objects, cc), nil)
	c := &compiler{reg: withAny}
	if c.conjoined(cc.Filter("tag_id")) {
		t.Error("ConfigContext's tag_id counted as conjoined on an upstream with tag_id__any")
	}
	if !(&compiler{reg: reg}).conjoined(dev.Filter("tag_id")) {
		t.Error("tag_id without __any anywhere is NetBox's conjoined TagIDFilter")
	}
}

// TestNetBox46Refusals: bad inputs and forms REST cannot answer exactly get a clear error that
// names the field (and the lookup).
func TestNetBox46Refusals(t *testing.T) {
	reg := testRegistry()
	cases := []struct {
		name string
		obj  string
		in   m
		want []string
	}{
		{"one-of with two members", "Device", m{"position": m{"filter_lookup": m{"exact": 1.0}, "comparison_lookup": m{"gt": 1.0}}},
			[]string{"DeviceFilter.position", "FloatLookup is @oneOf", "not 2"}},
		{"one-of with none", "Device", m{"vc_position": m{}}, []string{"DeviceFilter.vc_position", "IntegerLookup is @oneOf", "not 0"}},
		{"one-of with a null member", "Device", m{"vc_position": m{"range_lookup": nil}}, []string{"DeviceFilter.vc_position.range_lookup", "@oneOf", "null"}},
		{"one-of with a null member and another", "Device", m{"vc_position": m{"range_lookup": nil, "filter_lookup": m{"exact": int32(1)}}}, []string{"@oneOf", "not 2"}},
		{"one-of with a lookup instead of a member", "Device", m{"vc_position": m{"gt": int32(1)}}, []string{"DeviceFilter.vc_position", `no member "gt"`, "@oneOf"}},
		{"one-of not an object", "Device", m{"vc_position": int32(3)}, []string{"DeviceFilter.vc_position", "want a IntegerLookup input object"}},
		{"i_exact on a number", "Device", m{"vc_position": m{"filter_lookup": m{"i_exact": int32(1)}}}, []string{"DeviceFilter.vc_position.filter_lookup.i_exact", `lookup "i_exact"`, "unsupported lookup"}},
		{"contains on a number", "Device", m{"position": m{"filter_lookup": m{"contains": 1.0}}}, []string{"DeviceFilter.position.filter_lookup.contains", `lookup "contains"`}},
		{"regex on a number", "Site", m{"asn": m{"filter_lookup": m{"regex": "^645"}}}, []string{"SiteFilter.asn.filter_lookup.regex", `lookup "regex"`}},
		{"i_contains on a boolean", "Device", m{"enabled": m{"i_contains": true}}, []string{"DeviceFilter.enabled.i_contains", `lookup "i_contains"`}},
		{"unknown range key", "Device", m{"position": m{"range_lookup": m{"from": 1.0}}}, []string{"DeviceFilter.position.range_lookup", `not "from"`}},
		{"ID not a number", "Device", m{"site_id": "abc"}, []string{"DeviceFilter.site_id", `"abc" is not an integer id`, "DeviceFilter.site_id"}},
		{"ID fractional", "Device", m{"site_id": 1.5}, []string{"DeviceFilter.site_id", "not an integer id"}},
		{"ID decimal string", "Device", m{"tenant_id": "1.0"}, []string{"DeviceFilter.tenant_id", "not an integer id"}},
		{"ID a Boolean", "Device", m{"site_id": true}, []string{"DeviceFilter.site_id", "not an integer id"}},
		{"ID an object", "Device", m{"site_id": m{"exact": "1"}}, []string{"DeviceFilter.site_id", "not an integer id"}},
		{"DISTINCT not a Boolean", "Device", m{"DISTINCT": "yes"}, []string{"DeviceFilter.DISTINCT", "want a Boolean"}},
		{"DISTINCT not a Boolean without a field", "Site", m{"DISTINCT": int32(1)}, []string{"SiteFilter.DISTINCT", "want a Boolean"}},
		{"unavailable", "Device", m{"interface_count": m{"gt": int32(1)}},
			[]string{"filters: DeviceFilter.interface_count: DeviceFilter.interface_count is not available through REST: the count is not a REST filter parameter"}},
		{"unavailable nested", "Device", m{"parent": m{"NOT": m{"interface_count": m{"exact": int32(1)}}}},
			[]string{"filters: DeviceFilter.parent.NOT.interface_count: DeviceFilter.interface_count is not available through REST"}},
		{"enum lookup unknown key", "Device", m{"status": m{"i_exact": "STATUS_ACTIVE"}}, []string{"DeviceFilter.status.i_exact", `unknown lookup "i_exact"`}},
		{"enum lookup exact not an enum", "Device", m{"status": m{"exact": int32(1)}}, []string{"DeviceFilter.status.exact", "want an enum value"}},
		{"enum lookup unknown enum", "Device", m{"status": m{"in_list": []any{"STATUS_ACTIVE", "STATUS_NOPE"}}}, []string{"DeviceFilter.status.in_list[1]", "STATUS_NOPE"}},
		{"enum not a value", "Device", m{"status": true}, []string{"DeviceFilter.status", "DeviceStatusEnumBaseFilterLookup"}},
		{"month", "Device", m{"created": m{"month": m{"exact": int32(1)}}}, []string{"DeviceFilter.created.month", "unsupported lookup", "month"}},
		{"day", "Device", m{"created": m{"day": m{"exact": int32(1)}}}, []string{"DeviceFilter.created.day", "unsupported lookup"}},
		{"week_day", "Device", m{"created": m{"week_day": m{"exact": int32(1)}}}, []string{"DeviceFilter.created.week_day", "unsupported lookup"}},
		{"quarter", "Device", m{"warranty": m{"quarter": m{"exact": int32(1)}}}, []string{"DeviceFilter.warranty.quarter", "unsupported lookup"}},
		{"hour", "Device", m{"created": m{"hour": m{"exact": int32(1)}}}, []string{"DeviceFilter.created.hour", "unsupported lookup"}},
		{"time", "Device", m{"created": m{"time": m{"exact": "12:00:00"}}}, []string{"DeviceFilter.created.time", "unsupported lookup"}},
		{"date of a date", "Device", m{"warranty": m{"date": m{"exact": "2024-01-01"}}}, []string{"DeviceFilter.warranty", `unknown lookup "date"`}},
		{"year out of range", "Device", m{"created": m{"year": m{"exact": int32(0)}}}, []string{"DeviceFilter.created.year.exact", "not a year"}},
		{"year past 9998", "Device", m{"created": m{"year": m{"gt": int32(9999)}}}, []string{"DeviceFilter.created.year.gt", "not a year"}},
		{"bad date", "Device", m{"created": m{"date": m{"exact": "2024-13-01"}}}, []string{"DeviceFilter.created.date.exact", "not a date"}},
		{"year part not an object", "Device", m{"created": m{"year": int32(2024)}}, []string{"DeviceFilter.created.year", "want a comparison lookup input object"}},
		{"part on a number", "Device", m{"vc_position": cmp(m{"year": m{"exact": int32(1)}})}, []string{"DeviceFilter.vc_position.comparison_lookup.year", `unknown lookup "year"`}},
		{"NOT of a related filter holding a null range", "Device", m{"NOT": m{"site": m{"asn": m{"range_lookup": m{"start": "64501"}}}}}, []string{"DeviceFilter.NOT.site", "range with a null bound"}},
		{"tags NOT compound", "Device", m{"NOT": m{"tags": m{"slug": m{"exact": "tag1"}, "name": m{"exact": "x"}}}}, []string{"DeviceFilter.NOT.tags", "many-to-many"}},
		{"tags twice", "Device", m{"tags": m{"slug": m{"exact": "tag1"}}, "AND": m{"tags": m{"slug": m{"exact": "tag2"}}}}, []string{"Device.tag_id", "many-to-many"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(reg, reg.Object(tc.obj), tc.in)
			if err == nil {
				t.Fatal("compiled")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// an unavailable field given null is skipped, as strawberry-django skips null inputs
	if _, err := Compile(reg, reg.Object("Device"), m{"interface_count": nil}); err != nil {
		t.Errorf("null unavailable field: %v", err)
	}
}
