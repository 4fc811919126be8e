package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/graphbox/graphbox/model"
)

// netboxSchema is NetBox's own GraphQL schema, the names and types Graphbox serves: the loaded
// schema for lookups and the document for the order NetBox prints its definitions in.
type netboxSchema struct {
	schema *ast.Schema
	doc    *ast.SchemaDocument
	source string
}

func loadNetBoxSchema(path string) (*netboxSchema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("NetBox GraphQL schema: %w", err)
	}
	return parseNetBoxSchema(path, string(data))
}

// parseNetBoxSchema loads SDL text, from a file or made from an introspection answer; name says
// where it came from in errors.
func parseNetBoxSchema(name, sdl string) (*netboxSchema, error) {
	src := &ast.Source{Name: name, Input: sdl}
	s, gerr := gqlparser.LoadSchema(src)
	if gerr != nil {
		return nil, fmt.Errorf("NetBox GraphQL schema %s: %w", name, gerr)
	}
	doc, perr := parser.ParseSchema(src)
	if perr != nil {
		return nil, fmt.Errorf("NetBox GraphQL schema %s: %w", name, perr)
	}
	return &netboxSchema{schema: s, doc: doc, source: name}, nil
}

// bindKind says where a served field's value comes from.
type bindKind uint8

const (
	bindStatic          bindKind = iota + 1 // class_type
	bindScalar                              // a REST value, converted to the field's scalar
	bindForeignKey                          // a nested brief object
	bindManyToMany                          // a list of nested brief objects
	bindGeneric                             // a generic relation as a union member
	bindGenericList                         // a list of {object_type, object_id, object}
	bindTypedList                           // a list of nested objects of the type a sibling <x>_type names
	bindReverse                             // children through their filter parameter
	bindImage                               // DjangoImageType from an image URL
	bindContentType                         // ContentTypeType from "app.model"
	bindContentTypeList                     // a list of them
	bindModelPK                             // DjangoModelType {pk} from a nested object's id
	bindContentTypePK                       // DjangoModelType {pk} from a content type's id
	bindFamily                              // IPAddressFamilyType from {value, label}
	bindByID                                // an object from an id REST gives bare (an inventory item's parent)
	bindNested                              // an object REST nests untyped (a circuit's termination_a)
	bindUnavailable                         // no REST source: null and a coded error
	bindKept                                // a name Graphbox served before REST dropped it (overrides.yaml)
)

// servedField is one field of a served object type and how it is resolved.
type servedField struct {
	Name       string
	Type       *ast.Type // as served
	Args       string    // the argument list as printed, "" for none
	Kind       bindKind
	Source     string // REST key, or the reverse relation's registry name
	Reason     string // why a field is unavailable
	Deprecated string // the field to use instead
	Kept       *kept  // a kept name's served form
}

// servedType is one object type of the served schema.
type servedType struct {
	Name   string
	Obj    *model.Object // nil for value types (DjangoImageType, ...)
	Fields []servedField
}

// unmapped is a NetBox name Graphbox serves without a REST source, or does not serve.
type unmapped struct {
	Name   string // Type.field
	Reason string
}

// netboxBinding is the served schema: NetBox's, each field bound to REST.
type netboxBinding struct {
	nb       *netboxSchema
	reg      *model.Registry
	types    map[string]*servedType
	order    []string // object types in NetBox's order, then Graphbox's own
	unmapped []unmapped
	kept     *keptSet
	ov       *overrides
	// oldEnums are the enums of choice filters as Graphbox served them before NetBox's
	// schema, by name, with their values: kept, and their values accepted, as deprecated.
	oldEnums map[string][]string
}

// valueTypes are NetBox's object types that are not models: built from a field's REST value.
// valueTypes, with the Go resolver type the runtime gives each.
var valueTypes = map[string]string{"DjangoImageType": "imageResolver", "ContentTypeType": "contentTypeResolver",
	"DjangoModelType": "modelResolver", "IPAddressFamilyType": "familyResolver"}

