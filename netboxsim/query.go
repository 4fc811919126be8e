package netboxsim

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/graphbox/graphbox/model"
)

// Pagination limits, as NetBox's defaults (PAGINATE_COUNT, MAX_PAGE_SIZE).
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// reserved parameters are not filters.
var reserved = map[string]bool{
	"limit": true, "offset": true, "ordering": true, "brief": true, "fields": true, "q": true,
	"start": true, "format": true, "exclude": true, "omit": true,
}

// badRequest is a 400 answer: {"<param>": ["<message>"]}.
type badRequest struct {
	param, msg string
}

func (e *badRequest) Error() string { return e.param + ": " + e.msg }

func invalidChoice(param, v string) *badRequest {
	return &badRequest{param, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)}
}

// val is one value of a row for a filter: a string or a number.
type val struct {
	s     string
	n     float64
	isNum bool
}

func (v val) str() string {
	if v.isNum {
		return strconv.FormatFloat(v.n, 'f', -1, 64)
	}
	return v.s
}

// getter appends the values of a row (none when null) to buf.
type getter func(row int, buf []val) []val

// pred tests one row.
type pred func(row int) bool

// plan is a compiled list query: a candidate set from an index (nil: all rows) and predicates.
type plan struct {
	cand  []int32
	hasC  bool
	preds []pred
}

func (p *plan) narrow(rows []int32) {
	if !p.hasC {
		p.cand, p.hasC = rows, true
		return
	}
	set := make(map[int32]bool, len(rows))
	for _, r := range rows {
		set[r] = true
	}
	out := p.cand[:0:0]
	for _, r := range p.cand {
		if set[r] {
			out = append(out, r)
		}
	}
	p.cand = out
}

// valuesOf returns a getter for a column; key is the related type's key for relations ("id",
// "slug", "name").
func (s *Sim) valuesOf(t *table, ci int, key string) getter {
	c := t.cols[ci]
	switch c.kind {
	case colID:
		return func(row int, buf []val) []val { return append(buf, val{n: float64(t.id(row)), isNum: true}) }
	case colNumber:
		return func(row int, buf []val) []val {
			if c.isNull(row) {
				return buf
			}
			return append(buf, val{n: c.nums[row], isNum: true})
		}
	case colString:
		if c.f.List {
			return func(row int, buf []val) []val {
				if c.slists != nil {
					for _, x := range c.slists[row] {
						buf = append(buf, val{s: x})
					}
				}
				return buf
			}
		}
		return func(row int, buf []val) []val {
			if c.isNull(row) {
				return buf
			}
			return append(buf, val{s: c.strs[row]})
		}
	case colDisplay:
		return func(row int, buf []val) []val { return append(buf, val{s: t.display[row]}) }
	case colTimestamp:
		return func(row int, buf []val) []val { return append(buf, val{s: timestamp(row)}) }
	case colBool:
		return func(row int, buf []val) []val {
			switch c.bools[row] {
			case 0:
				return append(buf, val{s: "false"})
			case 1:
				return append(buf, val{s: "true"})
			}
			return buf
		}
	case colChoice:
		return func(row int, buf []val) []val {
			if i := c.idx[row]; i >= 0 {
				return append(buf, val{s: c.f.Choices[i].Value})
			}
			return buf
		}
	case colFK, colM2M:
		sub := s.keyGetter(c.rel, key)
		if c.kind == colFK {
			return func(row int, buf []val) []val {
				if p := c.idx[row]; p >= 0 {
					return sub(int(p), buf)
				}
				return buf
			}
		}
		return func(row int, buf []val) []val {
			for _, p := range c.lists[row] {
				buf = sub(int(p), buf)
			}
			return buf
		}
	case colGeneric, colGenID:
		gc := c
		if c.kind == colGenID {
			gc = t.cols[c.sib]
		}
		return func(row int, buf []val) []val {
			if g := gc.gen[row]; g.tab >= 0 {
				return append(buf, val{n: float64(s.tables[g.tab].id(int(g.row))), isNum: true})
			}
			return buf
		}
	case colGenType:
		gc := t.cols[c.sib]
		return func(row int, buf []val) []val {
			if g := gc.gen[row]; g.tab >= 0 {
				return append(buf, val{s: s.tables[g.tab].obj.ContentType})
			}
			return buf
		}
	}
	return func(row int, buf []val) []val { return buf }
}

// keyGetter reads the key of a related row: its id, slug, name, ...
func (s *Sim) keyGetter(t *table, key string) getter {
	if key == "" || key == "id" {
		return func(row int, buf []val) []val { return append(buf, val{n: float64(t.id(row)), isNum: true}) }
	}
	if ci, ok := t.byName[key]; ok && t.cols[ci].kind != colFK && t.cols[ci].kind != colM2M {
		return s.valuesOf(t, ci, "")
	}
	return func(row int, buf []val) []val { return buf }
}

