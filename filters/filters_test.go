package filters

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/filters/internal/order"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

type fixture struct {
	reg  *model.Registry
	data dataset
	ref  *reference
	fake *fakeREST
}

func newFixture() *fixture {
	reg := testRegistry()
	data := makeData(7)
	return &fixture{reg: reg, data: data, ref: newReference(reg, data), fake: &fakeREST{reg: reg, data: data, maxPage: 1000}}
}

// check compiles in on obj, runs it over the fake REST API and compares with the reference.
func (fx *fixture) check(t *testing.T, obj string, in map[string]any, w Window) (*Plan, *Result) {
	t.Helper()
	o := fx.reg.Object(obj)
	p, err := Compile(fx.reg, o, in)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	fx.fake.reset()
	res, err := p.Run(context.Background(), fx.fake, w)
	if err != nil {
		t.Fatalf("Run: %v\nplan %s", err, p.Explain())
	}
	ids, total := fx.ref.rows(o, in, w)
	if got := idsOf(res.Rows); res.Total != total || !(len(got) == 0 && len(ids) == 0 || reflect.DeepEqual(got, ids)) {
		t.Fatalf("got total %d ids %v, want total %d ids %v\nplan %s", res.Total, got, total, ids, p.Explain())
	}
	return p, res
}

func simpleQuery(t *testing.T, p *Plan, f Fetcher) string {
	t.Helper()
	q, ok, err := p.Simple(context.Background(), f)
	if err != nil {
		t.Fatalf("Simple: %v", err)
	}
	if !ok {
		return "<not simple>"
	}
	s, _ := url.QueryUnescape(q.Encode())
	return s
}

var all = Window{Limit: 1000}

