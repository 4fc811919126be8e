package model

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Collation says how the values of an ordering term compare.
type Collation uint8

const (
	// CollateDefault is the database's default: numbers numerically, text by code point.
	CollateDefault Collation = iota
	// CollateNatural is NetBox's natural_sort collation (PostgreSQL ICU, und-u-kn-true): runs of
	// digits compare by their value, letters without regard to case first (lower case first
	// when the text is otherwise equal).
	CollateNatural
	// CollateInterface compares naturalize_interface keys byte by byte (COLLATE "C"), as
	// NetBox orders interfaces and VM interfaces: Gi1/0/2 < Gi1/0/10 < Gi1/0/1.100 is false,
	// a subinterface follows its parent.
	CollateInterface
	// CollateInet compares IP addresses and prefixes as PostgreSQL's inet: IPv4 before IPv6,
	// then by address, then by prefix length.
	CollateInet
	// CollateInetHost compares the host address only (Inet(Host(address))).
	CollateInetHost
	// CollateLowest compares lists of numbers by their lowest (Service's _ports_lowest).
	CollateLowest
)

// OrderTerm is one term of a list's default order.
type OrderTerm struct {
	// Path is the field the term reads: "name", or "device.name" for a field of a related
	// object (Django orders by a foreign key with the related model's own ordering).
	Path      string
	Collation Collation
	Desc      bool
	// NullsFirst puts NULL first when ascending (PostgreSQL puts it last by default).
	NullsFirst bool
}

// Fields returns the path's segments: ["device", "name"].
func (t OrderTerm) Fields() []string { return strings.Split(t.Path, ".") }

// Ordering is how the upstream orders a list when no ordering= is given.
type Ordering struct {
	// Terms are compared in turn; rows they cannot tell apart are in id order.
	Terms []OrderTerm
	// Tree: the list is in tree order (django-mptt's tree_id, lft): depth first, each parent
	// before its children; Terms order the roots and the children of one parent.
	Tree bool
}

