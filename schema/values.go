package schema

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/graphbox/graphbox/rest"
)

// The accessors below read one REST value as the scalar a served field declares. A non-null
// field reads a missing value as the type's zero value: NetBox's schema calls it required, and
// a null there would take the whole object down with it.

// choiceValue reads a REST choice ({"value","label"}) as its value; other values pass.
func choiceValue(v any) any {
	if m, ok := v.(map[string]any); ok {
		if val, ok := m["value"]; ok {
			if _, hasLabel := m["label"]; hasLabel {
				return val
			}
		}
	}
	return v
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func (n *node) gid(name string) graphql.ID { return deref(n.gidPtr(name)) }
func (n *node) gidPtr(name string) *graphql.ID {
	s := toStr(n.data[name])
	if s == nil {
		return nil
	}
	id := graphql.ID(*s)
	return &id
}
func (n *node) str(name string) string          { return deref(n.strPtr(name)) }
func (n *node) strPtr(name string) *string      { return toStr(n.data[name]) }
func (n *node) int(name string) int32           { return deref(n.intPtr(name)) }
func (n *node) intPtr(name string) *int32       { return toInt(n.data[name]) }
func (n *node) bigInt(name string) BigInt       { return deref(n.bigIntPtr(name)) }
func (n *node) bigIntPtr(name string) *BigInt   { return toBigInt(choiceValue(n.data[name])) }
func (n *node) float(name string) float64       { return deref(n.floatPtr(name)) }
func (n *node) floatPtr(name string) *float64   { return toFloat(n.data[name]) }
func (n *node) bool(name string) bool           { return deref(n.boolPtr(name)) }
func (n *node) boolPtr(name string) *bool       { return toBool(n.data[name]) }
func (n *node) decimal(name string) Decimal     { return deref(n.decimalPtr(name)) }
func (n *node) decimalPtr(name string) *Decimal { return toDecimal(n.data[name]) }
func (n *node) dateTime(name string) DateTime   { return deref(n.dateTimePtr(name)) }
func (n *node) dateTimePtr(name string) *DateTime {
	return strAs[DateTime](n.data[name])
}
func (n *node) date(name string) Date     { return deref(n.datePtr(name)) }
func (n *node) datePtr(name string) *Date { return strAs[Date](n.data[name]) }
func (n *node) time(name string) Time     { return deref(n.timePtr(name)) }
func (n *node) timePtr(name string) *Time { return strAs[Time](n.data[name]) }
func (n *node) uuid(name string) UUID     { return deref(n.uuidPtr(name)) }
func (n *node) uuidPtr(name string) *UUID { return strAs[UUID](n.data[name]) }
func (n *node) json(name string) JSON     { return JSON{Value: n.data[name]} }
func (n *node) jsonPtr(name string) *JSON {
	v, ok := n.data[name]
	if !ok || v == nil {
		return nil
	}
	return &JSON{Value: v}
}

func (n *node) strList(name string) []string            { return deref(n.strListPtr(name)) }
func (n *node) strListPtr(name string) *[]string        { return list(n.data[name], toStr) }
func (n *node) intList(name string) []int32             { return deref(n.intListPtr(name)) }
func (n *node) intListPtr(name string) *[]int32         { return list(n.data[name], toInt) }
func (n *node) bigIntList(name string) []BigInt         { return deref(n.bigIntListPtr(name)) }
func (n *node) bigIntListPtr(name string) *[]BigInt     { return list(n.data[name], toBigInt) }
func (n *node) floatList(name string) []float64         { return deref(n.floatListPtr(name)) }
func (n *node) floatListPtr(name string) *[]float64     { return list(n.data[name], toFloat) }
func (n *node) boolList(name string) []bool             { return deref(n.boolListPtr(name)) }
func (n *node) boolListPtr(name string) *[]bool         { return list(n.data[name], toBool) }
func (n *node) decimalList(name string) []Decimal       { return deref(n.decimalListPtr(name)) }
func (n *node) decimalListPtr(name string) *[]Decimal   { return list(n.data[name], toDecimal) }
func (n *node) dateTimeList(name string) []DateTime     { return deref(n.dateTimeListPtr(name)) }
func (n *node) dateTimeListPtr(name string) *[]DateTime { return list(n.data[name], strAs[DateTime]) }

func toBool(v any) *bool {
	b, ok := v.(bool)
	if !ok {
		return nil
	}
	return &b
}

func toDecimal(v any) *Decimal {
	switch t := v.(type) {
	case float64:
		d := Decimal(strconv.FormatFloat(t, 'f', -1, 64))
		return &d
	case string:
		d := Decimal(t)
		return &d
	}
	return nil
}

func strAs[T ~string](v any) *T {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	t := T(s)
	return &t
}

// unavailable is the error of a field NetBox's schema has and REST gives no source for.
func (n *node) unavailable(field string) error {
	return coded("FIELD_UNAVAILABLE", "%s.%s has no source in the upstream's REST API; it is answered null", n.obj.Type, field)
}

// imageResolver resolves NetBox's DjangoImageType from the image URL REST gives. The file's
// size and path on the server are not in REST; width and height only where the model stores
// them beside the image (image attachments).
type imageResolver struct {
	url           string
	width, height *int32
}

func (n *node) image(name string) *imageResolver {
	s, _ := n.data[name].(string)
	if s == "" {
		return nil
	}
	return &imageResolver{url: s, width: toInt(n.data[name+"_width"]), height: toInt(n.data[name+"_height"])}
}

// Name is the file's name under the media root, as Django's FieldFile.name.
func (i *imageResolver) Name() string {
	u, err := url.Parse(i.url)
	if err != nil {
		return i.url
	}
	p := u.Path
	if k := strings.Index(p, "/media/"); k >= 0 {
		return p[k+len("/media/"):]
	}
	return path.Base(p)
}
func (i *imageResolver) URL() string { return i.url }
func (i *imageResolver) Path() (*string, error) {
	return nil, coded("FIELD_UNAVAILABLE", "DjangoImageType.path (the file's path on the NetBox server) is not in the upstream's REST API; it is answered null")
}
func (i *imageResolver) Size() (*int32, error) {
	return nil, coded("FIELD_UNAVAILABLE", "DjangoImageType.size is not in the upstream's REST API; it is answered null")
}
func (i *imageResolver) Width() (*int32, error) {
	if i.width == nil {
		return nil, coded("FIELD_UNAVAILABLE", "DjangoImageType.width is not in the upstream's REST API for this image; it is answered null")
	}
	return i.width, nil
}
func (i *imageResolver) Height() (*int32, error) {
	if i.height == nil {
		return nil, coded("FIELD_UNAVAILABLE", "DjangoImageType.height is not in the upstream's REST API for this image; it is answered null")
	}
	return i.height, nil
}

// modelResolver resolves NetBox's DjangoModelType: a related row's primary key.
type modelResolver struct{ pk graphql.ID }

func (m *modelResolver) Pk() graphql.ID { return m.pk }

// modelPK reads a nested object's id.
func (n *node) modelPK(name string) *modelResolver {
	nested := asObject(n.data[name])
	if nested == nil || nested.ID() == 0 {
		return nil
	}
	return &modelResolver{pk: graphql.ID(strconv.Itoa(nested.ID()))}
}

// contentTypeResolver resolves NetBox's ContentTypeType from "app_label.model" and the id the
// upstream's object types list gives it.
type contentTypeResolver struct {
	id         graphql.ID
	app, model string
}

func (c *contentTypeResolver) ID() graphql.ID   { return c.id }
func (c *contentTypeResolver) AppLabel() string { return c.app }
func (c *contentTypeResolver) Model() string    { return c.model }

func (n *node) contentType(name string) (*contentTypeResolver, error) {
	ct, _ := choiceValue(n.data[name]).(string)
	if ct == "" {
		return nil, nil
	}
	app, mdl, ok := strings.Cut(ct, ".")
	if !ok {
		return nil, coded("BAD_UPSTREAM_RESPONSE", "%s.%s: %q is not a content type", n.obj.Type, name, ct)
	}
	id, err := n.r.contentTypeID(ct)
	if err != nil {
		return nil, err
	}
	return &contentTypeResolver{id: id, app: app, model: mdl}, nil
}

func (n *node) contentTypePK(name string) (*modelResolver, error) {
	ct, _ := choiceValue(n.data[name]).(string)
	if ct == "" {
		return nil, nil
	}
	id, err := n.r.contentTypeID(ct)
	if err != nil || id == "" {
		return nil, err
	}
	return &modelResolver{pk: id}, nil
}

// contentTypeID finds a content type's id in the upstream's object types, read once per request
// (and cached per token like every list) with the request's context.
func (r *request) contentTypeID(ct string) (graphql.ID, error) {
	r.ctOnce.Do(func() {
		obj := r.g.reg.ByPath("/api/core/object-types/")
		if obj == nil {
			r.ctErr = coded("FIELD_UNAVAILABLE", "the upstream has no object types list to number content types")
			return
		}
		rows, err := r.loader.All(r.ctx, obj.Path, url.Values{"fields": {"id,app_label,model"}})
		if err != nil {
			r.ctErr = r.fail(err)
			return
		}
		r.ctIDs = make(map[string]graphql.ID, len(rows))
		for _, row := range rows {
			app, _ := row["app_label"].(string)
			mdl, _ := row["model"].(string)
			r.ctIDs[app+"."+mdl] = graphql.ID(strconv.Itoa(row.ID()))
		}
	})
	if r.ctErr != nil {
		return "", r.ctErr
	}
	return r.ctIDs[ct], nil
}

// byID resolves an object REST refers to by a bare id (an inventory item's parent).
func (n *node) byID(name, objName string) (*node, error) {
	id := toInt(n.data[name])
	if id == nil || *id == 0 {
		return nil, nil
	}
	return n.one(name, typedObject{n.r.g.reg.Object(objName), rest.Object{"id": float64(*id)}})
}

// typedList resolves a list of nested objects whose type a sibling <name>_type names
// (connected_endpoints, link_peers).
func (n *node) typedList(name, union string) ([]*node, error) {
	ct, _ := n.data[name+"_type"].(string)
	items, _ := n.data[name].([]any)
	if ct == "" || len(items) == 0 {
		return []*node{}, nil
	}
	obj := n.r.g.reg.ByContentType(ct)
	if obj == nil {
		return nil, coded("UNSUPPORTED_TYPE", "%s.%s: %s is not a member of %s", n.obj.Type, name, ct, union)
	}
	objs := make([]typedObject, 0, len(items))
	for _, it := range items {
		if nested := asObject(it); nested != nil {
			objs = append(objs, typedObject{obj, nested})
		}
	}
	return n.r.resolveNested(objs, n.under(name))
}

// reverseOne resolves a one-to-one reverse relation (a device's vc_master_for); the children
// were registered by look-ahead and are waited for with the request's context.
func (n *node) reverseOne(name string) (*node, error) {
	ns, err := n.reverse(n.r.ctx, name, relationArgs{})
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	return ns[0], nil
}

// m2mArgs resolves a many-to-many list with NetBox's filters and pagination arguments (nil:
// none, as a list declared without them).
func (n *node) m2mArgs(name string, args *relationArgs) ([]*node, error) {
	if args != nil && len(args.Filters.Raw) > 0 {
		return nil, coded("UNSUPPORTED_FILTER", "%s.%s: filters on a many-to-many list are not supported yet; filter the list's own root field instead", n.obj.Type, name)
	}
	ns, err := n.m2m(name)
	if err != nil {
		return nil, err
	}
	return cut(n.r, ns, args.pagination(), func(n *node) int { return n.data.ID() })
}

// strListListPtr reads a list of string lists (a choice set's extra_choices).
func (n *node) strListListPtr(name string) *[][]string {
	return list(n.data[name], func(v any) *[]string { return list(v, toStr) })
}

// contentTypes resolves a list of content types ("dcim.device", ...) with NetBox's pagination.
func (n *node) contentTypes(name string, args *relationArgs) ([]*contentTypeResolver, error) {
	items, _ := n.data[name].([]any)
	out := make([]*contentTypeResolver, 0, len(items))
	for _, it := range items {
		ct, _ := it.(string)
		app, mdl, ok := strings.Cut(ct, ".")
		if !ok {
			continue
		}
		id, err := n.r.contentTypeID(ct)
		if err != nil {
			return nil, err
		}
		out = append(out, &contentTypeResolver{id: id, app: app, model: mdl})
	}
	return cut(n.r, out, args.pagination(), func(c *contentTypeResolver) int { id, _ := strconv.Atoi(string(c.id)); return id })
}

// nestedAs resolves an object REST nests without the document typing it (a circuit's
// termination_a) as an object of the named type.
func (n *node) nestedAs(name, objName string) (*node, error) {
	nested := asObject(n.data[name])
	if nested == nil || nested.ID() == 0 {
		return nil, nil
	}
	return n.one(name, typedObject{n.r.g.reg.Object(objName), nested})
}