// derivedReverse are NetBox's generic reverse relations, read from one endpoint for every model:
// the child and its parameters for the parent's content type and id.
var derivedReverse = map[string]struct{ child, typeParam, idParam string }{
	"changelog":         {"ObjectChange", "changed_object_type", "changed_object_id"},
	"journal_entries":   {"JournalEntry", "assigned_object_type", "assigned_object_id"},
	"contacts":          {"ContactAssignment", "object_type", "object_id"},
	"image_attachments": {"ImageAttachment", "object_type", "object_id"},
	"images":            {"ImageAttachment", "object_type", "object_id"},
}

// restAlias are NetBox's names for REST fields named otherwise.
var restAlias = map[string]string{"custom_field_data": "custom_fields", "level": "_depth", "_children": "children"}

func bindNetBox(reg *model.Registry, nb *netboxSchema, ov *overrides, ks *keptSet) (*netboxBinding, error) {
	b := &netboxBinding{nb: nb, reg: reg, types: map[string]*servedType{}, kept: ks, ov: ov}
	b.oldEnums = map[string][]string{}
	for _, o := range reg.Objects {
		for _, ff := range o.FilterFields {
			if ff.Kind != model.FilterChoice || b.oldEnums[ff.Input] != nil {
				continue
			}
			if f := o.Field(ff.Field); f != nil {
				for _, c := range f.Choices {
					b.oldEnums[ff.Input] = append(b.oldEnums[ff.Input], c.Enum)
				}
			}
		}
	}
	for _, kk := range ks.Filters {
		for i := range kk {
			if n, ok := oldLookupInputs[kk[i].Type]; ok {
				kk[i].Type = n
			}
		}
	}
	oldReverse := map[string][]model.Reverse{}
	for _, o := range reg.Objects {
		oldReverse[o.Name] = o.Reverse
		o.Reverse = nil
	}
	for _, def := range nb.doc.Definitions {
		if def.Kind != ast.Object || def.Name == "Query" || strings.HasSuffix(def.Name, "OffsetPaginated") || def.Name == "OffsetPaginationInfo" {
			continue
		}
		st := &servedType{Name: def.Name}
		if _, value := valueTypes[def.Name]; !value {
			st.Obj = reg.ByType(def.Name)
			if st.Obj == nil {
				b.unmapped = append(b.unmapped, unmapped{def.Name, "no REST endpoint lists this type"})
				continue
			}
		}
		b.types[def.Name] = st
		b.order = append(b.order, def.Name)
	}
	for _, name := range b.order {
		st := b.types[name]
		def := nb.schema.Types[name]
		if st.Obj == nil {
			for _, f := range def.Fields {
				st.Fields = append(st.Fields, servedField{Name: f.Name, Type: f.Type, Kind: bindScalar, Source: f.Name})
			}
			if name == "DjangoImageType" {
				// REST gives the image's URL; its size and dimensions only where the model stores them.
				for i := range st.Fields {
					switch st.Fields[i].Name {
					case "size", "width", "height", "path":
						st.Fields[i].Type = nullable(st.Fields[i].Type)
						b.unmapped = append(b.unmapped, unmapped{"DjangoImageType." + st.Fields[i].Name, "served nullable: REST gives an image's URL, and its dimensions only for image attachments"})
					}
				}
			}
			continue
		}
		if err := b.bindObject(st, def, oldReverse[st.Obj.Name]); err != nil {
			return nil, err
		}
	}
	// Graphbox's own object types (NetBox's GraphQL lacks them): served as REST names them.
	for _, o := range reg.Objects {
		if b.types[o.Type] != nil {
			continue
		}
		st := &servedType{Name: o.Type, Obj: o}
		b.types[o.Type] = st
		b.order = append(b.order, o.Type)
		if err := b.bindObject(st, &ast.Definition{Name: o.Type}, oldReverse[o.Name]); err != nil {
			return nil, err
		}
	}
	b.bindFilters()
	return b, nil
}