// LocallyComparable tells whether two rows of the REST representation carry all the ordering
// needs: every term is a field of the object or a key of a related object's nested form, and
// the order is not a tree's (whose position no field gives).
func (o *Object) LocallyComparable() bool {
	if o.Order.Tree {
		return false
	}
	for _, t := range o.Order.Terms {
		fs := t.Fields()
		f := o.Field(fs[0])
		switch {
		case f == nil || len(fs) > 2:
			return false
		case len(fs) == 2 && (f.Kind != KindForeignKey || !containsString(f.NestedKeys, fs[1])):
			return false
		}
	}
	return true
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// CompareText compares two texts in the collation.
func (c Collation) CompareText(a, b string) int {
	switch c {
	case CollateNatural:
		return NaturalCompare(a, b)
	case CollateInterface:
		return strings.Compare(NaturalizeInterface(a, 100), NaturalizeInterface(b, 100))
	case CollateInet:
		return InetCompare(a, b, true)
	case CollateInetHost:
		return InetCompare(a, b, false)
	}
	return strings.Compare(a, b)
}

// NaturalCompare approximates the ICU root collation with numeric ordering on (the natural_sort
// collation): at the first level digit runs compare by value and other characters by class
// (spaces, punctuation, symbols, digits, letters) and then case-folded; letter case and then
// the bytes decide between texts that are equal at that level, lower case first. Accented
// letters are not folded onto their base letter (the data Graphbox orders is ASCII).
func NaturalCompare(a, b string) int {
	if c := naturalPrimary(a, b); c != 0 {
		return c
	}
	// Tertiary: the first difference in case, lower case first.
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] != rb[i] && unicode.ToLower(ra[i]) == unicode.ToLower(rb[i]) {
			if unicode.IsLower(ra[i]) {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}

func naturalPrimary(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isASCIIDigit(a[i]) && isASCIIDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isASCIIDigit(a[i]) {
				i++
			}
			for j < len(b) && isASCIIDigit(b[j]) {
				j++
			}
			da, db := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if len(da) != len(db) {
				return sign(len(da) - len(db))
			}
			if c := strings.Compare(da, db); c != 0 {
				return c
			}
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if c := sign(charClass(ra) - charClass(rb)); c != 0 {
			return c
		}
		la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
		if la != lb {
			return sign(int(la) - int(lb))
		}
		i += na
		j += nb
	}
	return sign((len(a) - i) - (len(b) - j))
}

// charClass orders the groups of the root collation: whitespace, punctuation, symbols, digits,
// letters (and everything else after them).
func charClass(r rune) int {
	switch {
	case unicode.IsSpace(r):
		return 0
	case unicode.IsPunct(r):
		return 1
	case unicode.IsSymbol(r):
		return 2
	case unicode.IsDigit(r):
		return 3
	case unicode.IsLetter(r):
		return 4
	}
	return 5
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

var interfaceName = regexp.MustCompile(`^(?P<type>[^\d.:]+)?` +
	`(?:(?P<slot>\d+)/)?(?:(?P<subslot>\d+)/)?(?:(?P<position>\d+)/)?(?:(?P<subposition>\d+)/)?` +
	`(?P<id>\d+)?(?::(?P<channel>\d+))?(?:\.(?P<vc>\d+))?(?P<remainder>.*)$`)

var digitRuns = regexp.MustCompile(`\d+`)

// naturalize pads every run of digits to 8 places (NetBox's utilities.ordering.naturalize).
func naturalize(value string, maxLength int) string {
	out := digitRuns.ReplaceAllStringFunc(value, func(d string) string { return leftPad(d, 8, '0') })
	return truncate(out, maxLength)
}

// NaturalizeInterface is the key NetBox stores in an interface's _name and orders by
// (utilities.ordering.naturalize_interface): slot, subslot, position and subposition padded to
// 4 digits (9999 when absent), the type text, then id, channel and subinterface padded to 6
// (dots when absent), then the naturalized rest.
func NaturalizeInterface(value string, maxLength int) string {
	m := interfaceName.FindStringSubmatchIndex(value)
	if m == nil {
		return value
	}
	group := func(name string) (string, bool) {
		k := interfaceName.SubexpIndex(name)
		if m[2*k] < 0 {
			return "", false
		}
		return value[m[2*k]:m[2*k+1]], true
	}
	var b strings.Builder
	for _, p := range []string{"slot", "subslot", "position", "subposition"} {
		if v, ok := group(p); ok {
			b.WriteString(leftPad(v, 4, '0'))
		} else {
			b.WriteString("9999")
		}
	}
	if v, ok := group("type"); ok {
		b.WriteString(v)
	}
	for _, p := range []string{"id", "channel", "vc"} {
		if v, ok := group(p); ok {
			b.WriteString(leftPad(v, 6, '0'))
		} else {
			b.WriteString("......")
		}
	}
	out := b.String()
	if rest, ok := group("remainder"); ok && len(out) < maxLength {
		out += naturalize(rest, maxLength-len(out))
	}
	return truncate(out, maxLength)
}

func leftPad(s string, n int, c byte) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat(string(c), n-len(s)) + s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// InetCompare compares two addresses (with or without a prefix length) as PostgreSQL orders
// inet: IPv4 before IPv6, then the address bytewise, then (withLength) the prefix length. Text
// that is no address sorts last.
func InetCompare(a, b string, withLength bool) int {
	pa, okA := hostAddr(a)
	pb, okB := hostAddr(b)
	switch {
	case !okA || !okB:
		if okA != okB {
			if okA {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	case pa.Is4() != pb.Is4():
		if pa.Is4() {
			return -1
		}
		return 1
	}
	if c := pa.Compare(pb); c != 0 || !withLength {
		return c
	}
	return sign(prefixLength(a) - prefixLength(b))
}

// prefixLength is the length after "/", or the full length of a bare address (-1 unknown).
func prefixLength(s string) int {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		if strings.Contains(s, ":") {
			return 128
		}
		return 32
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return -1
	}
	return n
}

func hostAddr(s string) (netip.Addr, bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}
