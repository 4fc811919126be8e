package netboxsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

// newRegistry is a hand-made registry of three types, independent of the generated one.
func newRegistry() *model.Registry {
	base := func() []model.Field {
		return []model.Field{
			{Name: "id", Kind: model.KindScalar, GraphQL: model.TypeID},
			{Name: "url", Kind: model.KindScalar, GraphQL: model.TypeString, Format: "uri"},
			{Name: "display", Kind: model.KindScalar, GraphQL: model.TypeString},
			{Name: "name", Kind: model.KindScalar, GraphQL: model.TypeString},
			{Name: "slug", Kind: model.KindScalar, GraphQL: model.TypeString},
		}
	}
	str := func(name string, field string) model.FilterParam {
		return model.FilterParam{Name: name, Type: model.ParamString, Exact: true, Field: field,
			Lookups: []string{"n", "ic", "nic", "isw", "nisw", "iew", "niew", "ie", "nie", "empty", "regex", "iregex"}}
	}
	brief := []string{"id", "url", "display", "name", "slug"}
	tag := &model.Object{Name: "Tag", Type: "TagType", Path: "/api/extras/tags/", ContentType: "extras.tag",
		Fields: base(), Brief: brief, Filters: []model.FilterParam{str("name", "name")}}
	tenant := &model.Object{Name: "Tenant", Type: "TenantType", Path: "/api/tenancy/tenants/", ContentType: "tenancy.tenant",
		Fields: base(), Brief: brief, Filters: []model.FilterParam{str("name", "name")}}
	siteFields := append(base(),
		model.Field{Name: "status", Kind: model.KindChoice, GraphQL: model.TypeString, ChoiceObject: true,
			Choices: []model.Choice{{Value: "active", Label: "Active"}, {Value: "planned", Label: "Planned"}}},
		model.Field{Name: "tenant", Kind: model.KindForeignKey, Related: "Tenant", Nullable: true, NestedKeys: brief},
		model.Field{Name: "tags", Kind: model.KindManyToMany, List: true, Related: "Tag", NestedKeys: brief},
		model.Field{Name: "weight", Kind: model.KindScalar, GraphQL: model.TypeInt},
	)
	site := &model.Object{Name: "Site", Type: "SiteType", Path: "/api/dcim/sites/", ContentType: "dcim.site",
		Fields: siteFields, Brief: brief,
		Filters: []model.FilterParam{
			str("name", "name"),
			{Name: "id", Type: model.ParamInt, Exact: true, Field: "id", Lookups: []string{"n", "lt", "gt"}},
			{Name: "weight", Type: model.ParamInt, Exact: true, Field: "weight", Lookups: []string{"n", "lt", "lte", "gt", "gte", "empty"}},
			{Name: "status", Type: model.ParamChoice, Exact: true, Field: "status", Lookups: []string{"n"}},
			{Name: "tenant_id", Type: model.ParamInt, Exact: true, Field: "tenant", Related: "Tenant", RelatedKey: "id", Lookups: []string{"n"}},
			{Name: "tenant", Type: model.ParamString, Exact: true, Field: "tenant", Related: "Tenant", RelatedKey: "slug", Lookups: []string{"n"}},
			{Name: "tag", Type: model.ParamString, Exact: true, Field: "tags", Related: "Tag", RelatedKey: "slug", Lookups: []string{"n"}},
		}}
	return model.NewRegistry([]*model.Object{tag, tenant, site}, nil)
}

func TestSmallRegistry(t *testing.T) {
	ts := newServer(t, Options{Registry: newRegistry(), Scale: 3})
	all := ts.list(t, "/api/dcim/sites/?limit=0")
	if count(t, all) != 30 || len(all.Results) != 30 {
		t.Fatalf("%d sites", count(t, all))
	}
	cases := []struct {
		query string
		want  func(r map[string]any) bool
	}{
		{"tenant_id=1", func(r map[string]any) bool { return nestedField(r, "tenant", "id") == 1.0 }},
		{"tenant=tenant-2", func(r map[string]any) bool { return nestedField(r, "tenant", "slug") == "tenant-2" }},
		{"weight__gte=10&status=active", func(r map[string]any) bool {
			return r["weight"].(float64) >= 10 && str(r["status"]) == "active"
		}},
		{"name__ic=site+1", func(r map[string]any) bool { return strings.Contains(strings.ToLower(str(r["name"])), "site 1") }},
		{"id__gt=25", func(r map[string]any) bool { return r["id"].(float64) > 25 }},
	}
	for _, c := range cases {
		var want []int
		for _, r := range all.Results {
			if c.want(r) {
				want = append(want, int(r["id"].(float64)))
			}
		}
		got := ts.list(t, "/api/dcim/sites/?limit=0&"+c.query)
		if len(want) == 0 || len(ids(got)) != len(want) {
			t.Errorf("%s: got %v, want %v", c.query, ids(got), want)
		}
	}
	resp, body := ts.get(t, "/api/dcim/sites/?tenant_id=999", DemoFullToken)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "tenant_id") {
		t.Errorf("unknown tenant id: %d %s", resp.StatusCode, body)
	}
}

func TestRegistryErrors(t *testing.T) {
	bad := &model.Object{Name: "Thing", Type: "ThingType", Path: "/api/x/things/", ContentType: "x.thing",
		Fields: []model.Field{{Name: "id", Kind: model.KindScalar, GraphQL: model.TypeID},
			{Name: "owner", Kind: model.KindForeignKey, Related: "Nobody"}}}
	if _, err := New(Options{Registry: model.NewRegistry([]*model.Object{bad}, nil)}); err == nil || !strings.Contains(err.Error(), "Nobody") {
		t.Errorf("dangling relation: %v", err)
	}
	if _, err := New(Options{Registry: model.NewRegistry(nil, nil)}); err == nil {
		t.Error("empty registry accepted")
	}
}
