// Package order sorts rows as the REST API orders them: by ordering terms ("name", "-name"),
// then by id, NULL last ascending and first descending. The filter compiler merges branches
// with it, and the tests' reference evaluator orders with the same rules.
package order

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/graphbox/graphbox/rest"
)

// Rows orders rows by REST ordering terms, then by id.
func Rows(rows []rest.Object, ordering []string) {
	sort.SliceStable(rows, func(i, j int) bool { return Compare(rows[i], rows[j], ordering) < 0 })
}

// Compare compares two rows by the ordering terms, then by id.
func Compare(a, b rest.Object, ordering []string) int {
	for _, t := range ordering {
		desc := strings.HasPrefix(t, "-")
		name := strings.TrimPrefix(t, "-")
		c := compareValues(a[name], b[name])
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.ID(), b.ID())
}

// compareValues compares two JSON values; NULL sorts after everything (PostgreSQL's default for
// ascending order, and first when the term is descending).
func compareValues(a, b any) int {
	a, b = sortKey(a), sortKey(b)
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			return cmp.Compare(x, y)
		}
	}
	if x, ok := a.(bool); ok {
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// sortKey reduces a choice to its value and a nested object to its display text.
func sortKey(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		if o, isObj := v.(rest.Object); isObj {
			m = o
		} else {
			return v
		}
	}
	if val, ok := m["value"]; ok {
		return val
	}
	if d, ok := m["display"]; ok {
		return d
	}
	return m["id"]
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	}
	return 0, false
}