// lookupRows resolves key values of a related table to its rows; unknown values are a 400, as
// NetBox's ModelMultipleChoiceFilter answers. "null" selects objects without a relation.
func (s *Sim) lookupRows(param string, t *table, key string, values []string) (rows []int32, null bool, err error) {
	var byKey map[string]int32
	if key != "" && key != "id" {
		byKey = s.keyIndex(t, key)
	}
	for _, v := range values {
		if v == "null" {
			null = true
			continue
		}
		if byKey == nil {
			id, e := strconv.Atoi(v)
			r, ok := t.rowOf(id)
			if e != nil || !ok {
				return nil, false, invalidChoice(param, v)
			}
			rows = append(rows, int32(r))
			continue
		}
		r, ok := byKey[v]
		if !ok {
			return nil, false, invalidChoice(param, v)
		}
		rows = append(rows, r)
	}
	return rows, null, nil
}

// keyIndex maps a key column (slug, name) of a table to rows; built once per table and key.
func (s *Sim) keyIndex(t *table, key string) map[string]int32 {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	k := fmt.Sprintf("%d/%s", t.pos, key)
	if m, ok := s.keyIdx[k]; ok {
		return m
	}
	m := make(map[string]int32, t.n)
	get := s.keyGetter(t, key)
	var buf []val
	for r := range t.n {
		buf = get(r, buf[:0])
		for _, v := range buf {
			if _, dup := m[v.str()]; !dup {
				m[v.str()] = int32(r)
			}
		}
	}
	s.keyIdx[k] = m
	return m
}

