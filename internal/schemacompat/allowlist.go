package schemacompat

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Accepted is an allowlist entry: a change knowingly made, and why.
type Accepted struct {
	Kind   Kind
	Path   string
	Reason string
	Line   int
}

func (a Accepted) String() string { return fmt.Sprintf("line %d: %s %s", a.Line, a.Kind, a.Path) }

var kinds = []Kind{Removed, Changed, Required, Expired, Reason}

// ParseAllowlist reads one entry a line, "<kind> <path> <reason>", as Problem's Kind and Path;
// the reason is required. Blank lines and lines starting with # are skipped.
func ParseAllowlist(r io.Reader) ([]Accepted, error) {
	var out []Accepted
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("allowlist line %d: want <kind> <path> <reason>, got %q", n, line)
		}
		if !slices.Contains(kinds, Kind(f[0])) {
			return nil, fmt.Errorf("allowlist line %d: kind %q is not one of %v", n, f[0], kinds)
		}
		out = append(out, Accepted{Kind: Kind(f[0]), Path: f[1], Reason: strings.Join(f[2:], " "), Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("allowlist: %w", err)
	}
	return out, nil
}

// Filter returns the problems no entry accepts, and the entries that accept no problem (an entry
// left over once its change is released, or never made, so the list cannot rot).
func Filter(problems []Problem, accepted []Accepted) (left []Problem, unused []Accepted) {
	used := make([]bool, len(accepted))
	for _, p := range problems {
		i := slices.IndexFunc(accepted, func(a Accepted) bool { return a.Kind == p.Kind && a.Path == p.Path })
		if i < 0 {
			left = append(left, p)
			continue
		}
		used[i] = true
	}
	for i, a := range accepted {
		if !used[i] {
			unused = append(unused, a)
		}
	}
	return left, unused
}
