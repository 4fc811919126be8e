package main

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/graphbox/graphbox/model"
)

//go:embed overrides.yaml
var defaultOverrides []byte

// overrides are the hand-kept facts the document cannot say (overrides.yaml).
type overrides struct {
	Models       map[string]string `yaml:"models"`
	Nested       map[string]string `yaml:"nested"`
	ReverseFirst []string          `yaml:"reverse_first"`
	// NotReverse are parameters named after a type that refer to another one: no relation.
	NotReverse  []string            `yaml:"not_reverse"`
	BriefCounts map[string][]string `yaml:"brief_counts"`
	NoReverse   map[string][]string `yaml:"no_reverse"`
	// NetBoxReverse names the child parameter of a NetBox reverse relation where several
	// parameters of the child refer to the parent type ("InterfaceType.child_interfaces": parent_id).
	NetBoxReverse map[string]string   `yaml:"netbox_reverse"`
	Queries       map[string]string   `yaml:"queries"`
	Unions        map[string]string   `yaml:"unions"`
	UnionMembers  map[string][]string `yaml:"union_members"`
	Deprecated    keptOverrides       `yaml:"deprecated"`
}

func parseOverrides(data []byte) (*overrides, error) {
	var o overrides
	if err := yaml.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("parse overrides: %w", err)
	}
	return &o, nil
}

// skipped is an endpoint the generator leaves out, with the reason.
type skipped struct {
	Path, Reason string
}

// build derives the registry from the document, and the deprecated names kept beside it.
func build(doc *document, ov *overrides) (*model.Registry, *keptSet, []skipped, error) {
	b := &builder{doc: doc, ov: ov, objects: map[string]*model.Object{}}
	if err := b.collectObjects(); err != nil {
		return nil, nil, b.skipped, err
	}
	for _, name := range b.order {
		b.brief(b.objects[name])
	}
	for _, name := range b.order {
		if err := b.fields(b.objects[name]); err != nil {
			return nil, nil, b.skipped, err
		}
	}
	for _, name := range b.order {
		b.filters(b.objects[name])
	}
	b.reverse()
	for _, name := range b.order {
		b.filterFields(b.objects[name])
	}
	unions, err := b.unions()
	if err != nil {
		return nil, nil, b.skipped, err
	}
	ks, err := b.deprecations()
	if err != nil {
		return nil, nil, b.skipped, err
	}
	objs := make([]*model.Object, 0, len(b.order))
	for _, name := range b.order {
		objs = append(objs, b.objects[name])
	}
	if err := checkNames(objs, ks); err != nil {
		return nil, nil, b.skipped, err
	}
	return model.NewRegistry(objs, unions), ks, b.skipped, nil
}

type builder struct {
	doc     *document
	ov      *overrides
	objects map[string]*model.Object
	order   []string
	ops     map[string]*operation // object Name -> its list operation
	skipped []skipped
	used    map[string]bool // unions in use
}

func (b *builder) schema(name string) *schema { return b.doc.Components.Schemas[name] }

// collectObjects finds every list endpoint whose answer is a paginated list of objects.
func (b *builder) collectObjects() error {
	b.ops = map[string]*operation{}
	for _, path := range b.doc.Paths.Keys {
		item := b.doc.Paths.Values[path]
		if item.Get == nil {
			b.skip(path, "no GET operation")
			continue
		}
		results := listResults(item.Get)
		switch {
		case results == "" && strings.HasSuffix(path, "/{id}/"):
			b.skip(path, "detail endpoint: served by the object type's <name>(id:) query")
			continue
		case results == "":
			b.skip(path, "not a paginated list of objects (status, schema, action or report endpoint)")
			continue
		case strings.Contains(path, "{"):
			b.skip(path, "list nested under an object ("+results+"), not an object type of its own")
			continue
		}
		sc := b.schema(results)
		if sc == nil || sc.Properties.Values["id"] == nil {
			b.skip(path, "list of "+results+", which has no id")
			continue
		}
		name := results
		if n, ok := b.ov.Models[results]; ok {
			name = n
		}
		if _, dup := b.objects[name]; dup {
			return fmt.Errorf("model %s is listed by two endpoints (%s and %s)", name, b.objects[name].Path, path)
		}
		single := snake(name)
		if q, ok := b.ov.Queries[name]; ok {
			single = q
		}
		app := strings.Split(strings.Trim(path, "/"), "/")[1]
		o := &model.Object{
			Name:        name,
			Type:        name + "Type",
			Single:      single,
			List:        single + "_list",
			Path:        path,
			ContentType: app + "." + strings.ToLower(name),
			Schema:      results,
		}
		b.objects[name] = o
		b.order = append(b.order, name)
		b.ops[name] = item.Get
	}
	sort.Strings(b.order)
	return nil
}

