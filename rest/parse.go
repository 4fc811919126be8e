package rest

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parser is the fast path of DecodePage and DecodeObject. It gives the values encoding/json
// gives an interface{} (map[string]any, []any, string, float64, bool, nil) for the inputs whose
// meaning is plain, and gives up (ok false) on everything else: a syntax error, a number out of
// range, nesting deeper than maxParseDepth, a page key encoding/json would read in another way.
// The caller then decodes the body with encoding/json, which decides the value or the error: the
// fast path only has to take nothing encoding/json rejects and give its values for what it takes
// (TestDecodeAsStd, FuzzDecodeUpstream).
type parser struct {
	data  []byte
	pos   int
	depth int
	strs  map[string]string // interned strings, at most room of them
	room  int
	buf   []byte // scratch for strings with escapes or non-ASCII bytes
}

const (
	// maxParseDepth bounds the recursion; deeper bodies go to encoding/json (limit 10000).
	maxParseDepth = 1000
	// A body interns up to one string for each internRatio bytes of it and maxInterned in all,
	// of maxInternedLen bytes at most: the map is made once at its full size (a small body's
	// is small) and a body of distinct strings costs little more than without interning.
	internRatio    = 128
	maxInterned    = 1024
	maxInternedLen = 64
	// maxRowHint bounds the room a row is made with before its keys are read.
	maxRowHint = 64
)

// plain marks the bytes a string can hold as they are: not a quote, a backslash, a control
// character (a syntax error) or a byte of a multi-byte UTF-8 sequence (which may be invalid).
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func newParser(data []byte) *parser {
	room := min(maxInterned, len(data)/internRatio)
	return &parser{data: data, strs: make(map[string]string, room), room: room}
}

// page parses a list body: an object with an integer count of zero or more, a results array of
// objects, next and previous strings or null, other keys ignored.
func (p *parser) page() (*Page, bool) {
	if !p.open('{') || p.peek() == '}' {
		return nil, false
	}
	var pg Page
	seen := make(map[string]bool, len(pageKeys))
	ok := p.members('}', func() bool {
		k, ok := p.key()
		if !ok {
			return false
		}
		if !slices.Contains(pageKeys, k) {
			// encoding/json matches a struct's keys case-insensitively.
			if slices.ContainsFunc(pageKeys, func(name string) bool { return strings.EqualFold(k, name) }) {
				return false
			}
			_, ok = p.value()
			return ok
		}
		if seen[k] {
			return false // encoding/json reads a repeated key in a way of its own
		}
		seen[k] = true
		switch k {
		case "count":
			pg.Count, ok = p.count()
		case "next":
			pg.Next, ok = p.link()
		case "previous":
			pg.Previous, ok = p.link()
		case "results":
			pg.Results, ok = p.results()
		}
		return ok
	})
	if !ok || !p.end() || !seen["count"] || !seen["results"] {
		return nil, false
	}
	return &pg, true
}

// pageKeys are the keys of a page (wirePage's).
var pageKeys = []string{"count", "next", "previous", "results"}

// object parses a detail body: one object and nothing after it.
func (p *parser) object() (Object, bool) {
	p.space()
	if p.peek() != '{' {
		return nil, false
	}
	o, ok := p.obj(0)
	if !ok || !p.end() {
		return nil, false
	}
	return o, true
}

// count is a page's count: an integer literal of zero or more that fits an int.
func (p *parser) count() (int, bool) {
	p.space()
	start, end := p.pos, digitsEnd(p.data, p.pos)
	if end < 0 || (p.data[start] == '0' && end > start+1) {
		return 0, false
	}
	p.pos = end
	n, err := strconv.Atoi(string(p.data[start:end]))
	return n, err == nil
}

// link is a page's next or previous: a string, or null for none.
func (p *parser) link() (string, bool) {
	p.space()
	switch p.peek() {
	case '"':
		return p.str()
	case 'n':
		return "", p.literal("null")
	}
	return "", false
}

// results is a page's results: an array of objects. Each row is made with room for as many
// keys as the row before it had, up to maxRowHint: a page's rows are alike, and a map that grows
// moves its keys. (Only the row after a large one can be given too much room, no more than that
// large row took.)
func (p *parser) results() ([]Object, bool) {
	if !p.open('[') {
		return nil, false
	}
	rows, size := []Object{}, 0
	ok := p.members(']', func() bool {
		p.space()
		if p.peek() != '{' {
			return false
		}
		o, ok := p.obj(size)
		rows = append(rows, o)
		size = min(len(o), maxRowHint)
		return ok
	})
	return rows, ok
}

func (p *parser) value() (any, bool) {
	p.space()
	switch p.peek() {
	case '{':
		o, ok := p.obj(0)
		if !ok {
			return nil, false
		}
		return map[string]any(o), true
	case '[':
		return p.arr()
	case '"':
		return p.str()
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	case 'n':
		return nil, p.literal("null")
	}
	return p.number()
}

// obj parses an object at p.pos, which holds '{', into a map made for size keys.
func (p *parser) obj(size int) (Object, bool) {
	if !p.open('{') {
		return nil, false
	}
	o := make(Object, size)
	ok := p.members('}', func() bool {
		k, ok := p.key()
		if !ok {
			return false
		}
		v, ok := p.value()
		o[k] = v
		return ok
	})
	return o, ok
}