func TestLookups(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		want string // the single REST parameter set (values unescaped)
	}{
		{"exact", map[string]any{"name": map[string]any{"exact": "a.b+c"}}, "name=a.b+c"},
		{"i_exact", map[string]any{"name": map[string]any{"i_exact": "CORE"}}, "name__ie=CORE"},
		{"contains escaped", map[string]any{"name": map[string]any{"contains": ".b+"}}, `name__regex=\.b\+`},
		{"i_contains", map[string]any{"name": map[string]any{"i_contains": "COR"}}, "name__ic=COR"},
		{"starts_with", map[string]any{"name": map[string]any{"starts_with": "a."}}, `name__regex=^a\.`},
		{"i_starts_with", map[string]any{"name": map[string]any{"i_starts_with": "e"}}, "name__isw=e"},
		{"ends_with", map[string]any{"name": map[string]any{"ends_with": "+c"}}, `name__regex=\+c$`},
		{"i_ends_with", map[string]any{"name": map[string]any{"i_ends_with": "A"}}, "name__iew=A"},
		{"regex", map[string]any{"name": map[string]any{"regex": "^[a-c]"}}, "name__regex=^[a-c]"},
		{"i_regex", map[string]any{"name": map[string]any{"i_regex": "^[a-c]"}}, "name__iregex=^[a-c]"},
		{"in_list", map[string]any{"name": map[string]any{"in_list": []any{"a.b+c", "core"}}}, "name=a.b+c&name=core"},
		{"in_list empty matches nothing", map[string]any{"name": map[string]any{"in_list": []any{}}}, "<not simple>"},
		{"is_null number", map[string]any{"position": cmp(map[string]any{"is_null": true})}, "position__empty=true"},
		{"is_null false number", map[string]any{"position": cmp(map[string]any{"is_null": false})}, "position__empty=false"},
		{"is_null false string", map[string]any{"name": map[string]any{"is_null": false}}, "name__regex=^"},
		{"is_null string never null", map[string]any{"serial": map[string]any{"is_null": true}}, "<not simple>"},
		{"exact empty string", map[string]any{"name": map[string]any{"exact": ""}}, "name__regex=^$"},
		{"exact empty string, never NULL", map[string]any{"serial": map[string]any{"exact": ""}}, "serial__regex=^$"},
		{"contains empty string", map[string]any{"name": map[string]any{"contains": ""}}, "name__regex=^"},
		{"gt", map[string]any{"position": cmp(map[string]any{"gt": 1.5})}, "position__gt=1.5"},
		{"gte", map[string]any{"vc_position": cmp(map[string]any{"gte": int32(2)})}, "vc_position__gte=2"},
		{"lt", map[string]any{"created": map[string]any{"lt": "2024-01-03T00:00:00Z"}}, "created__lt=2024-01-03T00:00:00Z"},
		{"lte", map[string]any{"id": map[string]any{"lte": "10"}}, "id__lte=10"},
		{"range", map[string]any{"position": cmp(map[string]any{"range": map[string]any{"start": 1.0, "end": 2.5}})}, "position__gte=1&position__lte=2.5"},
		{"choice one", map[string]any{"status": "STATUS_ACTIVE"}, "status=active"},
		{"choice by REST value", map[string]any{"status": "planned"}, "status=planned"},
		{"choice list", map[string]any{"status": []any{"STATUS_ACTIVE", "STATUS_PLANNED"}}, "status=active&status=planned"},
		{"boolean", map[string]any{"enabled": map[string]any{"exact": false}}, "enabled=false"},
		{"id exact", map[string]any{"id": map[string]any{"exact": "5"}}, "id=5"},
		{"id in_list", map[string]any{"id": map[string]any{"in_list": []any{"5", "7"}}}, "id=5&id=7"},
		{"fk id", map[string]any{"site_id": "3"}, "site_id=3"},
		{"derived parameter", map[string]any{"region_id": map[string]any{"in_list": []any{"1", "2"}}}, "region_id=1&region_id=2"},
		{"null lookup skipped", map[string]any{"name": map[string]any{"exact": nil}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture()
			p, _ := fx.check(t, "Device", tc.in, all)
			if got := simpleQuery(t, p, fx.fake); got != tc.want {
				t.Errorf("REST query %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOperators(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		want string // Explain must contain this
	}{
		{"AND of different parameters", map[string]any{"name": map[string]any{"i_contains": "c"}, "status": "STATUS_ACTIVE"},
			"name__ic=c&status=active"},
		{"AND on one parameter keeps AND (ic twice)", map[string]any{"name": map[string]any{"i_contains": "c"}, "AND": map[string]any{"name": map[string]any{"i_contains": "o"}}},
			"id=ids(Device /api/dcim/devices/?name__ic=c)&name__ic=o"},
		{"AND of exact values intersects", map[string]any{"status": []any{"STATUS_ACTIVE", "STATUS_PLANNED"}, "AND": map[string]any{"status": []any{"STATUS_PLANNED", "STATUS_FAILED"}}},
			"status=planned"},
		{"AND of disjoint exact values is empty", map[string]any{"status": "STATUS_ACTIVE", "AND": map[string]any{"status": "STATUS_PLANNED"}},
			"matches nothing"},
		{"AND of negated values unites", map[string]any{"NOT": map[string]any{"status": "STATUS_ACTIVE"}, "AND": map[string]any{"NOT": map[string]any{"status": "STATUS_FAILED"}}},
			"status__n=failed&status__n=active"},
		{"OR folds one parameter", map[string]any{"status": "STATUS_ACTIVE", "OR": map[string]any{"status": "STATUS_FAILED"}},
			"status=active&status=failed"},
		{"OR folds with common rest", map[string]any{"enabled": map[string]any{"exact": true}, "name": map[string]any{"i_contains": "a"}, "OR": map[string]any{"enabled": map[string]any{"exact": true}, "name": map[string]any{"i_contains": "e"}}},
			"name__ic=a&name__ic=e"},
		{"OR of two fields merges", map[string]any{"name": map[string]any{"i_contains": "core"}, "OR": map[string]any{"position": cmp(map[string]any{"gt": 2.0})}},
			"OR of 2 requests"},
		{"OR subsumed", map[string]any{"status": "STATUS_ACTIVE", "OR": map[string]any{"status": "STATUS_ACTIVE", "enabled": map[string]any{"exact": true}}},
			"?status=active"},
		{"OR list ANDs with siblings", map[string]any{"enabled": map[string]any{"exact": true}, "OR": []any{map[string]any{"status": "STATUS_ACTIVE"}, map[string]any{"status": "STATUS_FAILED"}}},
			"enabled=true&status=active&status=failed"},
		{"NOT exact", map[string]any{"NOT": map[string]any{"name": map[string]any{"exact": "core"}}}, "name__n=core"},
		{"NOT i_exact", map[string]any{"NOT": map[string]any{"name": map[string]any{"i_exact": "core"}}}, "name__nie=core"},
		{"NOT i_contains", map[string]any{"NOT": map[string]any{"name": map[string]any{"i_contains": "core"}}}, "name__nic=core"},
		{"NOT i_starts_with", map[string]any{"NOT": map[string]any{"name": map[string]any{"i_starts_with": "c"}}}, "name__nisw=c"},
		{"NOT i_ends_with", map[string]any{"NOT": map[string]any{"name": map[string]any{"i_ends_with": "c"}}}, "name__niew=c"},
		{"NOT regex by id", map[string]any{"NOT": map[string]any{"name": map[string]any{"regex": "^c"}}}, "id__n=ids(Device /api/dcim/devices/?name__regex=^c)"},
		{"NOT in_list", map[string]any{"NOT": map[string]any{"name": map[string]any{"in_list": []any{"core", "b"}}}}, "name__n=core&name__n=b"},
		{"NOT choice", map[string]any{"NOT": map[string]any{"status": []any{"STATUS_ACTIVE", "STATUS_FAILED"}}}, "status__n=active&status__n=failed"},
		{"NOT gt on nullable", map[string]any{"NOT": map[string]any{"position": cmp(map[string]any{"gt": 1.0})}}, "OR of 2 requests"},
		{"NOT gt without __empty", map[string]any{"NOT": map[string]any{"vc_position": cmp(map[string]any{"gt": int32(1)})}}, "id__n=ids(Device /api/dcim/devices/?vc_position__gt=1)"},
		{"NOT is_null", map[string]any{"NOT": map[string]any{"position": cmp(map[string]any{"is_null": true})}}, "position__empty=false"},
		{"NOT boolean", map[string]any{"NOT": map[string]any{"enabled": map[string]any{"exact": true}}}, "enabled=false"},
		{"NOT of a compound (De Morgan)", map[string]any{"NOT": map[string]any{"status": "STATUS_ACTIVE", "name": map[string]any{"i_contains": "core"}}}, "OR of 2 requests"},
		{"NOT of NOT", map[string]any{"NOT": map[string]any{"NOT": map[string]any{"status": "STATUS_ACTIVE"}}}, "status=active"},
		{"NOT with sibling", map[string]any{"enabled": map[string]any{"exact": true}, "NOT": map[string]any{"status": "STATUS_ACTIVE"}}, "enabled=true&status__n=active"},
		{"empty NOT vanishes", map[string]any{"status": "STATUS_ACTIVE", "NOT": map[string]any{}}, "?status=active"},
		{"empty OR vanishes", map[string]any{"status": "STATUS_ACTIVE", "OR": map[string]any{"name": map[string]any{}}}, "?status=active"},
		{"only OR", map[string]any{"OR": map[string]any{"status": "STATUS_ACTIVE"}}, "?status=active"},
		{"related", map[string]any{"tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}}, "tenant_id=ids(Tenant /api/tenancy/tenants/?name=Foo)"},
		{"related two levels", map[string]any{"site": map[string]any{"region": map[string]any{"slug": map[string]any{"exact": "r2"}}}},
			"site_id=ids(Site /api/dcim/sites/?region_id=ids(Region /api/dcim/regions/?slug=r2))"},
		{"NOT related keeps rows without one", map[string]any{"NOT": map[string]any{"tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}}}, "tenant_id__n=ids("},
		{"related matching a missing object", map[string]any{"tenant": map[string]any{"NOT": map[string]any{"name": map[string]any{"exact": "Foo"}}}}, "tenant_id__n=ids(Tenant /api/tenancy/tenants/?name=Foo)"},
		{"NOT related without __n", map[string]any{"NOT": map[string]any{"parent": map[string]any{"status": "STATUS_ACTIVE"}}}, "id__n=ids(Device /api/dcim/devices/?parent_id=ids("},
		{"empty related vanishes", map[string]any{"tenant": map[string]any{}}, "Device /api/dcim/devices/?"},
		{"nullable string is_null", map[string]any{"asset_tag": map[string]any{"is_null": true}}, "keep asset_tag=null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture()
			p, _ := fx.check(t, "Device", tc.in, all)
			if !strings.Contains(p.Explain(), tc.want) {
				t.Errorf("plan %q does not contain %q", p.Explain(), tc.want)
			}
			// pagination windows over the same plan
			for _, w := range []Window{{Offset: 3, Limit: 5}, {Offset: 10, Limit: 7, Ordering: []string{"-name"}}, {Limit: 0}} {
				fx.check(t, "Device", tc.in, w)
			}
		})
	}
}

// NetBox's documented example: "every site that is planned or assigned to a tenant named Foo".
func TestNetBoxDocExample(t *testing.T) {
	fx := newFixture()
	in := map[string]any{"status": "STATUS_PLANNED", "OR": map[string]any{"tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}}}
	_, res := fx.check(t, "Site", in, all)
	foo := map[int]bool{}
	for _, tn := range fx.data["Tenant"] {
		if tn["name"] == "Foo" {
			foo[tn.ID()] = true
		}
	}
	var want []int
	for _, s := range fx.data["Site"] {
		if s["status"].(map[string]any)["value"] == "planned" || foo[nestedID(s["tenant"])] {
			want = append(want, s.ID())
		}
	}
	if got := idsOf(res.Rows); !reflect.DeepEqual(got, want) || len(want) == 0 {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestMergedOrdering(t *testing.T) {
	fx := newFixture()
	in := map[string]any{"name": map[string]any{"i_contains": "core"}, "OR": map[string]any{"position": cmp(map[string]any{"gt": 2.0})}}
	_, res := fx.check(t, "Device", in, Window{Limit: 1000})
	ids := idsOf(res.Rows)
	sorted := true
	for i := 1; i < len(res.Rows); i++ {
		if order.CompareDefault(res.Rows[i-1], res.Rows[i], nil, fx.reg.Object("Device"), nil) >= 0 {
			t.Fatalf("without ordering a merged OR keeps the upstream's default order (devices by name): %v", ids)
		}
		sorted = sorted && ids[i-1] < ids[i]
	}
	if sorted {
		t.Errorf("the merged rows %v are in id order too; the case proves nothing", ids)
	}
	_, res = fx.check(t, "Device", in, Window{Limit: 1000, Ordering: []string{"-position", "name"}})
	for i := 1; i < len(res.Rows); i++ {
		if order.Compare(res.Rows[i-1], res.Rows[i], []string{"-position", "name"}) > 0 {
			t.Fatalf("rows %d and %d out of order", i-1, i)
		}
	}
	p, _ := Compile(fx.reg, fx.reg.Object("Device"), in)
	if _, err := p.Run(context.Background(), fx.fake, Window{Limit: 5, Ordering: []string{"site__name"}}); err == nil {
		t.Fatal("ordering a merged OR by a related field must be refused")
	}
}

func TestRefusals(t *testing.T) {
	reg := testRegistry()
	cases := []struct {
		name string
		obj  string
		in   map[string]any
		want string
	}{
		{"regex the endpoint lacks", "Site", map[string]any{"facility": map[string]any{"regex": "x"}}, "facility__regex"},
		{"i_regex the endpoint lacks", "Site", map[string]any{"facility": map[string]any{"i_regex": "x"}}, "facility__iregex"},
		{"case-sensitive lookup without regex or its case-insensitive one", "Site", map[string]any{"facility": map[string]any{"ends_with": "x"}}, "lists neither facility__regex nor facility__iew"},
		{"unknown field", "Device", map[string]any{"nope": map[string]any{"exact": "x"}}, `no filter field "nope"`},
		{"unknown enum", "Device", map[string]any{"status": "STATUS_NOPE"}, "STATUS_NOPE"},
		{"bad id", "Device", map[string]any{"id": map[string]any{"exact": "abc"}}, "not a valid int"},
		{"lookup value of wrong type", "Device", map[string]any{"name": "x"}, "want a StrFilterLookup"},
		{"derived is_null", "Device", map[string]any{"region_id": map[string]any{"is_null": true}}, "region_id__empty"},
		{"lt on a parameter with only __n", "Device", map[string]any{"region_id": map[string]any{"lt": "3"}}, "region_id__lt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(reg, reg.Object(tc.obj), tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := Compile(reg, nil, nil); err == nil {
		t.Fatal("nil object accepted")
	}
}

// TestRequestCounts reports the upstream requests of representative plans (go test -v).
func TestRequestCounts(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		max  int
	}{
		{"plain", map[string]any{"status": "STATUS_ACTIVE", "name": map[string]any{"i_contains": "c"}}, 1},
		{"OR over two values of one field", map[string]any{"status": "STATUS_ACTIVE", "OR": map[string]any{"status": "STATUS_FAILED"}}, 1},
		{"OR over two fields", map[string]any{"name": map[string]any{"i_contains": "core"}, "OR": map[string]any{"position": cmp(map[string]any{"gt": 2.0})}}, 2},
		{"NOT of a compound", map[string]any{"NOT": map[string]any{"status": "STATUS_ACTIVE", "name": map[string]any{"i_contains": "core"}}}, 2},
		{"related", map[string]any{"tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}}, 2},
		{"related two levels deep", map[string]any{"site": map[string]any{"region": map[string]any{"slug": map[string]any{"exact": "r2"}}}}, 3},
		{"related without a match", map[string]any{"tenant": map[string]any{"name": map[string]any{"exact": "nobody"}}}, 1},
		{"NetBox doc example (Site)", nil, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture()
			obj := "Device"
			if tc.in == nil {
				obj = "Site"
				tc.in = map[string]any{"status": "STATUS_PLANNED", "OR": map[string]any{"tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}}}
			}
			fx.check(t, obj, tc.in, Window{Limit: 100})
			run := fx.fake.calls
			log := append([]string(nil), fx.fake.log...)
			p, _ := Compile(fx.reg, fx.reg.Object(obj), tc.in)
			fx.fake.reset()
			if _, err := p.Count(context.Background(), fx.fake); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: Run %d requests, Count %d\n  %s", tc.name, run, fx.fake.calls, strings.Join(log, "\n  "))
			if run > tc.max {
				t.Errorf("Run made %d requests, want at most %d", run, tc.max)
			}
		})
	}
}

func TestSemiJoinsResolvedOnce(t *testing.T) {
	fx := newFixture()
	dev := fx.reg.Object("Device")
	p, err := Compile(fx.reg, dev, map[string]any{"tenant": map[string]any{"id": map[string]any{"lte": "4"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Run(ctx, fx.fake, Window{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	fx.fake.reset()
	q, ok, err := p.Simple(ctx, fx.fake)
	if err != nil || !ok || fx.fake.calls != 0 || len(q["tenant_id"]) == 0 {
		t.Fatalf("Simple after Run: %v %v %v, %d requests", q, ok, err, fx.fake.calls)
	}
}

type failing struct{ err error }

func (f failing) Page(context.Context, *model.Object, url.Values) (*rest.Page, error) {
	return nil, f.err
}
func (f failing) All(context.Context, *model.Object, url.Values) ([]rest.Object, error) {
	return nil, f.err
}

func TestFetcherErrorsPropagate(t *testing.T) {
	reg := testRegistry()
	boom := errors.New("upstream 503")
	for _, in := range []map[string]any{
		{"status": "STATUS_ACTIVE"},
		{"tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}},
		{"name": map[string]any{"i_contains": "core"}, "OR": map[string]any{"position": cmp(map[string]any{"gt": 2.0})}},
	} {
		p, err := Compile(reg, reg.Object("Device"), in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Run(context.Background(), failing{boom}, Window{Limit: 5}); !errors.Is(err, boom) {
			t.Errorf("Run error %v, want it to wrap %v", err, boom)
		}
		if _, err := p.Count(context.Background(), failing{boom}); !errors.Is(err, boom) {
			t.Errorf("Count error %v, want it to wrap %v", err, boom)
		}
	}
}

// TestGeneratedRegistry compiles a filter on every filter field of every generated object type:
// each compiles or is refused with an error naming the missing REST parameter.
func TestGeneratedRegistry(t *testing.T) {
	reg := model.Default()
	if len(reg.Objects) == 0 {
		t.Skip("the generated registry is empty")
	}
	sample := map[string]any{
		"StrFilterLookup": map[string]any{"i_contains": "x"}, "IDFilterLookup": map[string]any{"exact": "1"},
		"IntFilterLookup": map[string]any{"gte": int32(1)}, "BigIntFilterLookup": map[string]any{"lte": "5"},
		"FloatFilterLookup": map[string]any{"lt": 1.5}, "BoolFilterLookup": map[string]any{"exact": true},
		"DateTimeFilterLookup": map[string]any{"gt": "2024-01-01T00:00:00Z"}, "DateFilterLookup": map[string]any{"gt": "2024-01-01"},
		// NetBox 4.6.8's inputs
		"IDComparisonFilterLookup": map[string]any{"in_list": []any{"1", "2"}}, "IntComparisonFilterLookup": map[string]any{"gte": int32(1)},
		"BigIntComparisonFilterLookup": map[string]any{"lte": "5"}, "FloatComparisonFilterLookup": map[string]any{"lt": 1.5},
		"DatetimeFilterLookup": map[string]any{"gt": "2024-01-01T00:00:00Z", "year": map[string]any{"exact": int32(2024)}},
		"IntegerLookup":        cmp(map[string]any{"gte": int32(1)}), "BigIntegerLookup": map[string]any{"range_lookup": map[string]any{"start": "1", "end": "5"}},
		"FloatLookup": map[string]any{"filter_lookup": map[string]any{"exact": 1.5}}, "DecimalLookup": cmp(map[string]any{"lt": 1.5}),
	}
	compiled, refused := 0, 0
	for _, o := range reg.Objects {
		for _, ff := range o.FilterFields {
			var v any
			switch ff.Kind {
			case model.FilterChoice:
				f := o.Field(ff.Field)
				if f == nil || len(f.Choices) == 0 {
					t.Errorf("%s.%s: choice filter without choices", o.Name, ff.Name)
					continue
				}
				v = f.Choices[0].Enum
				if strings.HasSuffix(ff.Input, "BaseFilterLookup") {
					v = map[string]any{"in_list": []any{f.Choices[0].Enum}}
				}
			case model.FilterID:
				v = "1"
			case model.FilterDistinct:
				v = true
			case model.FilterUnavailable:
				_, err := Compile(reg, o, map[string]any{ff.Name: map[string]any{}})
				if want := fmt.Sprintf("%sFilter.%s is not available through REST: ", o.Name, ff.Name); err == nil || !strings.Contains(err.Error(), want) || ff.Reason == "" {
					t.Errorf("%s.%s: error %v, want %q and a reason", o.Name, ff.Name, err, want)
				}
				continue
			case model.FilterRelated:
				v = map[string]any{"id": map[string]any{"exact": "1"}}
				if ff.Input == "TreeNodeFilter" {
					v = map[string]any{"id": "1", "match_type": "DESCENDANTS"}
				}
			case model.FilterCustomFields:
				v = map[string]any{"path": "owner", "lookup": map[string]any{"string_lookup": map[string]any{"i_contains": "x"}}}
			default:
				v = sample[ff.Input]
				if v == nil {
					t.Errorf("%s.%s: no sample for input %s", o.Name, ff.Name, ff.Input)
					continue
				}
			}
			for _, in := range []map[string]any{{ff.Name: v}, {"NOT": map[string]any{ff.Name: v}}} {
				owner := CustomFields{"owner": {Name: "owner", Type: "text", FilterLogic: "exact", ObjectTypes: []string{o.ContentType}}}
				p, err := Compile(reg, o, in, WithCustomFields(owner))
				if err != nil {
					if !strings.Contains(err.Error(), "has no") && !strings.Contains(err.Error(), "unsupported lookup") {
						t.Errorf("%s %v: unclear error %v", o.Name, in, err)
					}
					if refused < 8 {
						t.Logf("refused: %v", err)
					}
					refused++
					continue
				}
				if p.Explain() == "" {
					t.Errorf("%s: empty explain", o.Name)
				}
				compiled++
			}
		}
	}
	t.Logf("%d objects: %d filters compiled, %d refused", len(reg.Objects), compiled, refused)
}

// Many-to-many related filters: a semi-join is Django's join only for positive filters that
// appear once; the others are refused.
func TestManyToManyRelated(t *testing.T) {
	reg := testRegistry()
	tag := &model.Object{Name: "Tag", Path: "/api/extras/tags/",
		Fields:       []model.Field{scalarField("id", "ID", false), scalarField("slug", "String", false)},
		Filters:      []model.FilterParam{{Name: "id", Type: model.ParamInt, Exact: true, Lookups: numLookups, Field: "id"}, {Name: "slug", Type: model.ParamString, Exact: true, Lookups: strLookups, Field: "slug"}},
		FilterFields: []model.FilterField{lookupFF("slug", "StrFilterLookup", "slug", model.ParamString, "slug")}}
	vm := &model.Object{Name: "VM", Path: "/api/virtualization/virtual-machines/",
		Fields:       []model.Field{scalarField("id", "ID", false), {Name: "tags", Kind: model.KindManyToMany, List: true, Related: "Tag"}},
		Filters:      []model.FilterParam{{Name: "id", Type: model.ParamInt, Exact: true, Lookups: numLookups, Field: "id"}, {Name: "tag_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "tags", Related: "Tag", RelatedKey: "id"}},
		FilterFields: []model.FilterField{relFF("tags", "Tag", "tag_id", "tags")}}
	reg = model.NewRegistry(append(append([]*model.Object{}, reg.Objects...), tag, vm), nil)
	slug := func(s string) map[string]any { return map[string]any{"slug": map[string]any{"exact": s}} }
	ok := []map[string]any{
		{"tags": slug("a")},
		{"NOT": map[string]any{"tags": slug("a")}},
		{"tags": map[string]any{"slug": map[string]any{"exact": "a"}, "OR": slug("b")}},
	}
	for _, in := range ok {
		p, err := Compile(reg, vm, in)
		if err != nil {
			t.Errorf("%v: %v", in, err)
			continue
		}
		if !strings.Contains(p.Explain(), "tag_id") {
			t.Errorf("%v: plan %s", in, p.Explain())
		}
	}
	bad := []map[string]any{
		{"tags": map[string]any{"NOT": slug("a")}},
		{"tags": map[string]any{"slug": map[string]any{"is_null": true}}},
		{"tags": slug("a"), "AND": map[string]any{"tags": slug("b")}},
		{"NOT": map[string]any{"tags": map[string]any{"slug": map[string]any{"exact": "a"}, "OR": slug("b")}}},
	}
	for _, in := range bad {
		if _, err := Compile(reg, vm, in); err == nil || !strings.Contains(err.Error(), "many-to-many") {
			t.Errorf("%v: error %v, want a many-to-many refusal", in, err)
		}
	}
}

// cmp wraps lookups in NetBox 4.5+'s one-of comparison_lookup member.
func cmp(lookups map[string]any) map[string]any {
	return map[string]any{"comparison_lookup": lookups}
}
