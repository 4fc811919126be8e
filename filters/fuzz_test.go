package filters

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/graphbox/graphbox/model"
)

// FuzzCompile feeds the compiler random filter inputs, as a caller's variables would bring them
// (any JSON), against every object type of the registry: it must never panic, and it either
// plans or says why not.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		`{"name": {"i_contains": "a"}}`,
		`{"status": "STATUS_ACTIVE", "OR": {"tenant": {"name": {"exact": "x"}}}}`,
		`{"NOT": {"AND": [{"id": {"in_list": ["1", "2"]}}, {"site": {"region": {"slug": {"exact": "r"}}}}]}}`,
		`{"custom_field_data": {"path": "owner", "lookup": {"string_lookup": {"i_contains": "t"}}}}`,
		`{"mtu": {"range": {"start": 1, "end": 9000}}, "enabled": {"exact": true}}`,
		`{"id": {"exact": {"x": [null]}}}`,
		`{"OR": {"OR": {"OR": {"NOT": {}}}}}`,
	} {
		f.Add(uint16(0), []byte(seed))
	}
	reg := model.Default()
	f.Fuzz(func(t *testing.T, which uint16, raw []byte) {
		var input map[string]any
		if json.Unmarshal(raw, &input) != nil || input == nil {
			return
		}
		obj := reg.Objects[int(which)%len(reg.Objects)]
		plan, err := Compile(reg, obj, input)
		if err == nil && plan == nil {
			t.Fatalf("%s: no plan and no error for %s", obj.Name, raw)
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("%s: an empty error for %s", obj.Name, raw)
		}
		if plan != nil {
			_ = plan.Explain()
		}
	})
}

// FuzzCompileStructured builds filter inputs out of the fuzzer's bytes from the registry's own
// filter fields and lookups, so the compiler is exercised past the field-name checks: nested
// related filters, AND/OR/NOT, lookups of every kind and values of the wrong kind.
func FuzzCompileStructured(f *testing.F) {
	f.Add(uint16(3), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add(uint16(40), []byte("related filters nested three levels deep, with NOT and OR"))
	reg := model.Default()
	f.Fuzz(func(t *testing.T, which uint16, data []byte) {
		b := &byteSource{data: data}
		obj := reg.Objects[int(which)%len(reg.Objects)]
		input := b.filter(reg, obj, 3)
		plan, err := Compile(reg, obj, input)
		if err == nil && plan == nil {
			t.Fatalf("%s: no plan and no error for %v", obj.Name, input)
		}
		if plan != nil {
			_ = plan.Explain()
		}
	})
}

// byteSource hands out the fuzzer's bytes as choices; past the end every choice is 0.
type byteSource struct {
	data []byte
	i    int
}

func (b *byteSource) next() int {
	if b.i >= len(b.data) {
		return 0
	}
	b.i++
	return int(b.data[b.i-1])
}

var fuzzLookups = []string{"exact", "i_exact", "contains", "i_contains", "starts_with", "i_starts_with",
	"ends_with", "i_ends_with", "regex", "i_regex", "in_list", "is_null", "gt", "gte", "lt", "lte", "range", "bogus"}

func (b *byteSource) value() any {
	switch b.next() % 9 {
	case 0:
		return fmt.Sprint(b.next())
	case 1:
		return float64(b.next() - 128)
	case 2:
		return b.next()%2 == 0
	case 3:
		return nil
	case 4:
		return []any{fmt.Sprint(b.next()), float64(b.next())}
	case 5:
		return map[string]any{"start": float64(b.next()), "end": float64(b.next())}
	case 6:
		return ""
	case 7:
		return "STATUS_ACTIVE"
	default:
		return map[string]any{}
	}
}

func (b *byteSource) filter(reg *model.Registry, obj *model.Object, depth int) map[string]any {
	out := map[string]any{}
	for range 1 + b.next()%3 {
		if len(obj.FilterFields) == 0 {
			break
		}
		ff := obj.FilterFields[b.next()%len(obj.FilterFields)]
		switch {
		case ff.Kind == model.FilterRelated && depth > 0:
			if rel := reg.Object(ff.Related); rel != nil {
				out[ff.Name] = b.filter(reg, rel, depth-1)
			}
		case b.next()%3 == 0:
			out[ff.Name] = b.value()
		default:
			out[ff.Name] = map[string]any{fuzzLookups[b.next()%len(fuzzLookups)]: b.value()}
		}
	}
	if depth > 0 {
		switch b.next() % 6 {
		case 0:
			out["NOT"] = b.filter(reg, obj, depth-1)
		case 1:
			out["OR"] = b.filter(reg, obj, depth-1)
		case 2:
			out["AND"] = []any{b.filter(reg, obj, depth-1), b.filter(reg, obj, depth-1)}
		}
	}
	return out
}
