package schema

import (
	"fmt"
	"math"
	"strconv"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// node is one upstream object as a resolver sees it: the JSON the REST API gave (a full
// object trimmed by fields=, or a nested brief form), its object type, and the fields selected
// under it. The selection travels with the node, so that a relation's resolver knows what its
// objects must hold without asking graphql-go for it: that needs the resolver's context, and a
// resolver that takes one runs in a goroutine of its own.
type node struct {
	r    *request
	obj  *model.Object
	data rest.Object
	sel  *selection
}

// under is the selection under this node's field name.
func (n *node) under(name string) *selection { return n.sel.child(name, false) }

func (n *node) id() graphql.ID { return graphql.ID(strconv.Itoa(n.data.ID())) }

func (n *node) family(name string) *familyResolver {
	m, ok := n.data[name].(map[string]any)
	if !ok {
		return nil
	}
	v := toInt(m["value"])
	if v == nil {
		return nil
	}
	label, _ := m["label"].(string)
	return &familyResolver{value: *v, label: label}
}

func toStr(v any) *string {
	switch t := choiceValue(v).(type) {
	case nil:
		return nil
	case string:
		return &t
	case float64:
		s := strconv.FormatFloat(t, 'f', -1, 64)
		return &s
	default:
		s := fmt.Sprint(t)
		return &s
	}
}

func toInt(v any) *int32 {
	f, ok := choiceValue(v).(float64)
	if !ok || f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return nil
	}
	i := int32(f)
	return &i
}

func toBigInt(v any) *BigInt {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) {
		return nil
	}
	b := BigInt(f)
	return &b
}

func toFloat(v any) *float64 {
	f, ok := v.(float64)
	if !ok {
		return nil
	}
	return &f
}

func list[T any](v any, conv func(any) *T) *[]T {
	items, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]T, 0, len(items))
	for _, it := range items {
		if p := conv(it); p != nil {
			out = append(out, *p)
		}
	}
	return &out
}

// asObject reads a nested JSON object.
func asObject(v any) rest.Object {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return rest.Object(m)
}