// bindObject binds each NetBox field of def, then adds the REST fields and relations NetBox's
// type lacks: Graphbox's additions, and the names it served before as deprecated aliases.
func (b *netboxBinding) bindObject(st *servedType, def *ast.Definition, old []model.Reverse) error {
	o := st.Obj
	// sourceOf holds the bindKeys in use, as graphql-go matches methods, with the REST field the
	// key's method reads ("\x00" and the field's name for a method that reads no one field).
	sourceOf := map[string]string{}
	used := func(key string) bool { _, ok := sourceOf[key]; return ok }
	// Of two names graphql-go cannot bind apart, NetBox's cached column (_name) gives way.
	keys := map[string]int{}
	for _, f := range def.Fields {
		keys[bindKey(f.Name)]++
	}
	for _, f := range def.Fields {
		key := bindKey(f.Name)
		if used(key) || keys[key] > 1 && strings.HasPrefix(f.Name, "_") {
			// graphql-go binds fields to methods ignoring case and underscores, so NetBox's cached
			// columns (_site beside site) cannot be told apart from the field they shadow.
			b.unmapped = append(b.unmapped, unmapped{def.Name + "." + f.Name, "not served: its name differs from " + clash(def, f.Name) + " only by underscores, which graphql-go cannot bind apart (a cached column REST does not expose)"})
			continue
		}
		if t := b.nb.schema.Types[f.Type.Name()]; t.Kind == ast.Object && b.types[t.Name] == nil {
			b.unmapped = append(b.unmapped, unmapped{def.Name + "." + f.Name, "not served: REST has no " + t.Name})
			continue
		}
		sf := servedField{Name: f.Name, Type: f.Type, Args: printArgs(f.Arguments)}
		b.bindField(&sf, o, f, old)
		if sf.Kind == bindUnavailable {
			b.unmapped = append(b.unmapped, unmapped{def.Name + "." + f.Name, sf.Reason})
			sf.Type = nullable(sf.Type)
		}
		if sf.Kind == bindScalar {
			sourceOf[key] = sf.Source
		} else {
			sourceOf[key] = "\x00" + f.Name
		}
		if sf.Kind == bindReverse && sf.Args == "" && sf.Type.Elem != nil {
			// Graphbox's addition: every relation list takes filters and pagination.
			sf.Args = relationArgsSDL(b.reg.ByType(sf.Type.Name()))
		}
		st.Fields = append(st.Fields, sf)
	}
	if def.Fields.ForName("class_type") == nil {
		st.Fields = append(st.Fields, servedField{Name: "class_type", Type: ast.NonNullNamedType("String", nil), Kind: bindStatic})
		sourceOf["classtype"] = "\x00class_type"
	}
	for _, rf := range o.Fields {
		if byKey, ok := sourceOf[bindKey(rf.Name)]; ok && (byKey != rf.Name || slices.ContainsFunc(st.Fields, func(f servedField) bool { return f.Name == rf.Name })) {
			continue // taken by another field, or served under this name already
		}
		sf := servedField{Name: rf.Name, Type: restType(rf), Source: rf.Name}
		for _, other := range st.Fields {
			if bindKey(other.Name) == bindKey(rf.Name) {
				sf.Type = other.Type // one method serves both: one Go type
			}
		}
		switch rf.Kind {
		case model.KindForeignKey:
			sf.Kind = bindForeignKey
		case model.KindManyToMany:
			sf.Kind = bindManyToMany
		case model.KindGeneric:
			sf.Kind = bindGeneric
			if rf.List {
				sf.Kind = bindGenericList
			}
		case model.KindChoice:
			if rf.ChoiceInt && rf.Name == "family" {
				sf.Kind = bindFamily
			} else {
				sf.Kind = bindScalar
			}
		default:
			sf.Kind = bindScalar
		}
		sourceOf[bindKey(rf.Name)] = rf.Name
		st.Fields = append(st.Fields, sf)
	}
	// Reverse relations Graphbox served under REST's names: kept, as deprecated aliases where
	// NetBox names the same relation otherwise, as additions where NetBox has none.
	for _, r := range old {
		replacement := ""
		for _, cur := range o.Reverse {
			if cur.Child == r.Child && cur.Param == r.Param && cur.TypeParam == "" && !cur.One {
				replacement = cur.Name
				break
			}
		}
		if replacement == r.Name || used(bindKey(r.Name)) && (replacement == "" || bindKey(replacement) != bindKey(r.Name)) {
			continue
		}
		r.Deprecated = replacement
		o.Reverse = append(o.Reverse, r)
		child := b.reg.Object(r.Child)
		sf := servedField{Name: r.Name, Type: listOf(child.Type), Args: relationArgsSDL(child), Kind: bindReverse, Source: r.Name, Deprecated: replacement}
		sourceOf[bindKey(r.Name)] = "\x00" + r.Name
		st.Fields = append(st.Fields, sf)
	}
	for _, k := range b.kept.Fields[o.Name] {
		if used(bindKey(k.Name)) {
			continue
		}
		sourceOf[bindKey(k.Name)] = "\x00" + k.Name
		st.Fields = append(st.Fields, servedField{Name: k.Name, Kind: bindKept, Kept: &k})
	}
	return nil
}

