package filters

import (
	"context"
	"fmt"
	"math/rand"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graphbox/graphbox/filters/filtertest"
	"github.com/graphbox/graphbox/filters/internal/order"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// The test inventory: Region (self-nested), Tenant, Site, Device (self-nested through parent),
// shaped like the generated registry (FilterParams with NetBox's lookups, FilterFields).

var strLookups = []string{"empty", "ic", "ie", "iew", "iregex", "isw", "n", "nic", "nie", "niew", "nisw", "regex"}
var numLookups = []string{"empty", "gt", "gte", "lt", "lte", "n"}

func fk(name, related string, nullable bool) model.Field {
	return model.Field{Name: name, Kind: model.KindForeignKey, Related: related, Nullable: nullable, NestedKeys: []string{"id", "display", "name", "slug"}}
}

func scalarField(name, gql string, nullable bool) model.Field {
	return model.Field{Name: name, Kind: model.KindScalar, GraphQL: gql, Nullable: nullable}
}

func lookupFF(name, input, param string, t model.ParamType, field string) model.FilterField {
	return model.FilterField{Name: name, Kind: model.FilterLookup, Input: input, Param: param, Type: t, Field: field}
}

func relFF(name, related, param, field string) model.FilterField {
	return model.FilterField{Name: name, Kind: model.FilterRelated, Input: related + "Filter", Param: param, Type: model.ParamInt, Field: field, Related: related}
}

// oneOfFF is a NetBox 4.5+ one-of numeric lookup (IntegerLookup, FloatLookup, ...).
func oneOfFF(name, input, param string, t model.ParamType) model.FilterField {
	return model.FilterField{Name: name, Kind: model.FilterLookup, Input: input, Param: param, Type: t, Field: name, OneOf: true}
}

// idFF is a NetBox 4.5+ bare ID foreign key (site_id: ID).
func idFF(name, param, field string) model.FilterField {
	return model.FilterField{Name: name, Kind: model.FilterID, Input: "ID", Param: param, Type: model.ParamInt, Field: field}
}

var idParam = model.FilterParam{Name: "id", Type: model.ParamInt, Exact: true, Lookups: numLookups, Field: "id"}

// named is an object type with an id and non-null string fields, filtered by NetBox's lookups.
func named(name, path, contentType, idInput string, strs ...string) *model.Object {
	o := &model.Object{Name: name, Path: path, ContentType: contentType, Search: true, Ordering: true,
		Fields:       []model.Field{scalarField("id", "ID", false)},
		Filters:      []model.FilterParam{idParam},
		FilterFields: []model.FilterField{lookupFF("id", idInput, "id", model.ParamInt, "id")}}
	for _, f := range strs {
		o.Fields = append(o.Fields, scalarField(f, "String", false))
		o.Filters = append(o.Filters, model.FilterParam{Name: f, Type: model.ParamString, Exact: true, Lookups: strLookups, Field: f})
		o.FilterFields = append(o.FilterFields, lookupFF(f, "StrFilterLookup", f, model.ParamString, f))
	}
	return o
}

func testRegistry() *model.Registry {
	region := named("Region", "/api/dcim/regions/", "dcim.region", "IDFilterLookup", "name", "slug")
	region.Fields = append(region.Fields, fk("parent", "Region", true))
	region.Filters = append(region.Filters, model.FilterParam{Name: "parent_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "parent", Related: "Region", RelatedKey: "id"})
	region.FilterFields = append(region.FilterFields, relFF("parent", "Region", "parent_id", "parent"),
		lookupFF("parent_id", "IDFilterLookup", "parent_id", model.ParamInt, "parent"))
	tenant := named("Tenant", "/api/tenancy/tenants/", "tenancy.tenant", "IDFilterLookup", "name", "slug", "description")
	siteStatus := model.Field{Name: "status", Kind: model.KindChoice, ChoiceObject: true, Choices: []model.Choice{
		{Value: "active", Label: "Active", Enum: "STATUS_ACTIVE"}, {Value: "planned", Label: "Planned", Enum: "STATUS_PLANNED"}, {Value: "retired", Label: "Retired", Enum: "STATUS_RETIRED"}}}
	site := &model.Object{Name: "Site", Path: "/api/dcim/sites/", ContentType: "dcim.site", Search: true, Ordering: true,
		Fields: []model.Field{scalarField("id", "ID", false), scalarField("name", "String", false), scalarField("slug", "String", false), siteStatus,
			fk("region", "Region", true), fk("tenant", "Tenant", true), scalarField("facility", "String", true), scalarField("asn", "BigInt", true), scalarField("description", "String", false)},
		Filters: []model.FilterParam{idParam,
			{Name: "name", Type: model.ParamString, Exact: true, Lookups: strLookups, Field: "name"},
			{Name: "slug", Type: model.ParamString, Exact: true, Lookups: strLookups, Field: "slug"},
			{Name: "status", Type: model.ParamChoice, Exact: true, Lookups: strLookups, Field: "status"},
			{Name: "region_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "region", Related: "Region", RelatedKey: "id"},
			{Name: "tenant_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "tenant", Related: "Tenant", RelatedKey: "id"},
			{Name: "tenant", Type: model.ParamString, Exact: true, Lookups: []string{"n"}, Field: "tenant", Related: "Tenant", RelatedKey: "slug"},
			// facility: no regex, no nisw/niew: contains needs an error, NOT starts_with the id fallback
			{Name: "facility", Type: model.ParamString, Exact: true, Lookups: []string{"empty", "ic", "ie", "isw", "n", "nic", "nie"}, Field: "facility"},
			{Name: "asn", Type: model.ParamInt, Exact: true, Lookups: numLookups, Field: "asn"},
			{Name: "description", Type: model.ParamString, Exact: true, Lookups: strLookups, Field: "description"},
		},
		FilterFields: []model.FilterField{
			lookupFF("id", "IDFilterLookup", "id", model.ParamInt, "id"),
			lookupFF("name", "StrFilterLookup", "name", model.ParamString, "name"),
			lookupFF("slug", "StrFilterLookup", "slug", model.ParamString, "slug"),
			{Name: "status", Kind: model.FilterChoice, Input: "SiteStatusEnum", Param: "status", Type: model.ParamChoice, Field: "status"},
			relFF("region", "Region", "region_id", "region"),
			lookupFF("region_id", "IDFilterLookup", "region_id", model.ParamInt, "region"),
			relFF("tenant", "Tenant", "tenant_id", "tenant"),
			lookupFF("tenant_id", "IDFilterLookup", "tenant_id", model.ParamInt, "tenant"),
			lookupFF("facility", "StrFilterLookup", "facility", model.ParamString, "facility"),
			oneOfFF("asn", "BigIntegerLookup", "asn", model.ParamInt),
			lookupFF("description", "StrFilterLookup", "description", model.ParamString, "description"),
		}}
	devStatus := model.Field{Name: "status", Kind: model.KindChoice, ChoiceObject: true, Choices: []model.Choice{
		{Value: "active", Label: "Active", Enum: "STATUS_ACTIVE"}, {Value: "offline", Label: "Offline", Enum: "STATUS_OFFLINE"},
		{Value: "planned", Label: "Planned", Enum: "STATUS_PLANNED"}, {Value: "failed", Label: "Failed", Enum: "STATUS_FAILED"}}}
	device := &model.Object{Name: "Device", Path: "/api/dcim/devices/", ContentType: "dcim.device", Search: true, Ordering: true,
		Fields: []model.Field{scalarField("id", "ID", false), scalarField("name", "String", true), scalarField("serial", "String", false), devStatus,
			fk("site", "Site", false), fk("tenant", "Tenant", true), fk("parent", "Device", true),
			scalarField("position", "Float", true), scalarField("vc_position", "Int", true), scalarField("created", "String", false),
			scalarField("enabled", "Boolean", false), scalarField("asset_tag", "String", true),
			{Name: "tags", Kind: model.KindManyToMany, List: true, Related: "Tag", NestedKeys: []string{"id", "name", "slug"}},
			{Name: "warranty", Kind: model.KindScalar, GraphQL: "String", Format: "date", Nullable: true}},
		Filters: []model.FilterParam{idParam,
			{Name: "name", Type: model.ParamString, Exact: true, Lookups: strLookups, Field: "name"},
			// serial: no nisw/niew/empty
			{Name: "serial", Type: model.ParamString, Exact: true, Lookups: []string{"ic", "ie", "iew", "iregex", "isw", "n", "nic", "nie", "regex"}, Field: "serial"},
			{Name: "status", Type: model.ParamChoice, Exact: true, Lookups: strLookups, Field: "status"},
			{Name: "site_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "site", Related: "Site", RelatedKey: "id"},
			{Name: "tenant_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}, Field: "tenant", Related: "Tenant", RelatedKey: "id"},
			// parent_id: no __n, so NOT parent:{…} goes through id__n
			{Name: "parent_id", Type: model.ParamInt, Exact: true, Field: "parent", Related: "Device", RelatedKey: "id"},
			{Name: "region_id", Type: model.ParamInt, Exact: true, Lookups: []string{"n"}}, // derived: site.region
			{Name: "position", Type: model.ParamFloat, Exact: true, Lookups: numLookups, Field: "position"},
			// vc_position: no __empty, so NOT gt needs the id fallback
			{Name: "vc_position", Type: model.ParamInt, Exact: true, Lookups: []string{"gt", "gte", "lt", "lte", "n"}, Field: "vc_position"},
			{Name: "created", Type: model.ParamDateTime, Exact: true, Lookups: numLookups, Field: "created"},
			{Name: "enabled", Type: model.ParamBool, Exact: true, Field: "enabled"},
			{Name: "asset_tag", Type: model.ParamString, Exact: true, Lookups: strLookups, Field: "asset_tag"},
			// NetBox's TagIDFilter: the bare parameter wants all of its values, __any one of them
			{Name: "tag_id", Type: model.ParamInt, Exact: true, Lookups: []string{"any", "n"}, Field: "tags", Related: "Tag", RelatedKey: "id"},
			{Name: "warranty", Type: model.ParamDate, Exact: true, Lookups: numLookups, Field: "warranty"},
		},
		// NetBox 4.6.8's DeviceFilter shapes: ID foreign keys, one-of numbers, enum lookups,
		// DatetimeFilterLookup, tags, DISTINCT, and a field REST cannot answer.
		FilterFields: []model.FilterField{
			lookupFF("id", "IDComparisonFilterLookup", "id", model.ParamInt, "id"),
			lookupFF("name", "StrFilterLookup", "name", model.ParamString, "name"),
			lookupFF("serial", "StrFilterLookup", "serial", model.ParamString, "serial"),
			{Name: "status", Kind: model.FilterChoice, Input: "DeviceStatusEnumBaseFilterLookup", Param: "status", Type: model.ParamChoice, Field: "status"},
			relFF("site", "Site", "site_id", "site"),
			idFF("site_id", "site_id", "site"),
			relFF("tenant", "Tenant", "tenant_id", "tenant"),
			idFF("tenant_id", "tenant_id", "tenant"),
			relFF("parent", "Device", "parent_id", "parent"),
			lookupFF("region_id", "IDFilterLookup", "region_id", model.ParamInt, ""),
			oneOfFF("position", "FloatLookup", "position", model.ParamFloat),
			oneOfFF("vc_position", "IntegerLookup", "vc_position", model.ParamInt),
			lookupFF("created", "DatetimeFilterLookup", "created", model.ParamDateTime, "created"),
			lookupFF("enabled", "BoolFilterLookup", "enabled", model.ParamBool, "enabled"),
			lookupFF("asset_tag", "StrFilterLookup", "asset_tag", model.ParamString, "asset_tag"),
			relFF("tags", "Tag", "tag_id", "tags"),
			lookupFF("warranty", "DateFilterLookup", "warranty", model.ParamDate, "warranty"),
			{Name: "interface_count", Kind: model.FilterUnavailable, Input: "IntFilterLookup", Reason: "the count is not a REST filter parameter"},
			{Name: "DISTINCT", Kind: model.FilterDistinct, Input: "Boolean"},
		}}
	// Devices list by name in the natural_sort collation, as NetBox's do, so that merged
	// windows are checked in an order that is not the ids'.
	device.Order = model.Ordering{Terms: []model.OrderTerm{{Path: "name", Collation: model.CollateNatural}, {Path: "id"}}}
	tag := named("Tag", "/api/extras/tags/", "extras.tag", "IDComparisonFilterLookup", "name", "slug")
	return model.NewRegistry([]*model.Object{region, tenant, site, device, tag}, nil)
}

// dataset is the in-memory inventory, by object name, rows in id order.
type dataset = filtertest.Dataset

var vocab = filtertest.Vocab

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

func nested(row rest.Object) map[string]any {
	if row == nil {
		return nil
	}
	return map[string]any{"id": float64(row.ID()), "display": row["name"], "name": row["name"], "slug": row["slug"]}
}

// makeData builds a deterministic inventory; nullable fields hold NULL and "" alike.
func makeData(seed int64) dataset {
	r := rand.New(rand.NewSource(seed))
	d := dataset{}
	str := func(nullable bool) any {
		switch x := r.Intn(12); {
		case x == 0 && nullable:
			return nil
		case x == 1:
			return ""
		}
		return pick(r, vocab) + pick(r, []string{"", "", "-" + strconv.Itoa(r.Intn(4)), " " + pick(r, vocab)})
	}
	for i := 1; i <= 6; i++ {
		row := rest.Object{"id": float64(i), "name": str(false), "slug": fmt.Sprintf("r%d", i), "parent": nil}
		if i > 2 {
			row["parent"] = nested(d["Region"][r.Intn(i-1)])
		}
		d["Region"] = append(d["Region"], row)
	}
	for i := 1; i <= 5; i++ {
		d["Tenant"] = append(d["Tenant"], rest.Object{"id": float64(i), "name": pick(r, []string{"Foo", "foo", "Bar", "Baz"}), "slug": fmt.Sprintf("t%d", i), "description": str(false)})
	}
	for i := 1; i <= 14; i++ {
		row := rest.Object{"id": float64(i), "name": str(false), "slug": fmt.Sprintf("s%d", i),
			"status": map[string]any{"value": pick(r, []string{"active", "planned", "retired"}), "label": "x"},
			"region": nil, "tenant": nil, "facility": str(true), "asn": nil, "description": str(false)}
		if r.Intn(4) > 0 {
			row["region"] = nested(pick(r, d["Region"]))
		}
		if r.Intn(3) > 0 {
			row["tenant"] = nested(pick(r, d["Tenant"]))
		}
		if r.Intn(3) > 0 {
			row["asn"] = float64(64500 + r.Intn(6))
		}
		d["Site"] = append(d["Site"], row)
	}
	for i := 1; i <= 90; i++ {
		row := rest.Object{"id": float64(i), "name": str(true), "serial": str(false),
			"status": map[string]any{"value": pick(r, []string{"active", "offline", "planned", "failed"}), "label": "x"},
			"site":   nested(pick(r, d["Site"])), "tenant": nil, "parent": nil, "position": nil, "vc_position": nil,
			"created": fmt.Sprintf("2024-01-%02dT%02d:00:00Z", 1+r.Intn(5), r.Intn(3)),
			"enabled": r.Intn(3) > 0, "asset_tag": str(true)}
		if r.Intn(2) > 0 {
			row["tenant"] = nested(pick(r, d["Tenant"]))
		}
		if i > 3 && r.Intn(3) == 0 {
			row["parent"] = nested(d["Device"][r.Intn(i-1)])
		}
		if r.Intn(3) > 0 {
			row["position"] = float64(r.Intn(8)) / 2
		}
		if r.Intn(2) > 0 {
			row["vc_position"] = float64(r.Intn(5))
		}
		d["Device"] = append(d["Device"], row)
	}
	// a regex-special name that escaping must keep literal
	d["Device"][0]["name"] = "a.b+c"
	d["Device"][1]["name"] = "aXb+c"
	// tags and warranty dates draw from their own stream: the rows above stay as they were
	r = rand.New(rand.NewSource(seed + 1))
	for i := 1; i <= 6; i++ {
		d["Tag"] = append(d["Tag"], rest.Object{"id": float64(i), "name": pick(r, vocab), "slug": fmt.Sprintf("tag%d", i)})
	}
	for _, row := range d["Device"] {
		tags := []any{}
		for _, t := range r.Perm(len(d["Tag"]))[:r.Intn(4)] {
			tags = append(tags, nested(d["Tag"][t]))
		}
		row["tags"] = tags
		row["warranty"] = nil
		if r.Intn(4) > 0 {
			// around the turn of the year, across an ISO year boundary (2024-12-30 is ISO 2025)
			row["warranty"] = time.Date(2024, 12, 24+r.Intn(14), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
	}
	return d
}

// deviceRegion is the derived region_id of a device: its site's region.
func deviceRegion(data dataset) func(obj *model.Object, p *model.FilterParam, row rest.Object) any {
	return func(obj *model.Object, p *model.FilterParam, row rest.Object) any {
		if obj.Name != "Device" || p.Name != "region_id" {
			panic("no derived parameter " + p.Name)
		}
		site := data.ByID("Site", nestedID(row["site"]))
		if site == nil {
			return nil
		}
		if id := nestedID(site["region"]); id > 0 {
			return float64(id)
		}
		return nil
	}
}

// paramValue reads what a filter parameter tests on a row: one value, or nil.
func paramValue(data dataset, obj *model.Object, p *model.FilterParam, row rest.Object) any {
	return (&filtertest.Reference{Data: data, Derived: deviceRegion(data)}).ParamValue(obj, p, row)
}

var nestedID = filtertest.NestedID

// fakeREST evaluates REST list queries as NetBox does: repeated values OR, different parameters
// AND, negated lookups exclude (keeping NULLs), __empty is "NULL or ”" on strings and IS NULL
// otherwise, empty values are ignored, booleans take the last value, pages cap at maxPage.
type fakeREST struct {
	reg     *model.Registry
	data    dataset
	maxPage int

	mu    sync.Mutex
	calls int      // upstream requests (each page of All counts)
	log   []string // the requests, for figures
}

func (f *fakeREST) query(obj *model.Object, q url.Values) ([]rest.Object, error) {
	var out []rest.Object
	rows := f.data[obj.Name]
	type cond struct {
		p      *model.FilterParam
		lookup string
		vals   []string
	}
	var conds []cond
	for k, vs := range q {
		switch k {
		case "limit", "offset", "ordering", "fields", "q", "brief":
			continue
		}
		base, lookup, _ := strings.Cut(k, "__")
		p := obj.Filter(base)
		if p == nil || !p.HasLookup(lookup) {
			return nil, fmt.Errorf("400: unknown parameter %s on %s", k, obj.Path)
		}
		var nonEmpty []string
		for _, v := range vs {
			if v != "" {
				nonEmpty = append(nonEmpty, v)
			}
		}
		if len(nonEmpty) == 0 {
			continue
		}
		if lookup == "empty" || p.Type == model.ParamBool {
			nonEmpty = nonEmpty[len(nonEmpty)-1:]
		}
		for _, v := range nonEmpty {
			if lookup == "regex" || lookup == "iregex" {
				if _, err := regexp.Compile(v); err != nil {
					return nil, fmt.Errorf("400: bad regex %q", v)
				}
			}
		}
		conds = append(conds, cond{p, lookup, nonEmpty})
	}
	search := strings.ToUpper(q.Get("q"))
	for _, row := range rows {
		ok := true
		for _, c := range conds {
			if fld := obj.Field(c.p.Field); fld != nil && fld.Kind == model.KindManyToMany {
				if !m2mMatch(c.p, c.lookup, c.vals, row[fld.Name]) {
					ok = false
					break
				}
				continue
			}
			v := paramValue(f.data, obj, c.p, row)
			if !restMatch(c.p, c.lookup, c.vals, v) {
				ok = false
				break
			}
		}
		if ok && search != "" {
			name, _ := row["name"].(string)
			ok = strings.Contains(strings.ToUpper(name), search)
		}
		if ok {
			out = append(out, row)
		}
	}
	var ordering []string
	if o := q.Get("ordering"); o != "" {
		ordering = strings.Split(o, ",")
	}
	if ordering == nil {
		order.Default(out, nil, obj, nil) // the type's default order (Device: by name)
	} else {
		order.Rows(out, ordering)
	}
	return out, nil
}

// m2mMatch is NetBox's filter on a many-to-many relation: tag_id (a TagIDFilter) wants all of
// its values, tag_id__any one of them, __n none (one exclude per value); other parameters OR.
func m2mMatch(p *model.FilterParam, lookup string, vals []string, list any) bool {
	has := map[string]bool{}
	l, _ := list.([]any)
	for _, e := range l {
		has[strconv.Itoa(nestedID(e))] = true
	}
	n := 0
	for _, v := range vals {
		if has[v] {
			n++
		}
	}
	switch {
	case lookup == "n":
		return n == 0
	case lookup == "" && p.HasLookup("any"):
		return n == len(vals)
	}
	return n > 0
}

func restMatch(p *model.FilterParam, lookup string, vals []string, v any) bool {
	switch lookup {
	case "n", "nie", "nic", "nisw", "niew":
		pos := map[string]string{"n": "", "nie": "ie", "nic": "ic", "nisw": "isw", "niew": "iew"}[lookup]
		return !restMatch(p, pos, vals, v)
	case "empty":
		b := vals[0] == "true"
		if p.Type == model.ParamString || p.Type == model.ParamChoice {
			s, _ := v.(string)
			return (v == nil || s == "") == b
		}
		return (v == nil) == b
	}
	if v == nil {
		return false
	}
	for _, want := range vals {
		if p.Type == model.ParamDate || p.Type == model.ParamDateTime {
			if filtertest.DateMatch(lookup, want, v) {
				return true
			}
		} else if leafMatch(lookup, want, v) {
			return true
		}
	}
	return false
}

var leafMatch = filtertest.LeafMatch

func project(row rest.Object, fields string) rest.Object {
	if fields == "" {
		return row
	}
	out := rest.Object{}
	for _, f := range strings.Split(fields, ",") {
		if v, ok := row[f]; ok {
			out[f] = v
		}
	}
	return out
}

func (f *fakeREST) page(obj *model.Object, q url.Values) (*rest.Page, error) {
	f.mu.Lock()
	f.calls++
	f.log = append(f.log, obj.Path+"?"+q.Encode())
	f.mu.Unlock()
	rows, err := f.query(obj, q)
	if err != nil {
		return nil, err
	}
	limit, offset := 50, 0
	if s := q.Get("limit"); s != "" {
		limit, _ = strconv.Atoi(s)
	}
	if s := q.Get("offset"); s != "" {
		offset, _ = strconv.Atoi(s)
	}
	if limit <= 0 || limit > f.maxPage {
		limit = f.maxPage
	}
	pg := &rest.Page{Count: len(rows), Results: []rest.Object{}}
	for i := offset; i < len(rows) && i < offset+limit; i++ {
		pg.Results = append(pg.Results, project(rows[i], q.Get("fields")))
	}
	if offset+limit < len(rows) {
		pg.Next = "next"
	}
	return pg, nil
}

func (f *fakeREST) Page(ctx context.Context, obj *model.Object, q url.Values) (*rest.Page, error) {
	return f.page(obj, q)
}

func (f *fakeREST) All(ctx context.Context, obj *model.Object, q url.Values) ([]rest.Object, error) {
	q = cloneValues(q)
	var out []rest.Object
	for off := 0; ; {
		q.Set("limit", strconv.Itoa(f.maxPage))
		q.Set("offset", strconv.Itoa(off))
		pg, err := f.page(obj, q)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Results...)
		off += len(pg.Results)
		if pg.Next == "" || len(pg.Results) == 0 {
			return out, nil
		}
	}
}

func (f *fakeREST) reset() {
	f.mu.Lock()
	f.calls = 0
	f.log = nil
	f.mu.Unlock()
}

func idsOf(rows []rest.Object) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.ID()
	}
	return out
}

var _ = sort.Ints
