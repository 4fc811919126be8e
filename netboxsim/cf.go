package netboxsim

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Custom-field filters answer cf_<name>[__<lookup>] as NetBox 4.2 on PostgreSQL does: the
// filterset adds a filter per assigned field whose filter_logic is not disabled, with the
// lookups its type allows; every other cf_ parameter is ignored, like any unknown parameter.
// Exact and ordering lookups compare jsonb values (JSON null is a value there), the
// case-insensitive and regex ones the key's text (->>), where JSON null is SQL NULL.

// cfKind is the JSON type of one custom-field value.
type cfKind uint8

const (
	cfNull cfKind = iota
	cfString
	cfNumber
	cfBool
)

// cfValue is a custom field's value on one row, decoded from its JSON literal.
type cfValue struct {
	kind cfKind
	s    string
	n    float64
	b    bool
}

func decodeCF(lit string) cfValue {
	switch lit {
	case "null":
		return cfValue{}
	case "true", "false":
		return cfValue{kind: cfBool, b: lit == "true"}
	}
	if strings.HasPrefix(lit, `"`) {
		var s string
		if err := json.Unmarshal([]byte(lit), &s); err == nil {
			return cfValue{kind: cfString, s: s}
		}
		return cfValue{}
	}
	if f, err := strconv.ParseFloat(lit, 64); err == nil {
		return cfValue{kind: cfNumber, n: f}
	}
	return cfValue{}
}

// cfLookups lists the lookups NetBox registers for a field ("" is the bare parameter); nil:
// the type has no filter.
func cfLookups(cf *customField, regex bool) []string {
	switch cf.typ {
	case "text", "longtext", "url":
		if cf.logic == "loose" {
			return []string{""} // icontains, and no further lookups: NetBox adds them to exact filters only
		}
		return stringCFLookups(regex)
	case "select":
		return stringCFLookups(regex)
	case "integer", "decimal", "date":
		return []string{"", "n", "gt", "gte", "lt", "lte", "empty"}
	case "boolean":
		return []string{""}
	}
	return nil
}

// stringCFLookups are NetBox's character lookups (FILTER_CHAR_BASED_LOOKUP_MAP), which gained
// regex and iregex in 4.3; regex tells whether the document's own character filters have them.
func stringCFLookups(regex bool) []string {
	l := []string{"", "n", "ie", "nie", "ic", "nic", "isw", "nisw", "iew", "niew"}
	if regex {
		l = append(l, "regex", "iregex")
	}
	return l
}

// tri is SQL's three-valued logic: a test on a NULL text is neither true nor false.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triNull
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// anyTri ORs a test over the parameter's values: true wins over NULL, NULL over false.
func anyTri(n int, test func(i int) tri) tri {
	out := triFalse
	for i := range n {
		switch test(i) {
		case triTrue:
			return triTrue
		case triNull:
			out = triNull
		}
	}
	return out
}