func clash(def *ast.Definition, name string) string {
	for _, f := range def.Fields {
		if f.Name != name && bindKey(f.Name) == bindKey(name) {
			return f.Name
		}
	}
	return "another field"
}

// bindField decides where one NetBox field of o comes from.
func (b *netboxBinding) bindField(sf *servedField, o *model.Object, f *ast.FieldDefinition, old []model.Reverse) {
	target := b.nb.schema.Types[f.Type.Name()]
	list := f.Type.Elem != nil
	unavailable := func(reason string) { sf.Kind, sf.Reason = bindUnavailable, reason }
	switch f.Name {
	case "class_type":
		sf.Kind = bindStatic
		return
	case "id":
		sf.Kind, sf.Source = bindScalar, "id"
		return
	}
	if src, ok := restAlias[f.Name]; ok && o.Field(src) != nil && o.Field(f.Name) == nil && target.Kind == ast.Scalar {
		sf.Kind, sf.Source = bindScalar, src
		o.Aliases = append(o.Aliases, model.Alias{Name: f.Name, Source: src})
		return
	}
	rf := o.Field(f.Name)
	switch target.Name {
	case "DjangoImageType":
		if rf == nil {
			unavailable("REST has no image field " + f.Name)
			return
		}
		sf.Kind, sf.Source = bindImage, f.Name
		return
	case "ContentTypeType":
		if rf == nil || rf.Kind != model.KindScalar || rf.List != list {
			unavailable("REST has no content type field " + f.Name)
			return
		}
		sf.Kind, sf.Source = bindContentType, f.Name
		if list {
			sf.Kind = bindContentTypeList
		}
		return
	case "DjangoModelType":
		switch {
		case rf != nil && rf.Kind == model.KindForeignKey:
			sf.Kind, sf.Source = bindModelPK, f.Name
		case rf != nil && rf.Kind == model.KindScalar && rf.GraphQL == model.TypeString && strings.HasSuffix(f.Name, "_type"):
			sf.Kind, sf.Source = bindContentTypePK, f.Name
		default:
			unavailable("REST does not expose " + f.Name)
		}
		return
	case "IPAddressFamilyType":
		if rf == nil {
			unavailable("REST has no field " + f.Name)
			return
		}
		sf.Kind, sf.Source = bindFamily, f.Name
		return
	}
	if rf != nil {
		sf.Source = rf.Name
		switch target.Kind {
		case ast.Scalar:
			if rf.Kind == model.KindForeignKey || rf.Kind == model.KindManyToMany || rf.Kind == model.KindGeneric {
				unavailable(fmt.Sprintf("REST gives %s as a %s, NetBox's GraphQL a %s", f.Name, rf.Kind, f.Type))
				return
			}
			sf.Kind = bindScalar
			return
		case ast.Object:
			switch {
			case rf.Kind == model.KindForeignKey && !list:
				sf.Kind = bindForeignKey
				return
			case rf.Kind == model.KindManyToMany && list:
				sf.Kind = bindManyToMany
				return
			case rf.Kind == model.KindScalar && !list && (rf.GraphQL == model.TypeInt || rf.GraphQL == model.TypeBigInt) && b.reg.ByType(target.Name) != nil:
				sf.Kind = bindByID
				return
			case rf.Kind == model.KindJSON && !list && b.reg.ByType(target.Name) != nil:
				// A nested object the document does not type (a circuit's termination_a).
				sf.Kind = bindNested
				return
			}
		case ast.Union:
			switch {
			case rf.Kind == model.KindGeneric && rf.List == list:
				sf.Kind = bindGeneric
				if list {
					sf.Kind = bindGenericList
				}
				return
			case list && (rf.Kind == model.KindJSON || rf.List) && o.Field(f.Name+"_type") != nil:
				sf.Kind = bindTypedList
				return
			}
		}
		// REST has the name with another shape; a reverse relation may still fit.
		sf.Source = ""
	}
	if target.Kind != ast.Object {
		unavailable(fmt.Sprintf("REST has no field %s of type %s", f.Name, f.Type))
		return
	}
	child := b.reg.ByType(target.Name)
	if child == nil {
		unavailable("REST has no list of " + target.Name)
		return
	}
	if d, ok := derivedReverse[f.Name]; ok && d.child == child.Name && child.Filter(d.typeParam) != nil && child.Filter(d.idParam) != nil && list {
		r := model.Reverse{Name: f.Name, Child: child.Name, Param: d.idParam, TypeParam: d.typeParam, TypeKey: d.typeParam, IDKey: d.idParam}
		o.Reverse = append(o.Reverse, r)
		sf.Kind, sf.Source = bindReverse, f.Name
		return
	}
	sameOld := slices.ContainsFunc(old, func(r model.Reverse) bool { return r.Name == f.Name && r.Child == child.Name })
	if r, ok := b.genericReverse(o, child, f.Name); ok && list && !sameOld {
		o.Reverse = append(o.Reverse, r)
		sf.Kind, sf.Source = bindReverse, f.Name
		return
	}
	param, reason := b.reverseParam(o, child, f.Name, old)
	if param == nil {
		unavailable(reason)
		return
	}
	r := model.Reverse{Name: f.Name, Child: child.Name, Param: param.Name, Via: param.Field, One: !list}
	for _, prev := range old {
		if prev.Child == child.Name && prev.Param == param.Name {
			r.Via = prev.Via
		}
	}
	if r.Via == "" {
		if vf := child.Field(strings.TrimSuffix(param.Name, "_id")); vf != nil {
			r.Via = vf.Name
		} else if vf := child.Field(strings.TrimSuffix(param.Name, "_id") + "s"); vf != nil {
			r.Via = vf.Name
		}
	}
	if vf := child.Field(r.Via); vf == nil || (vf.Kind != model.KindForeignKey && vf.Kind != model.KindManyToMany && vf.Kind != model.KindGeneric &&
		(vf.Kind != model.KindScalar || (vf.GraphQL != model.TypeInt && vf.GraphQL != model.TypeBigInt))) {
		r.Via = ""
	}
	o.Reverse = append(o.Reverse, r)
	sf.Kind, sf.Source = bindReverse, f.Name
}