// descendants adds every descendant of the rows of a tree table.
func descendants(t *table, rows []int32) []int32 {
	if t.parent < 0 || len(rows) == 0 {
		return rows
	}
	in := make(map[int32]bool, len(rows))
	for _, r := range rows {
		in[r] = true
	}
	pc := t.cols[t.parent]
	// Parents precede children, so one pass in row order closes the set.
	for r := range t.n {
		if p := pc.idx[r]; p >= 0 && in[p] {
			in[int32(r)] = true
		}
	}
	out := make([]int32, 0, len(in))
	for r := range in {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func isTreeParamExcluded(name string) bool { return name == "parent" || name == "parent_id" }

// compile turns the query's filters into a plan; unknown parameters are ignored.
func (s *Sim) compile(t *table, q url.Values) (*plan, error) {
	p := &plan{}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// NetBox's multi-value filter fields drop empty values (multivalue_field_factory), and
		// django-filter skips a filter left with none, as it skips an empty boolean (__empty=).
		vals := slices.DeleteFunc(slices.Clone(q[k]), func(v string) bool { return v == "" })
		if reserved[k] || len(vals) == 0 {
			continue
		}
		if strings.HasPrefix(k, "cf_") {
			if err := s.compileCF(t, p, k, vals); err != nil {
				return nil, err
			}
			continue
		}
		base, lookup := k, ""
		fp := t.obj.Filter(k)
		if fp == nil || !fp.Exact {
			if i := strings.LastIndex(k, "__"); i > 0 {
				base, lookup = k[:i], k[i+2:]
				fp = t.obj.Filter(base)
			}
		}
		if fp == nil || !fp.HasLookup(lookup) {
			continue
		}
		if err := s.compileParam(t, p, fp, k, lookup, vals); err != nil {
			return nil, err
		}
	}
	if q.Has("q") && strings.TrimSpace(q.Get("q")) != "" {
		p.preds = append(p.preds, s.search(t, strings.ToLower(strings.TrimSpace(q.Get("q")))))
	}
	return p, nil
}

var searchFields = []string{"name", "slug", "description", "address", "prefix", "cid", "serial", "asset_tag", "label", "mac_address", "dns_name", "username", "comments"}

func (s *Sim) search(t *table, needle string) pred {
	var gets []getter
	for _, f := range searchFields {
		if ci, ok := t.byName[f]; ok && t.cols[ci].kind == colString {
			gets = append(gets, s.valuesOf(t, ci, ""))
		}
	}
	if len(gets) == 0 {
		gets = append(gets, func(row int, buf []val) []val { return append(buf, val{s: t.display[row]}) })
	}
	var buf []val
	return func(row int) bool {
		for _, g := range gets {
			buf = g(row, buf[:0])
			for _, v := range buf {
				if strings.Contains(strings.ToLower(v.s), needle) {
					return true
				}
			}
		}
		return false
	}
}

func rowPred(get getter, m func([]val) bool) pred {
	var buf []val
	return func(row int) bool {
		buf = get(row, buf[:0])
		return m(buf)
	}
}

// compileParam compiles one parameter backed by a field, or one NetBox derives.
func (s *Sim) compileParam(t *table, p *plan, fp *model.FilterParam, k, lookup string, vals []string) error {
	if fp.Field == "" {
		return s.compileDerived(t, p, fp, k, lookup, vals)
	}
	ci, ok := t.byName[fp.Field]
	if !ok {
		// The registry names a field the type lacks: nothing to test against, so ignore it.
		return nil
	}
	c := t.cols[ci]
	relational := (c.kind == colFK || c.kind == colM2M) && c.rel != nil
	if relational && (lookup == "" || lookup == "n" || lookup == "any" && isTagParam(fp.Name)) {
		key := fp.RelatedKey
		rows, null, err := s.lookupRows(k, c.rel, key, vals)
		if err != nil {
			return err
		}
		if !isTreeParamExcluded(fp.Name) {
			rows = descendants(c.rel, rows)
		}
		// NetBox's TagFilter wants every tag given (conjoined); tag__any any of them (4.6.6+);
		// tag__n excludes each in turn, so none of them. Config contexts and tagged items
		// declare plain tag filters, which want any.
		conjoined := isTagParam(fp.Name) && lookup == "" && !plainTagFilter[t.obj.Name]
		m := relMatcher(c, rows, null, conjoined)
		if lookup == "n" {
			p.preds = append(p.preds, func(row int) bool { return !m(row) })
			return nil
		}
		if c.kind == colFK && !null {
			var cand []int32
			for _, r := range rows {
				cand = append(cand, c.children(t.n, r)...)
			}
			slices.Sort(cand)
			p.narrow(slices.Compact(cand))
		}
		if c.kind == colM2M && !null && len(rows) > 0 && !conjoined {
			var cand []int32
			for _, r := range rows {
				cand = append(cand, c.children(t.n, r)...)
			}
			slices.Sort(cand)
			p.narrow(slices.Compact(cand))
		}
		p.preds = append(p.preds, m)
		return nil
	}
	if c.kind == colID && lookup == "" {
		var rows []int32
		for _, v := range vals {
			id, err := strconv.Atoi(v)
			if err != nil {
				return &badRequest{k, "Enter a number."}
			}
			if r, ok := t.rowOf(id); ok {
				rows = append(rows, int32(r))
			}
		}
		slices.Sort(rows)
		p.narrow(slices.Compact(rows))
		return nil
	}
	if c.kind == colChoice && (lookup == "" || lookup == "n") {
		for _, v := range vals {
			if !hasChoice(c.f, v) {
				return invalidChoice(k, v)
			}
		}
	}
	key := fp.RelatedKey
	m, err := matcher(k, fp.Type, lookup, vals)
	if err != nil {
		return err
	}
	p.preds = append(p.preds, rowPred(s.valuesOf(t, ci, key), m))
	return nil
}

func hasChoice(f *model.Field, v string) bool {
	for _, ch := range f.Choices {
		if ch.Value == v {
			return true
		}
	}
	return false
}

// relMatcher tests an FK or M2M column against related rows; conjoined (tags) needs all of them.
func isTagParam(name string) bool { return name == "tag" || name == "tag_id" }

// plainTagFilter are the types whose filter sets declare tag and tag_id as plain
// ModelMultipleChoiceFilters rather than NetBox's conjoined TagFilter.
var plainTagFilter = map[string]bool{"ConfigContext": true, "TaggedItem": true}

func relMatcher(c *column, rows []int32, null, conjoined bool) pred {
	set := make(map[int32]bool, len(rows))
	for _, r := range rows {
		set[r] = true
	}
	if c.kind == colFK {
		return func(row int) bool {
			v := c.idx[row]
			if v < 0 {
				return null
			}
			return set[v]
		}
	}
	return func(row int) bool {
		l := c.lists[row]
		if len(l) == 0 {
			return null
		}
		if conjoined {
			for r := range set {
				if !slices.Contains(l, r) {
					return false
				}
			}
			return true
		}
		for _, v := range l {
			if set[v] {
				return true
			}
		}
		return false
	}
}

// matcher builds the test of one lookup on the values of a row.
func matcher(param string, typ model.ParamType, lookup string, vals []string) (func([]val) bool, error) {
	numeric := typ == model.ParamInt || typ == model.ParamFloat
	var nums []float64
	var dates []time.Time
	if numeric && lookup != "empty" {
		for _, v := range vals {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || (typ == model.ParamInt && f != float64(int64(f))) {
				return nil, &badRequest{param, "Enter a number."}
			}
			nums = append(nums, f)
		}
	}
	switch typ {
	case model.ParamBool:
		if lookup != "empty" {
			for i, v := range vals {
				switch strings.ToLower(v) {
				case "true", "1", "yes":
					vals[i] = "true"
				case "false", "0", "no":
					vals[i] = "false"
				default:
					return nil, invalidChoice(param, v)
				}
			}
		}
	case model.ParamDate, model.ParamDateTime:
		if lookup != "empty" {
			for _, v := range vals {
				d, ok := parseDate(v, typ == model.ParamDateTime)
				if !ok {
					msg := "Enter a valid date."
					if typ == model.ParamDateTime {
						msg = "Enter a valid date/time."
					}
					return nil, &badRequest{param, msg}
				}
				dates = append(dates, d)
			}
		}
	}
	// Dates compare as instants, whatever their layout ("2025-01-01T00:00:00Z" equals the
	// stored "2025-01-01T00:00:00.000000Z").
	dateCmp := func(a val, i int) (int, bool) {
		d, ok := parseDate(a.str(), true)
		if !ok {
			return 0, false
		}
		return d.Compare(dates[i]), true
	}
	eq := func(a val, i int) bool {
		if numeric {
			n := a.n
			if !a.isNum {
				f, err := strconv.ParseFloat(a.s, 64)
				if err != nil {
					return false
				}
				n = f
			}
			return n == nums[i]
		}
		if dates != nil {
			c, ok := dateCmp(a, i)
			return ok && c == 0
		}
		return a.str() == vals[i]
	}
	cmp := func(a val, i int) int {
		if dates != nil {
			if c, ok := dateCmp(a, i); ok {
				return c
			}
		}
		if numeric {
			n := a.n
			if !a.isNum {
				n, _ = strconv.ParseFloat(a.s, 64)
			}
			switch {
			case n < nums[i]:
				return -1
			case n > nums[i]:
				return 1
			}
			return 0
		}
		return strings.Compare(a.str(), vals[i])
	}
	anyOf := func(test func(a val, i int) bool) func([]val) bool {
		return func(as []val) bool {
			for _, a := range as {
				for i := range vals {
					if test(a, i) {
						return true
					}
				}
			}
			return false
		}
	}
	not := func(m func([]val) bool) func([]val) bool { return func(as []val) bool { return !m(as) } }
	lower := make([]string, len(vals))
	for i, v := range vals {
		lower[i] = strings.ToLower(v)
	}
	strTest := func(f func(a, b string) bool) func(a val, i int) bool {
		return func(a val, i int) bool { return f(strings.ToLower(a.str()), lower[i]) }
	}
	switch lookup {
	case "":
		return anyOf(eq), nil
	case "n":
		return not(anyOf(eq)), nil
	case "ie", "ic", "isw", "iew":
		return anyOf(strTest(ciTests[lookup])), nil
	case "nie", "nic", "nisw", "niew":
		return not(anyOf(strTest(ciTests[lookup[1:]]))), nil
	case "lt":
		return anyOf(func(a val, i int) bool { return cmp(a, i) < 0 }), nil
	case "lte":
		return anyOf(func(a val, i int) bool { return cmp(a, i) <= 0 }), nil
	case "gt":
		return anyOf(func(a val, i int) bool { return cmp(a, i) > 0 }), nil
	case "gte":
		return anyOf(func(a val, i int) bool { return cmp(a, i) >= 0 }), nil
	case "empty":
		want, err := strconv.ParseBool(strings.ToLower(vals[0]))
		if err != nil {
			return nil, invalidChoice(param, vals[0])
		}
		return func(as []val) bool {
			empty := len(as) == 0 || (len(as) == 1 && !as[0].isNum && as[0].s == "")
			return empty == want
		}, nil
	case "regex", "iregex":
		res, err := compileRegexes(param, lookup, vals)
		if err != nil {
			return nil, err
		}
		return anyOf(func(a val, i int) bool { return res[i].MatchString(a.str()) }), nil
	}
	return nil, &badRequest{param, "Unsupported lookup."}
}

var (
	dateLayouts     = []string{"2006-01-02"}
	dateTimeLayouts = []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"}
)

// parseDate reads a date or date-time value; a date is midnight UTC.
func parseDate(v string, dateTime bool) (time.Time, bool) {
	layouts := dateLayouts
	if dateTime {
		layouts = dateTimeLayouts
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// compileRegexes compiles the values of a regex or iregex parameter, answering 400 to a bad one.
func compileRegexes(param, lookup string, vals []string) ([]*regexp.Regexp, error) {
	res := make([]*regexp.Regexp, len(vals))
	for i, v := range vals {
		expr := v
		if lookup == "iregex" {
			expr = "(?i)" + v
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, &badRequest{param, fmt.Sprintf("Invalid regular expression: %v", err)}
		}
		res[i] = re
	}
	return res, nil
}

// ciTests compare lower-cased text with a lower-cased value for the case-insensitive lookups.
var ciTests = map[string]func(text, want string) bool{
	"ie":  func(a, b string) bool { return a == b },
	"ic":  strings.Contains,
	"isw": strings.HasPrefix,
	"iew": strings.HasSuffix,
}
