package filters

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// testCFs are custom fields of each kind NetBox builds a different REST filter for.
var testCFs = CustomFields{
	"owner":     {Name: "owner", Type: "text", FilterLogic: "exact", ObjectTypes: []string{"dcim.device", "dcim.site"}},
	"notes":     {Name: "notes", Type: "longtext", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"env":       {Name: "env", Type: "select", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"priority":  {Name: "priority", Type: "integer", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"weight":    {Name: "weight", Type: "decimal", FilterLogic: "exact", ObjectTypes: []string{"dcim.device"}},
	"since":     {Name: "since", Type: "date", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"monitored": {Name: "monitored", Type: "boolean", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"legacy":    {Name: "legacy", Type: "text", FilterLogic: "disabled", ObjectTypes: []string{"dcim.device"}},
	"stamp":     {Name: "stamp", Type: "datetime", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"roles":     {Name: "roles", Type: "multiselect", FilterLogic: "loose", ObjectTypes: []string{"dcim.device"}},
	"siteonly":  {Name: "siteonly", Type: "text", FilterLogic: "exact", ObjectTypes: []string{"dcim.site"}},
}

func cfIn(name, kind string, lookup any) map[string]any {
	return map[string]any{"custom_field_data": map[string]any{"path": name, "lookup": map[string]any{kind: lookup}}}
}

func lk(kv ...any) map[string]any {
	out := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// TestCustomFieldPlans pins the REST parameters of each custom-field lookup: the parameter
// NetBox builds for the field's type and filter logic, never one it would ignore.
func TestCustomFieldPlans(t *testing.T) {
	reg := model.Default()
	dev := reg.Object("Device")
	if dev == nil || dev.FilterField("custom_field_data") == nil {
		t.Skip("the generated registry has no Device custom_field_data filter")
	}
	not := func(in map[string]any) map[string]any { return map[string]any{"NOT": in} }
	cases := []struct {
		name string
		in   map[string]any
		want string // the plan's Explain, after "Device /api/dcim/devices/?"
	}{
		{"exact text", cfIn("owner", "string_lookup", lk("exact", "team-a")), "cf_owner=team-a"},
		{"in_list", cfIn("owner", "string_lookup", lk("in_list", []any{"a", "b"})), "cf_owner=a&cf_owner=b"},
		{"i_contains", cfIn("owner", "string_lookup", lk("i_contains", "te")), "cf_owner__ic=te"},
		{"starts_with as regex", cfIn("owner", "string_lookup", lk("starts_with", "t.a")), `cf_owner__regex=^t\.a`},
		{"NOT exact keeps nulls", not(cfIn("owner", "string_lookup", lk("exact", "x"))), "cf_owner__n=x"},
		{"NOT i_contains", not(cfIn("owner", "string_lookup", lk("i_contains", "x"))), "cf_owner__nic=x"},
		{"NOT regex leaves nulls out", not(cfIn("owner", "string_lookup", lk("regex", "^t"))),
			"cf_owner__regex=^&id__n=ids(Device /api/dcim/devices/?cf_owner__regex=^t)"},
		{"loose: the bare parameter is icontains", cfIn("notes", "string_lookup", lk("i_contains", "Core")), "cf_notes=Core"},
		{"select ignores loose", cfIn("env", "string_lookup", lk("i_exact", "PROD")), "cf_env__ie=PROD"},
		{"integer comparison", cfIn("priority", "int_comparison_lookup", lk("gte", int32(2), "lt", int32(4))), "cf_priority__gte=2&cf_priority__lt=4"},
		{"integer range", cfIn("priority", "int_range_lookup", lk("start", int32(2), "end", int32(3))), "cf_priority__gte=2&cf_priority__lte=3"},
		{"NOT gt is lte (jsonb orders null first)", not(cfIn("priority", "int_comparison_lookup", lk("gt", int32(3)))), "cf_priority__lte=3"},
		{"is_null on a number", cfIn("priority", "int_comparison_lookup", lk("is_null", true)), "cf_priority__empty=true"},
		{"float on integer", cfIn("priority", "float_comparison_lookup", lk("exact", 3.0)), "cf_priority=3"},
		{"decimal", cfIn("weight", "float_comparison_lookup", lk("lte", 1.25)), "cf_weight__lte=1.25"},
		{"date", cfIn("since", "date_lookup", lk("gt", "2024-03-01")), "cf_since__gt=2024-03-01"},
		{"boolean", cfIn("monitored", "boolean_lookup", lk("exact", true)), "cf_monitored=true"},
		{"NOT boolean keeps nulls", not(cfIn("monitored", "boolean_lookup", lk("exact", true))),
			"id__n=ids(Device /api/dcim/devices/?cf_monitored=true)"},
		{"two lookups AND on one parameter", map[string]any{"AND": cfIn("owner", "string_lookup", lk("i_contains", "a")),
			"custom_field_data": map[string]any{"path": "owner", "lookup": lk("string_lookup", lk("i_contains", "b"))}},
			"cf_owner__ic=a&id=ids(Device /api/dcim/devices/?cf_owner__ic=b)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(reg, dev, tc.in, WithCustomFields(testCFs))
			if strings.Contains(tc.want, "regex") && !reg.RegexLookups() {
				// NetBox 4.2: no __regex on any character filter, custom fields included.
				if !errors.Is(err, ErrUnsupportedLookup) {
					t.Fatalf("Compile: %v, want an unsupported-lookup refusal (the document lists no __regex)", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got := strings.TrimPrefix(p.Explain(), "Device /api/dcim/devices/?")
			if got != tc.want {
				t.Errorf("plan\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestCustomFieldRefusals: whatever NetBox's REST filter would ignore or read differently is
// an error that says why, never a filter dropped.
func TestCustomFieldRefusals(t *testing.T) {
	reg := model.Default()
	dev := reg.Object("Device")
	if dev == nil || dev.FilterField("custom_field_data") == nil {
		t.Skip("the generated registry has no Device custom_field_data filter")
	}
	cases := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"unknown field", cfIn("nope", "string_lookup", lk("exact", "x")), `no custom field "nope"`},
		{"not assigned", cfIn("siteonly", "string_lookup", lk("exact", "x")), "not assigned to Device"},
		{"disabled", cfIn("legacy", "string_lookup", lk("exact", "x")), "filtering disabled"},
		{"wrong kind", cfIn("priority", "string_lookup", lk("exact", "3")), "use int_comparison_lookup"},
		{"loose exact", cfIn("notes", "string_lookup", lk("exact", "x")), "loose filter logic"},
		{"loose NOT", map[string]any{"NOT": cfIn("notes", "string_lookup", lk("i_contains", "x"))}, "NOT of this custom-field filter"},
		{"contains is containment", cfIn("owner", "string_lookup", lk("contains", "x")), "JSON containment"},
		{"is_null on text", cfIn("owner", "string_lookup", lk("is_null", true)), "tests whether its key exists"},
		{"is_null on boolean", cfIn("monitored", "boolean_lookup", lk("is_null", false)), "tests whether its key exists"},
		{"empty string", cfIn("owner", "string_lookup", lk("exact", "")), "empty string"},
		{"empty string in list", cfIn("owner", "string_lookup", lk("in_list", []any{"a", ""})), "empty string"},
		{"bad date", cfIn("since", "date_lookup", lk("exact", "May 1")), "not a date"},
		{"date part", cfIn("since", "date_lookup", lk("year", lk("exact", int32(2024)))), `"year" on a custom field as a key`},
		{"fractional integer", cfIn("priority", "float_comparison_lookup", lk("gt", 2.5)), "not a valid"},
		{"datetime", cfIn("stamp", "datetime_lookup", lk("exact", "2024-01-01T00:00:00Z")), "datetime custom fields"},
		{"multiselect", cfIn("roles", "string_lookup", lk("exact", "x")), "containment"},
		{"two lookups", map[string]any{"custom_field_data": map[string]any{"path": "owner",
			"lookup": lk("string_lookup", lk("exact", "x"), "boolean_lookup", lk("exact", true))}}, "set only one"},
		{"no lookup", map[string]any{"custom_field_data": map[string]any{"path": "owner", "lookup": lk()}}, "set one of"},
		{"no path", map[string]any{"custom_field_data": map[string]any{"lookup": lk("string_lookup", lk("exact", "x"))}}, "name is required"},
		{"JSON path", cfIn("owner__sub", "string_lookup", lk("exact", "x")), "path into its JSON value"},
		{"NOT over a related text lookup", map[string]any{"NOT": map[string]any{"site": cfIn("owner", "string_lookup", lk("i_contains", "x"))}},
			"complement"},
		// Values of the wrong kind inside the JSON scalar, where GraphQL validation cannot help:
		// the message says what the caller wrote, never a Go type.
		{"object for a string", cfIn("owner", "string_lookup", lk("exact", map[string]any{"a": 1.0})), `string_lookup.exact: an input object is not a valid string value for "cf_owner"`},
		{"list for a number", cfIn("priority", "int_comparison_lookup", lk("gt", []any{1.0})), `int_comparison_lookup.gt: a list is not a valid int value for "cf_priority"`},
		{"string for a number", cfIn("priority", "int_comparison_lookup", lk("gt", "many")), `"many" is not a valid int value`},
		{"lookups not an object", cfIn("owner", "string_lookup", "x"), "want an input object, got a string"},
		{"range not an object", cfIn("priority", "int_range_lookup", []any{1.0, 2.0}), "want {start, end}, got a list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(reg, dev, tc.in, WithCustomFields(testCFs))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			for _, goType := range []string{"map[", "interface {}", "float64", "int32"} {
				if strings.Contains(err.Error(), goType) {
					t.Errorf("error names a Go type (%s): %v", goType, err)
				}
			}
		})
	}
	if _, err := Compile(reg, dev, cfIn("owner", "string_lookup", lk("exact", "x"))); err == nil || !strings.Contains(err.Error(), "no custom field") {
		t.Errorf("without definitions: %v, want a refusal", err)
	}
}

func TestCustomFieldNames(t *testing.T) {
	in := map[string]any{
		"custom_field_data": map[string]any{"path": "b"},
		"OR":                []any{map[string]any{"site": map[string]any{"custom_field_data": map[string]any{"path": "a"}}}},
		"NOT":               map[string]any{"custom_field_data": map[string]any{"path": "b"}},
		"name":              map[string]any{"exact": "custom_field_data"},
	}
	if got, want := CustomFieldNames(in), []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("CustomFieldNames = %v, want %v", got, want)
	}
	if got := CustomFieldNames(map[string]any{"name": map[string]any{"exact": "x"}}); len(got) != 0 {
		t.Errorf("CustomFieldNames without custom fields = %v", got)
	}
}

// cfFetcher answers the custom-fields endpoint and records the query.
type cfFetcher struct {
	rows []rest.Object
	err  error
	got  url.Values
}

func (f *cfFetcher) Page(ctx context.Context, obj *model.Object, q url.Values) (*rest.Page, error) {
	return nil, errors.New("unexpected Page")
}

func (f *cfFetcher) All(ctx context.Context, obj *model.Object, q url.Values) ([]rest.Object, error) {
	if obj.Name != "CustomField" {
		return nil, errors.New("unexpected object " + obj.Name)
	}
	f.got = q
	return f.rows, f.err
}

func TestLoadCustomFields(t *testing.T) {
	reg := model.Default()
	if reg.Object("CustomField") == nil {
		t.Skip("the generated registry has no CustomField")
	}
	f := &cfFetcher{rows: []rest.Object{{
		"id": 1.0, "name": "owner", "type": map[string]any{"value": "text", "label": "Text"},
		"filter_logic": map[string]any{"value": "exact", "label": "Exact"}, "object_types": []any{"dcim.device"},
	}}}
	cfs, err := LoadCustomFields(context.Background(), f, reg, []string{"owner", "other"})
	if err != nil {
		t.Fatal(err)
	}
	want := CustomField{Name: "owner", Type: "text", FilterLogic: "exact", ObjectTypes: []string{"dcim.device"}}
	if !reflect.DeepEqual(cfs["owner"], want) || len(cfs) != 1 {
		t.Errorf("definitions %+v, want only %+v", cfs, want)
	}
	if got := f.got["name"]; !reflect.DeepEqual(got, []string{"owner", "other"}) {
		t.Errorf("asked name=%v", got)
	}
	boom := errors.New("upstream down")
	if _, err := LoadCustomFields(context.Background(), &cfFetcher{err: boom}, reg, []string{"owner"}); !errors.Is(err, boom) {
		t.Errorf("error %v, want it to wrap %v", err, boom)
	}
	if cfs, err := LoadCustomFields(context.Background(), &cfFetcher{err: boom}, reg, nil); err != nil || len(cfs) != 0 {
		t.Errorf("no names: %v %v, want no request", cfs, err)
	}
}