// reverseParam finds the child's filter parameter that takes the parent's id: the one whose
// field refers to the parent, or, where several do, the one overrides.yaml names.
func (b *netboxBinding) reverseParam(parent, child *model.Object, name string, old []model.Reverse) (*model.FilterParam, string) {
	if p, ok := b.ov.NetBoxReverse[parent.Type+"."+name]; ok {
		if fp := child.Filter(p); fp != nil {
			return fp, ""
		}
		return nil, fmt.Sprintf("overrides name %s's parameter %s, which REST lacks", child.Name, p)
	}
	// The relation Graphbox served under this name, or the only one it served to this child.
	var same []model.Reverse
	for _, r := range old {
		if r.Child != child.Name {
			continue
		}
		if r.Name == name {
			same = []model.Reverse{r}
			break
		}
		same = append(same, r)
	}
	if len(same) == 1 {
		if fp := child.Filter(same[0].Param); fp != nil {
			return fp, ""
		}
	}
	var cands []*model.FilterParam
	seen := map[string]bool{}
	for i := range child.Filters {
		fp := &child.Filters[i]
		if !fp.Exact || fp.Related != parent.Name || fp.RelatedKey != "id" || fp.Field == "" {
			continue
		}
		if fp.Type != model.ParamInt {
			continue // a tree's parameter matches descendants too
		}
		cands = append(cands, fp)
		seen[fp.Name] = true
	}
	// Relations the document does not tie to their parameter: <fk>_id of a foreign key, and
	// <field without its plural s>_id of a many-to-many field (import_targets: import_target_id).
	for _, rf := range child.Fields {
		if rf.Related != parent.Name || (rf.Kind != model.KindForeignKey && rf.Kind != model.KindManyToMany) {
			continue
		}
		name := rf.Name + "_id"
		if rf.Kind == model.KindManyToMany {
			name = strings.TrimSuffix(rf.Name, "s") + "_id"
		}
		if fp := child.Filter(name); fp != nil && fp.Exact && fp.Type == model.ParamInt && !seen[name] {
			c := *fp
			c.Field = rf.Name
			cands = append(cands, &c)
			seen[name] = true
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], ""
	case 0:
		return nil, fmt.Sprintf("%s's REST list has no parameter for the %s it belongs to", child.Name, parent.Name)
	}
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.Name
	}
	return nil, fmt.Sprintf("%s has several parameters for a %s (%s); overrides.yaml must say which one %s is", child.Name, parent.Name, strings.Join(names, ", "), name)
}