func (b *builder) skip(path, reason string) {
	b.skipped = append(b.skipped, skipped{Path: path, Reason: reason})
}

// listResults is the component of a list endpoint's results ("Site" for PaginatedSiteList).
func listResults(op *operation) string {
	resp := op.Responses["200"]
	if resp == nil {
		return ""
	}
	ref := resp.Content["application/json"].Schema.refName()
	if !strings.HasPrefix(ref, "Paginated") || !strings.HasSuffix(ref, "List") {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(ref, "Paginated"), "List")
}

var (
	snakeAcronym = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
	snakeCase    = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// snake splits a model name at case changes: IPAddress -> ip_address, VMInterface -> vm_interface.
func snake(s string) string {
	s = snakeAcronym.ReplaceAllString(s, "${1}_${2}")
	s = snakeCase.ReplaceAllString(s, "${1}_${2}")
	return strings.ToLower(s)
}

// relatedObject maps a nested schema name (BriefSite, NestedDevice) to the object it represents.
// The document also names full serializers (VLAN) for relations that NetBox renders nested.
func (b *builder) relatedObject(component string) string {
	for _, name := range b.order {
		if b.objects[name].Schema == component {
			return name
		}
	}
	if name, ok := b.ov.Nested[component]; ok && b.objects[name] != nil {
		return name
	}
	name := component
	for _, p := range []string{"Brief", "Nested"} {
		name = strings.TrimPrefix(name, p)
	}
	name = strings.TrimSuffix(name, "Serializer_")
	if _, ok := b.objects[name]; ok && name != component {
		return name
	}
	return ""
}

func (b *builder) fields(o *model.Object) error {
	sc := b.schema(o.Schema)
	props := sc.Properties
	for _, name := range props.Keys {
		if slices.Contains(b.ov.ReverseFirst, o.Name+"."+name) {
			continue // the reverse relation of that name answers it
		}
		p := props.Values[name].plain()
		f := model.Field{Name: name, Nullable: p.Nullable || nullableAllOf(p)}
		switch {
		case name == "id":
			f.Kind, f.GraphQL = model.KindScalar, model.TypeID
		case p.refName() != "":
			ref := p.refName()
			if rel := b.relatedObject(ref); rel != "" {
				f.Kind, f.Related, f.GraphQL = model.KindForeignKey, rel, b.objects[rel].Type
				f.NestedKeys = b.nestedKeys(ref, rel)
			} else {
				f.Kind, f.GraphQL = model.KindJSON, model.TypeJSON
			}
		case p.Type == "array" && p.Items != nil:
			f.List = true
			item := p.Items
			switch ref := item.refName(); {
			case ref == "GenericObject":
				if err := b.generic(o, &f); err != nil {
					return err
				}
			case ref != "" && b.relatedObject(ref) != "":
				rel := b.relatedObject(ref)
				f.Kind, f.Related, f.GraphQL = model.KindManyToMany, rel, b.objects[rel].Type
				f.NestedKeys = b.nestedKeys(ref, rel)
			case item.Type != "" && item.Type != "object" && item.Type != "array" && ref == "":
				f.Kind, f.GraphQL, f.Format = model.KindScalar, scalarType(item), item.Format
			default:
				f.Kind, f.GraphQL, f.List = model.KindJSON, model.TypeJSON, false
			}
		case p.Type == "object" && p.Properties.Values["value"] != nil && p.Properties.Values["label"] != nil:
			f.Kind, f.ChoiceObject = model.KindChoice, true
			value, label := p.Properties.Values["value"], p.Properties.Values["label"]
			f.ChoiceInt = value.Type == "integer"
			f.Choices = choices(name, value.Enum, label.Enum)
			f.GraphQL = model.TypeString
			if f.ChoiceInt {
				f.GraphQL = model.TypeInt
			}
		case p.Type == "string" && len(p.Enum) > 0:
			f.Kind, f.GraphQL = model.KindChoice, model.TypeString
			f.Choices = choices(name, p.Enum, nil)
		case p.Type == "" || p.Type == "object":
			// <x>_type / <x>_id, or as NetBox 4.6's services: parent_object_type / parent_object_id.
			if tk, ik, ok := genericKeys(props, name); ok {
				f.TypeKey, f.IDKey = tk, ik
				if err := b.generic(o, &f); err != nil {
					return err
				}
				break
			}
			f.Kind, f.GraphQL = model.KindJSON, model.TypeJSON
		default:
			f.Kind, f.GraphQL, f.Format = model.KindScalar, scalarType(p), p.Format
			if p.Type == "integer" && len(p.Enum) > 0 {
				// The values it may take (sync_interval), less those its own maximum forbids:
				// NetBox 4.6.8 enumerates 43200 for a field whose maximum is 32767.
				var values []any
				for _, v := range p.Enum {
					if n, ok := v.(int); !ok || p.Maximum == nil || float64(n) <= *p.Maximum {
						values = append(values, v)
					}
				}
				f.Choices = choices(name, values, nil)
			}
		}
		o.Fields = append(o.Fields, f)
	}
	return nil
}

// genericKeys are the type and id keys of a generic relation shown as the property name.
func genericKeys(props orderedMap[*schema], name string) (string, string, bool) {
	for _, suffix := range []string{"", "_object"} {
		tk, ik := name+suffix+"_type", name+suffix+"_id"
		if props.Values[tk] != nil && props.Values[ik] != nil {
			return tk, ik, true
		}
	}
	return "", "", false
}

// nestedKeys are the keys of a relation's nested object: those of the nested schema the
// document names, or the related object's brief keys where it names the full serializer.
func (b *builder) nestedKeys(ref, related string) []string {
	if b.objects[related].Schema == ref {
		return b.objects[related].Brief
	}
	return b.schema(ref).Properties.Keys
}

// brief sets the keys of the object's brief form, and the counts a top-level brief list adds.
func (b *builder) brief(o *model.Object) {
	defer func() {
		for _, k := range b.ov.BriefCounts[o.Name] {
			if b.schema(o.Schema).Properties.Values[k] != nil && !slices.Contains(o.Brief, k) {
				o.BriefCounts = append(o.BriefCounts, k)
			}
		}
	}()
	if brief := b.schema("Brief" + o.Name); brief != nil {
		o.Brief = brief.Properties.Keys
	} else if nested := b.schema("Nested" + o.Name); nested != nil {
		o.Brief = nested.Properties.Keys
	} else {
		// No brief serializer is in the document; NetBox's default brief fields.
		for _, k := range []string{"id", "url", "display", "name", "slug", "description"} {
			if b.schema(o.Schema).Properties.Values[k] != nil {
				o.Brief = append(o.Brief, k)
			}
		}
	}
}

// generic fills in a generic relation: a union when NetBox names one, free-form JSON otherwise.
func (b *builder) generic(o *model.Object, f *model.Field) error {
	union, ok := b.ov.Unions[o.Name+"."+f.Name]
	if !ok {
		f.Kind, f.GraphQL = model.KindJSON, model.TypeJSON
		f.List, f.TypeKey, f.IDKey = false, "", ""
		return nil
	}
	if _, ok := b.ov.UnionMembers[union]; !ok {
		return fmt.Errorf("overrides: union %s of %s.%s has no members", union, o.Name, f.Name)
	}
	if b.used == nil {
		b.used = map[string]bool{}
	}
	b.used[union] = true
	f.Kind, f.GraphQL = model.KindGeneric, union
	return nil
}

func (b *builder) unions() ([]*model.Union, error) {
	var out []*model.Union
	for name := range b.used {
		u := &model.Union{Name: name}
		for _, m := range b.ov.UnionMembers[name] {
			if b.objects[m] == nil {
				return nil, fmt.Errorf("overrides: union %s names %s, which the document has no list of", name, m)
			}
			u.Members = append(u.Members, m)
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func nullableAllOf(p *schema) bool {
	return len(p.AllOf) == 1 && p.Nullable
}

func scalarType(s *schema) string {
	switch s.Type {
	case "integer":
		if s.Format == "int64" {
			return model.TypeBigInt
		}
		return model.TypeInt
	case "number":
		return model.TypeFloat
	case "boolean":
		return model.TypeBool
	}
	return model.TypeString
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)

// choices pairs values and labels and names the GraphQL enum values as NetBox does:
// the field name as prefix, the value upper-cased, non-alphanumerics as "_".
func choices(field string, values, labels []any) []model.Choice {
	var out []model.Choice
	seen := map[string]bool{}
	li := 0
	for _, v := range values {
		if v == nil {
			continue
		}
		value := fmt.Sprint(v)
		if value == "" {
			continue // the document lists "" for "unset"; it has no label and no enum value
		}
		c := model.Choice{Value: value}
		if li < len(labels) {
			c.Label = fmt.Sprint(labels[li])
		}
		li++
		enum := strings.ToUpper(field + "_" + strings.Trim(nonAlnum.ReplaceAllString(value, "_"), "_"))
		for i := 2; seen[enum]; i++ {
			enum = strings.ToUpper(field+"_"+nonAlnum.ReplaceAllString(value, "_")) + "_" + strconv.Itoa(i)
		}
		seen[enum] = true
		c.Enum = enum
		out = append(out, c)
	}
	return out
}

var lookupSuffix = regexp.MustCompile(`^(.+?)__([a-z]+)$`)

// filters groups the list endpoint's query parameters by base name, with their lookups.
func (b *builder) filters(o *model.Object) {
	params := map[string]*model.FilterParam{}
	var order []string
	for _, p := range b.ops[o.Name].Parameters {
		if p.In != "query" {
			continue
		}
		p.Schema = p.Schema.plain()
		// NetBox 4.6's id cursor (start=) shadows a model's own exact start filter (ASN ranges):
		// only its lookups (start__gte, ...) filter there.
		if p.Name == "start" && strings.HasPrefix(p.Description, "Cursor-based pagination") {
			continue
		}
		switch p.Name {
		case "limit", "offset", "ordering", "brief", "fields", "format", "omit":
			if p.Name == "ordering" {
				o.Ordering = true
			}
			continue
		case "q":
			o.Search = true
			continue
		}
		base, lookup := p.Name, ""
		if m := lookupSuffix.FindStringSubmatch(p.Name); m != nil {
			base, lookup = m[1], m[2]
		}
		fp := params[base]
		if fp == nil {
			fp = &model.FilterParam{Name: base}
			params[base] = fp
			order = append(order, base)
		}
		if lookup == "" {
			fp.Exact = true
			fp.Type = paramType(p.Schema)
		} else {
			fp.Lookups = append(fp.Lookups, lookup)
			if fp.Type == 0 && lookup != "empty" {
				fp.Type = paramType(p.Schema)
			}
		}
	}
	sort.Strings(order)
	for _, base := range order {
		fp := params[base]
		if fp.Type == 0 {
			fp.Type = model.ParamBool // only __empty was listed
		}
		sort.Strings(fp.Lookups)
		b.bindParam(o, fp)
		o.Filters = append(o.Filters, *fp)
	}
}

// bindParam finds the field a filter parameter tests, and the object a relation parameter names.
func (b *builder) bindParam(o *model.Object, fp *model.FilterParam) {
	if f := o.Field(fp.Name); f != nil {
		switch f.Kind {
		case model.KindScalar, model.KindChoice:
			fp.Field = f.Name
			if f.Kind == model.KindChoice {
				fp.Type = model.ParamChoice
			}
		case model.KindForeignKey:
			if rel := b.objects[f.Related]; rel.Field("slug") != nil && fp.Type == model.ParamString {
				fp.Field, fp.Related, fp.RelatedKey = f.Name, f.Related, "slug"
			}
		}
		return
	}
	if fk, ok := strings.CutSuffix(fp.Name, "_id"); ok && (fp.Type == model.ParamInt || fp.Type == model.ParamString) {
		// A tree's parameter takes its ids as strings (group_id of sites: site groups).
		if f := o.Field(fk); f != nil && f.Kind == model.KindForeignKey &&
			(fp.Type == model.ParamInt || b.objects[f.Related].Field("_depth") != nil) {
			fp.Field, fp.Related, fp.RelatedKey = f.Name, f.Related, "id"
		}
		return
	}
	if fp.Name == "tag" {
		if f := o.Field("tags"); f != nil && f.Kind == model.KindManyToMany {
			fp.Field, fp.Related, fp.RelatedKey = f.Name, f.Related, "slug"
		}
	}
}

func paramType(s *schema) model.ParamType {
	if s == nil {
		return model.ParamString
	}
	if s.Type == "array" && s.Items != nil {
		s = s.Items
	}
	if len(s.Enum) > 0 {
		return model.ParamChoice
	}
	if _, ok := s.Extensions["x-spec-enum-id"]; ok {
		return model.ParamChoice
	}
	switch s.Type {
	case "integer":
		return model.ParamInt
	case "number":
		return model.ParamFloat
	case "boolean":
		return model.ParamBool
	}
	switch s.Format {
	case "date-time":
		return model.ParamDateTime
	case "date":
		return model.ParamDate
	case "uuid":
		return model.ParamUUID
	}
	return model.ParamString
}

// reverse adds to each parent the children whose list filters by the parent's id with a
// parameter named after the parent ("device_id" for Device, "vminterface_id" for VMInterface).
func (b *builder) reverse() {
	byKey := map[string]*model.Object{} // single name without underscores -> object
	for _, name := range b.order {
		o := b.objects[name]
		byKey[strings.ReplaceAll(o.Single, "_", "")] = o
	}
	for _, childName := range b.order {
		child := b.objects[childName]
		for _, fp := range child.Filters {
			key, ok := strings.CutSuffix(fp.Name, "_id")
			if !ok || !fp.Exact || (fp.Type != model.ParamInt && fp.Type != model.ParamString) {
				continue
			}
			parent := byKey[strings.ReplaceAll(key, "_", "")]
			// The parameter names the type of the child's field of that name where it has one
			// (role_id of inventory item templates: InventoryItemRole, not IPAM's Role), and a
			// template's parameter a template (rear_port_id of front port templates).
			if f := child.Field(key); parent != nil && f != nil && f.Kind == model.KindForeignKey && f.Related != parent.Name {
				parent = b.objects[f.Related]
			} else if parent != nil && strings.HasSuffix(child.Name, "Template") && b.objects[parent.Name+"Template"] != nil {
				parent = b.objects[parent.Name+"Template"]
			}
			if parent == nil || parent == child {
				continue
			}
			r := model.Reverse{Child: child.Name, Param: fp.Name, Via: b.via(child, key, parent)}
			// A tree's parameter (platform_id since NetBox 4.3) takes ids as strings and matches
			// the descendants too: exact only when the child's foreign key tells its parent.
			if fp.Type == model.ParamString && (parent.Field("_depth") == nil || child.Field(r.Via) == nil ||
				child.Field(r.Via).Kind != model.KindForeignKey) {
				continue
			}
			r.Name = lastSegment(child.Path)
			if taken(parent, r.Name) {
				r.Name = plural(snake(child.Name))
			}
			if taken(parent, r.Name) {
				continue
			}
			if only, ok := b.ov.NoReverse[parent.Name]; ok && !slices.Contains(only, r.Name) {
				continue
			}
			if slices.Contains(b.ov.NotReverse, parent.Name+"."+r.Name) {
				continue
			}
			parent.Reverse = append(parent.Reverse, r)
		}
	}
	for _, name := range b.order {
		o := b.objects[name]
		sort.Slice(o.Reverse, func(i, j int) bool { return o.Reverse[i].Name < o.Reverse[j].Name })
	}
}

// taken reports whether a field name is in use on o, as graphql-go compares names: ignoring
// case and underscores.
func taken(o *model.Object, name string) bool {
	key := bindKey(name)
	if key == "classtype" {
		return true
	}
	for _, f := range o.Fields {
		if bindKey(f.Name) == key {
			return true
		}
	}
	for _, r := range o.Reverse {
		if bindKey(r.Name) == key {
			return true
		}
	}
	return false
}

func bindKey(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", "")) }

// via is the child's field that points at the parent, when the child's representation shows it.
func (b *builder) via(child *model.Object, key string, parent *model.Object) string {
	if f := child.Field(key); f != nil && f.Kind == model.KindForeignKey && f.Related == parent.Name {
		return f.Name
	}
	for _, f := range child.Fields {
		if f.Kind != model.KindGeneric || f.List || f.TypeKey == "" {
			continue
		}
		for _, m := range b.ov.UnionMembers[f.GraphQL] {
			if m == parent.Name {
				return f.Name // matched on the parent's content type at run time
			}
		}
	}
	return ""
}

func lastSegment(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return strings.ReplaceAll(parts[len(parts)-1], "-", "_")
}

func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "ch"):
		return s + "es"
	case strings.HasSuffix(s, "y") && !strings.ContainsAny(s[len(s)-2:len(s)-1], "aeiou"):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

// filterFields lays out the GraphQL <Model>Filter input from the fields that have a parameter.
func (b *builder) filterFields(o *model.Object) {
	add := func(ff model.FilterField) { o.FilterFields = append(o.FilterFields, ff) }
	for _, f := range o.Fields {
		switch f.Kind {
		case model.KindScalar:
			fp := o.Filter(f.Name)
			if fp == nil || !fp.Exact || f.List {
				continue
			}
			input := lookupInput(f, fp)
			if input == "" {
				continue
			}
			add(model.FilterField{Name: f.Name, Kind: model.FilterLookup, Input: input, Param: fp.Name, Type: fp.Type, Field: f.Name})
		case model.KindChoice:
			fp := o.Filter(f.Name)
			if fp == nil || !fp.Exact || len(f.Choices) == 0 {
				continue
			}
			add(model.FilterField{Name: f.Name, Kind: model.FilterChoice, Input: enumName(o, f), Param: fp.Name, Type: model.ParamChoice, Field: f.Name})
		case model.KindForeignKey:
			fp := o.Filter(f.Name + "_id")
			rel := b.objects[f.Related]
			// NetBox's tree filters (region_id of a site) take ids as strings and match the
			// descendants too; the compiler keeps only the direct matches.
			tree := fp != nil && fp.Type == model.ParamString && rel.Field("_depth") != nil
			if fp == nil || !fp.Exact || (fp.Type != model.ParamInt && !tree) {
				continue
			}
			add(model.FilterField{Name: f.Name, Kind: model.FilterRelated, Input: rel.Name + "Filter", Param: fp.Name, Type: fp.Type, Related: rel.Name, Field: f.Name, Tree: tree})
			if !tree && o.Field(fp.Name) == nil {
				add(model.FilterField{Name: fp.Name, Kind: model.FilterLookup, Input: "IDFilterLookup", Param: fp.Name, Type: model.ParamInt, Field: f.Name})
			}
		case model.KindJSON:
			// NetBox's GraphQL filters custom fields through the model's JSON column.
			if f.Name == "custom_fields" {
				add(model.FilterField{Name: "custom_field_data", Kind: model.FilterCustomFields, Input: "JSONFilter", Field: f.Name})
			}
		}
	}
}

// lookupInput is the lookup input type for a scalar field, or "" when its parameter's type
// does not match the field (the REST filter then means something else).
func lookupInput(f model.Field, fp *model.FilterParam) string {
	switch {
	case f.GraphQL == model.TypeID:
		return "IDFilterLookup"
	case f.GraphQL == model.TypeBool && fp.Type == model.ParamBool:
		return "BoolFilterLookup"
	case f.GraphQL == model.TypeInt && fp.Type == model.ParamInt:
		return "IntFilterLookup"
	case f.GraphQL == model.TypeBigInt && fp.Type == model.ParamInt:
		return "BigIntFilterLookup"
	case f.GraphQL == model.TypeFloat && (fp.Type == model.ParamFloat || fp.Type == model.ParamInt):
		return "FloatFilterLookup"
	case f.GraphQL == model.TypeString && fp.Type == model.ParamDateTime:
		return "DateTimeFilterLookup"
	case f.GraphQL == model.TypeString && fp.Type == model.ParamDate:
		return "DateFilterLookup"
	case f.GraphQL == model.TypeString && fp.Type == model.ParamString:
		return "StrFilterLookup"
	}
	return ""
}

// enumName is the GraphQL enum of a choice field: DeviceStatusEnum, InterfaceTypeEnum.
func enumName(o *model.Object, f model.Field) string {
	return o.Name + camel(f.Name) + "Enum"
}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// checkNames fails on names graphql-go could not bind to distinct Go methods: it matches
// fields to methods case-insensitively and ignoring underscores.
func checkNames(objs []*model.Object, ks *keptSet) error {
	for _, o := range objs {
		seen := map[string]string{}
		names := []string{"class_type"}
		for _, f := range o.Fields {
			names = append(names, f.Name)
		}
		for _, k := range ks.Fields[o.Name] {
			names = append(names, k.Name)
		}
		for _, r := range o.Reverse {
			names = append(names, r.Name)
		}
		for _, n := range names {
			k := bindKey(n)
			if prev, ok := seen[k]; ok {
				return fmt.Errorf("%s: fields %q and %q would bind to the same Go method", o.Name, prev, n)
			}
			seen[k] = n
		}
	}
	return nil
}