// arr parses an array at p.pos, which holds '['; an empty one is not nil, as encoding/json's.
func (p *parser) arr() (any, bool) {
	if !p.open('[') {
		return nil, false
	}
	a := []any{}
	ok := p.members(']', func() bool {
		v, ok := p.value()
		a = append(a, v)
		return ok
	})
	return a, ok
}

// members parses the members of a container whose opening byte open consumed, each by member,
// up to its closing byte.
func (p *parser) members(closing byte, member func() bool) bool {
	if p.peek() == closing {
		p.pos++
		p.depth--
		return true
	}
	for {
		if !member() || !p.next(closing) {
			return false
		}
		if p.data[p.pos-1] == closing {
			p.depth--
			return true
		}
	}
}

// key parses an object's key and the colon after it.
func (p *parser) key() (string, bool) {
	p.space()
	if p.peek() != '"' {
		return "", false
	}
	k, ok := p.str()
	return k, ok && p.colon()
}

// open consumes white space and the opening c of a container one level deeper, and the white
// space after it.
func (p *parser) open(c byte) bool {
	p.space()
	if p.peek() != c || p.depth >= maxParseDepth {
		return false
	}
	p.pos++
	p.depth++
	p.space()
	return true
}

// next consumes the ',' between a container's members or its closing byte.
func (p *parser) next(closing byte) bool {
	p.space()
	if c := p.peek(); c == ',' || c == closing {
		p.pos++
		return true
	}
	return false
}

func (p *parser) colon() bool {
	p.space()
	if p.peek() != ':' {
		return false
	}
	p.pos++
	return true
}

// end: nothing but white space is left.
func (p *parser) end() bool {
	p.space()
	return p.pos == len(p.data)
}

// peek is the byte at p.pos, or 0 at the end (never valid where a token is expected).
func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) literal(lit string) bool {
	if len(p.data)-p.pos < len(lit) || string(p.data[p.pos:p.pos+len(lit)]) != lit {
		return false
	}
	p.pos += len(lit)
	return true
}

// number parses a number as encoding/json does (strconv.ParseFloat); an integer of 15 digits or
// fewer is exact in a float64, so it skips ParseFloat.
func (p *parser) number() (any, bool) {
	d := p.data
	start, i := p.pos, p.pos
	neg := i < len(d) && d[i] == '-'
	if neg {
		i++
	}
	intStart := i
	if i < len(d) && d[i] == '0' {
		i++
	} else if i = digitsEnd(d, i); i < 0 {
		return nil, false
	}
	integer, intEnd := true, i
	if i < len(d) && d[i] == '.' {
		if i = digitsEnd(d, i+1); i < 0 {
			return nil, false
		}
		integer = false
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i = digitsEnd(d, i); i < 0 {
			return nil, false
		}
		integer = false
	}
	p.pos = i
	if integer && intEnd-intStart <= 15 {
		var n uint64
		for _, c := range d[intStart:intEnd] {
			n = n*10 + uint64(c-'0')
		}
		if !neg && n < uint64(len(smallInts)) {
			return smallInts[n], true
		}
		f := float64(n)
		if neg {
			f = -f
		}
		return f, true
	}
	f, err := strconv.ParseFloat(string(d[start:i]), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

// digitsEnd is the end of the digits from d[i], or -1 if there is none.
func digitsEnd(d []byte, i int) int {
	j := i
	for j < len(d) && d[j] >= '0' && d[j] <= '9' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// str parses a string at p.pos, which holds '"'. Escapes and non-ASCII bytes take the slow path,
// which reads them as encoding/json does: invalid UTF-8 and lone surrogates become U+FFFD.
func (p *parser) str() (string, bool) {
	d := p.data
	start := p.pos + 1
	i := start
	for i < len(d) && plain[d[i]] {
		i++
	}
	if i >= len(d) {
		return "", false
	}
	if d[i] != '"' {
		return p.unquote(start)
	}
	p.pos = i + 1
	return p.intern(d[start:i]), true
}

// intern returns b as a string, the same string for the same bytes: keys and short values (the
// nested objects' URLs, names and choices) repeat from row to row.
func (p *parser) intern(b []byte) string {
	if len(b) > maxInternedLen {
		return string(b)
	}
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.strs) < p.room {
		p.strs[s] = s
	}
	return s
}

// unquote is str's slow path, from the string's first byte start.
func (p *parser) unquote(start int) (string, bool) {
	d := p.data
	b := p.buf[:0]
	i := start
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = b
			return p.intern(b), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if i+1 >= len(d) {
				return "", false
			}
			switch e := d[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(d[i+2:])
				if !ok {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair is one character; anything else leaves U+FFFD for the first half.
					first := r
					r = utf8.RuneError
					if len(d) >= i+6 && d[i] == '\\' && d[i+1] == 'u' {
						if r2, ok := hex4(d[i+2:]); ok {
							if dec := utf16.DecodeRune(first, r2); dec != utf8.RuneError {
								r = dec
								i += 6
							}
						}
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, d[i:i+size]...)
			}
			i += size
		}
	}
	return "", false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// smallInts are the numbers 0 to 4095 as interface values, made once: ids, counts, VLAN ids and
// positions repeat, and each float64 put in an interface is an allocation of its own.
var smallInts = func() (t [4096]any) {
	for i := range t {
		t[i] = float64(i)
	}
	return t
}()