// genericReverse finds the child's generic relation that can point at the parent (a VLAN
// group's scope, a circuit termination's termination) with the parameters for its type and id.
func (b *netboxBinding) genericReverse(parent, child *model.Object, name string) (model.Reverse, bool) {
	if _, ok := b.ov.NetBoxReverse[parent.Type+"."+name]; ok {
		return model.Reverse{}, false
	}
	var found []model.Reverse
	for _, rf := range child.Fields {
		if rf.Kind != model.KindGeneric || rf.List || rf.TypeKey == "" {
			continue
		}
		u := b.reg.Union(rf.GraphQL)
		if u == nil || !slices.Contains(u.Members, parent.Name) {
			continue
		}
		tp, ip := child.Filter(rf.TypeKey), child.Filter(rf.IDKey)
		if tp == nil || ip == nil || !tp.Exact || !ip.Exact {
			continue
		}
		found = append(found, model.Reverse{Name: name, Child: child.Name, Param: rf.IDKey, TypeParam: rf.TypeKey, TypeKey: rf.TypeKey, IDKey: rf.IDKey})
	}
	if len(found) != 1 {
		return model.Reverse{}, false
	}
	return found[0], true
}

func nullable(t *ast.Type) *ast.Type {
	c := *t
	c.NonNull = false
	return &c
}

func listOf(typ string) *ast.Type {
	return ast.NonNullListType(ast.NonNullNamedType(typ, nil), nil)
}

func relationArgsSDL(child *model.Object) string {
	return fmt.Sprintf("(filters: %sFilter, pagination: OffsetPaginationInput)", child.Name)
}

// restType is the served type of a REST field NetBox's GraphQL does not have.
func restType(f model.Field) *ast.Type {
	t := f.GraphQL
	if f.Kind == model.KindChoice && f.ChoiceInt && f.Name == "family" {
		t = "IPAddressFamilyType"
	}
	switch {
	case f.List && f.Kind == model.KindScalar:
		return ast.ListType(ast.NonNullNamedType(t, nil), nil)
	case f.List:
		return listOf(t)
	case f.Name == "display" || f.Name == "id":
		return ast.NonNullNamedType(t, nil)
	}
	return ast.NamedType(t, nil)
}