func notTri(v tri) tri {
	switch v {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triNull
}

// compileCF adds the predicate of one cf_ parameter; parameters NetBox has no filter for are
// ignored.
func (s *Sim) compileCF(t *table, p *plan, k string, vals []string) error {
	name, lookup := strings.TrimPrefix(k, "cf_"), ""
	cf := t.customField(name)
	if cf == nil {
		if i := strings.LastIndex(name, "__"); i > 0 {
			name, lookup = name[:i], name[i+2:]
			cf = t.customField(name)
		}
	}
	if cf == nil || cf.logic == "disabled" {
		return nil
	}
	if !slices.Contains(cfLookups(cf, s.reg.RegexLookups()), lookup) {
		return nil
	}
	// NetBox's multi-value fields drop empty values; a parameter left with none filters nothing.
	var vs []string
	for _, v := range vals {
		if v != "" {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	test, err := cfTest(cf, k, lookup, vs)
	if err != nil {
		return err
	}
	p.preds = append(p.preds, func(row int) bool { return test(decodeCF(cf.value(row))) == triTrue })
	return nil
}

// customField returns the type's custom field of that name, nil if it has none.
func (t *table) customField(name string) *customField {
	for _, i := range t.cfs {
		if customFields[i].name == name {
			return &customFields[i]
		}
	}
	return nil
}

// cfTest builds the test of an allowed lookup; the values are not empty.
func cfTest(cf *customField, param, lookup string, vals []string) (func(cfValue) tri, error) {
	if lookup == "empty" || cf.typ == "boolean" {
		want := make([]bool, len(vals))
		for i, v := range vals {
			switch strings.ToLower(v) {
			case "true", "1":
				want[i] = true
			case "false", "0":
			default:
				return nil, invalidChoice(param, v)
			}
		}
		if lookup == "empty" {
			// isnull on the key: NetBox keeps every assigned key, so no value is empty.
			return func(cfValue) tri { return anyTri(len(want), func(i int) tri { return triOf(!want[i]) }) }, nil
		}
		return func(v cfValue) tri {
			return anyTri(len(want), func(i int) tri { return triOf(v.kind == cfBool && v.b == want[i]) })
		}, nil
	}
	switch cf.typ {
	case "integer", "decimal", "date":
		want, err := cfOperands(cf.typ, param, vals)
		if err != nil {
			return nil, err
		}
		return ordered(lookup, want), nil
	}
	if cf.typ != "select" && cf.logic == "loose" {
		lookup = "ic" // the bare parameter of a loose text field is icontains
	}
	if lookup == "" || lookup == "n" {
		eq := func(v cfValue) tri {
			return anyTri(len(vals), func(i int) tri { return triOf(v.kind == cfString && v.s == vals[i]) })
		}
		if lookup == "n" {
			return func(v cfValue) tri { return notTri(eq(v)) }, nil
		}
		return eq, nil
	}
	negated := strings.HasPrefix(lookup, "n")
	var match func(text string, i int) bool
	switch strings.TrimPrefix(lookup, "n") {
	case "ie", "ic", "isw", "iew":
		lower := make([]string, len(vals))
		for i, v := range vals {
			lower[i] = strings.ToLower(v)
		}
		f := ciTests[strings.TrimPrefix(lookup, "n")]
		match = func(text string, i int) bool { return f(strings.ToLower(text), lower[i]) }
	case "regex", "iregex":
		res, err := compileRegexes(param, lookup, vals)
		if err != nil {
			return nil, err
		}
		match = func(text string, i int) bool { return res[i].MatchString(text) }
	default:
		return nil, &badRequest{param, "Unsupported lookup."}
	}
	test := func(v cfValue) tri {
		if v.kind == cfNull {
			return triNull
		}
		return anyTri(len(vals), func(i int) tri { return triOf(match(cfText(v), i)) })
	}
	if negated {
		return func(v cfValue) tri { return notTri(test(v)) }, nil
	}
	return test, nil
}

// cfText is the ->> text of a non-null value.
func cfText(v cfValue) string {
	switch v.kind {
	case cfNumber:
		return strconv.FormatFloat(v.n, 'f', -1, 64)
	case cfBool:
		return strconv.FormatBool(v.b)
	}
	return v.s
}

// cfOperands validates the values of a number or date parameter as Django's form fields do.
func cfOperands(typ, param string, vals []string) ([]cfValue, error) {
	out := make([]cfValue, len(vals))
	for i, raw := range vals {
		v := strings.TrimSpace(raw)
		switch typ {
		case "integer":
			// IntegerField accepts a whole number with a zero fraction ("3.0").
			n, err := strconv.ParseInt(wholeZeros.ReplaceAllString(v, ""), 10, 64)
			if err != nil {
				return nil, &badRequest{param, "Enter a whole number."}
			}
			out[i] = cfValue{kind: cfNumber, n: float64(n)}
		case "decimal":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !decimalSyntax.MatchString(v) {
				return nil, &badRequest{param, "Enter a number."}
			}
			out[i] = cfValue{kind: cfNumber, n: f}
		case "date":
			d, err := time.Parse("2006-01-02", v)
			if err != nil {
				return nil, &badRequest{param, "Enter a valid date."}
			}
			out[i] = cfValue{kind: cfString, s: d.Format("2006-01-02")}
		}
	}
	return out, nil
}

var (
	wholeZeros = regexp.MustCompile(`\.0*$`)
	// decimalSyntax is what Python's Decimal reads, less NaN and infinities, which DecimalField refuses.
	decimalSyntax = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
)

// jsonbCompare orders two values as jsonb does for the types of the data set: null below
// strings below numbers; numbers numerically, strings bytewise (dates in ISO form sort so).
func jsonbCompare(a, b cfValue) int {
	rank := func(v cfValue) int {
		switch v.kind {
		case cfNull:
			return 0
		case cfString:
			return 1
		case cfNumber:
			return 2
		}
		return 3
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	switch a.kind {
	case cfString:
		return strings.Compare(a.s, b.s)
	case cfNumber:
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
	case cfBool:
		return boolInt(a.b) - boolInt(b.b)
	}
	return 0
}

// ordered tests a number or date value with jsonb equality or ordering; no result is NULL,
// since the key is always present.
func ordered(lookup string, want []cfValue) func(cfValue) tri {
	var ok func(c int) bool
	switch lookup {
	case "", "n":
		ok = func(c int) bool { return c == 0 }
	case "gt":
		ok = func(c int) bool { return c > 0 }
	case "gte":
		ok = func(c int) bool { return c >= 0 }
	case "lt":
		ok = func(c int) bool { return c < 0 }
	case "lte":
		ok = func(c int) bool { return c <= 0 }
	}
	return func(v cfValue) tri {
		r := anyTri(len(want), func(i int) tri { return triOf(ok(jsonbCompare(v, want[i]))) })
		if lookup == "n" {
			return notTri(r)
		}
		return r
	}
}