func printArgs(args ast.ArgumentDefinitionList) string {
	if len(args) == 0 {
		return ""
	}
	parts := make([]string, len(args))
	for i, a := range args {
		s := a.Name + ": " + a.Type.String()
		if a.DefaultValue != nil {
			s += " = " + a.DefaultValue.String()
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// sortedUnmapped lists the unmapped names in order.
func (b *netboxBinding) sortedUnmapped() []unmapped {
	out := slices.Clone(b.unmapped)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// oneOfLookups are NetBox 4.5+'s numeric lookups that hold exactly one of filter_lookup,
// range_lookup and comparison_lookup.
var oneOfLookups = map[string]bool{"IntegerLookup": true, "BigIntegerLookup": true, "FloatLookup": true, "DecimalLookup": true}

// plainLookups are the lookup inputs compiled on one REST parameter of the field's name.
var plainLookups = map[string]bool{
	"StrFilterLookup": true, "IDComparisonFilterLookup": true, "BoolFilterLookup": true, "IntFilterLookup": true,
	"IntComparisonFilterLookup": true, "FloatFilterLookup": true, "FloatComparisonFilterLookup": true,
	"DatetimeFilterLookup": true, "DateFilterLookup": true, "BigIntFilterLookup": true,
}

// oldLookupInputs are the lookup inputs Graphbox served before NetBox's names, and NetBox's
// input of the same shape.
var oldLookupInputs = map[string]string{"IDFilterLookup": "IDComparisonFilterLookup", "DateTimeFilterLookup": "DatetimeFilterLookup"}

// bindFilters makes each object's filter fields NetBox's <Model>Filter input's, bound to REST
// parameters; the filter fields Graphbox served that NetBox lacks stay, as Graphbox's own.
func (b *netboxBinding) bindFilters() {
	for _, o := range b.reg.Objects {
		def := b.nb.schema.Types[o.Name+"Filter"]
		old := o.FilterFields
		byName := map[string]model.FilterField{}
		for _, ff := range old {
			byName[ff.Name] = ff
		}
		var out []model.FilterField
		seen := map[string]bool{}
		if def != nil {
			for _, f := range def.Fields {
				seen[f.Name] = true
				switch f.Name {
				case "AND", "OR", "NOT":
					continue
				}
				ff := b.bindFilterField(o, f, byName)
				if ff.Kind == model.FilterUnavailable {
					b.unmapped = append(b.unmapped, unmapped{o.Name + "Filter." + f.Name, ff.Reason})
				}
				out = append(out, ff)
			}
		}
		for _, ff := range old {
			if seen[ff.Name] {
				continue
			}
			if n, ok := oldLookupInputs[ff.Input]; ok {
				ff.Input = n
			}
			out = append(out, ff)
		}
		o.FilterFields = out
	}
}

func (b *netboxBinding) bindFilterField(o *model.Object, f *ast.FieldDefinition, old map[string]model.FilterField) model.FilterField {
	in := f.Type.Name()
	ff := model.FilterField{Name: f.Name, Input: in}
	unavailable := func(reason string) model.FilterField {
		ff.Kind, ff.Reason = model.FilterUnavailable, reason
		return ff
	}
	prev, hadPrev := old[f.Name]
	paramOf := func() *model.FilterParam {
		if hadPrev && prev.Param != "" {
			if p := o.Filter(prev.Param); p != nil {
				return p
			}
		}
		return o.Filter(f.Name)
	}
	switch {
	case f.Name == "DISTINCT":
		ff.Kind = model.FilterDistinct
		return ff
	case in == "JSONFilter":
		if hadPrev && prev.Kind == model.FilterCustomFields {
			return prev
		}
		return unavailable("REST filters JSON only through custom fields")
	case in == "ID":
		p := o.Filter(f.Name)
		if p == nil || !p.Exact {
			return unavailable("REST has no parameter " + f.Name)
		}
		ff.Kind, ff.Param, ff.Type, ff.Field = model.FilterID, p.Name, p.Type, p.Field
		if fk := o.Field(strings.TrimSuffix(f.Name, "_id")); fk != nil && fk.Kind == model.KindForeignKey {
			ff.Field, ff.Related = fk.Name, fk.Related
		}
		return ff
	case strings.HasSuffix(in, "BaseFilterLookup"):
		p := paramOf()
		rf := o.Field(f.Name)
		if p == nil || rf == nil || rf.Kind != model.KindChoice {
			return unavailable("REST has no choice parameter " + f.Name)
		}
		b.renameChoices(rf, b.nb.schema.Types[in])
		ff.Kind, ff.Param, ff.Type, ff.Field = model.FilterChoice, p.Name, p.Type, rf.Name
		return ff
	case oneOfLookups[in] || plainLookups[in]:
		p := paramOf()
		if p == nil {
			return unavailable("REST has no parameter " + f.Name)
		}
		ff.Kind, ff.Param, ff.Type, ff.OneOf = model.FilterLookup, p.Name, p.Type, oneOfLookups[in]
		if hadPrev {
			ff.Field = prev.Field
		}
		return ff
	case in == "TreeNodeFilter":
		p := o.Filter(f.Name)
		related := ""
		if p != nil {
			related = p.Related
			if related == "" {
				if rel := b.reg.Object(camel(strings.TrimSuffix(f.Name, "_id"))); rel != nil {
					related = rel.Name
				}
			}
		}
		if p == nil || related == "" {
			return unavailable("REST has no tree parameter " + f.Name)
		}
		ff.Kind, ff.Param, ff.Type, ff.Related, ff.Tree, ff.Field = model.FilterRelated, p.Name, p.Type, related, true, p.Field
		return ff
	case strings.HasSuffix(in, "Filter"):
		rel := b.reg.Object(strings.TrimSuffix(in, "Filter"))
		if rel == nil {
			return unavailable("REST has no list of " + strings.TrimSuffix(in, "Filter"))
		}
		if hadPrev && prev.Kind == model.FilterRelated && prev.Related == rel.Name {
			return prev
		}
		// NetBox's related filter on a field REST filters by id: <field>_id, or tag_id for tags.
		for _, name := range []string{f.Name + "_id", strings.TrimSuffix(f.Name, "s") + "_id"} {
			p := o.Filter(name)
			if p == nil || !p.Exact {
				continue
			}
			// The parameter the document ties to the related type, or one it leaves untied beside
			// a relation field of that type (tag_id beside tags).
			rf := o.Field(f.Name)
			untied := p.Related == "" && p.Type == model.ParamInt && rf != nil && rf.Related == rel.Name &&
				(rf.Kind == model.KindForeignKey || rf.Kind == model.KindManyToMany)
			if p.Related == rel.Name && p.RelatedKey == "id" || untied {
				ff.Kind, ff.Param, ff.Type, ff.Related, ff.Field = model.FilterRelated, p.Name, p.Type, rel.Name, p.Field
				if ff.Field == "" || untied {
					ff.Field = f.Name
				}
				if p.Type == model.ParamString {
					ff.Tree = true
				}
				return ff
			}
		}
		// A reverse relation: rows with a child that matches. The one the type serves, or one its
		// child's parameters tie to it (a tenant filter's vlans: VLAN.tenant through tenant_id).
		r := o.ReverseField(f.Name)
		if r == nil || r.Child != rel.Name {
			r = nil
			if g, ok := b.genericReverse(o, rel, f.Name); ok {
				r = &g
			} else if p, _ := b.reverseParam(o, rel, f.Name, nil); p != nil {
				r = &model.Reverse{Child: rel.Name, Param: p.Name, Via: p.Field}
			}
			if r != nil {
				// Not served as a field (NetBox's type has none): it only carries the filter.
				r.Name = "filter:" + f.Name
				o.Reverse = append(o.Reverse, *r)
			}
		}
		if r != nil && r.Child == rel.Name && (r.TypeKey != "" || rel.Field(r.Via) != nil && rel.Field(r.Via).Kind == model.KindForeignKey) {
			ff.Kind, ff.Param, ff.Type, ff.Related, ff.Reverse = model.FilterRelated, "id", model.ParamInt, rel.Name, r.Name
			return ff
		}
		return unavailable(fmt.Sprintf("a filter through %s's %s (a reverse or unlisted relation) has no REST parameter", o.Name, f.Name))
	}
	return unavailable("Graphbox cannot compile " + in + " yet")
}

// renameChoices gives a choice field's values NetBox's enum names: the enum value whose name
// ends in the REST value, normalised as NetBox's ChoiceSet constants are ("1000base-t" is
// TYPE_1000BASE_T), else the one Graphbox derived.
func (b *netboxBinding) renameChoices(rf *model.Field, lookup *ast.Definition) {
	if lookup == nil || lookup.Fields.ForName("exact") == nil {
		return
	}
	enum := b.nb.schema.Types[lookup.Fields.ForName("exact").Type.Name()]
	if enum == nil || enum.Kind != ast.Enum {
		return
	}
	names := make([]string, len(enum.EnumValues))
	for i, v := range enum.EnumValues {
		names[i] = v.Name
	}
	for i := range rf.Choices {
		c := &rf.Choices[i]
		if slices.Contains(names, c.Enum) {
			continue
		}
		want := enumSuffix(c.Value)
		var match []string
		for _, n := range names {
			if n == want || strings.HasSuffix(n, "_"+want) {
				match = append(match, n)
			}
		}
		if len(match) == 1 {
			if c.Old == "" {
				c.Old = c.Enum
			}
			c.Enum = match[0]
		}
	}
}

func enumSuffix(v string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(v) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String()
}
