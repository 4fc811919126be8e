package filters

import (
	"fmt"
	"sort"
	"strings"
)

// Explain renders the plan: its branches as REST parameters, semi-joins as ids(Object: …).
func (p *Plan) Explain() string {
	var b strings.Builder
	switch len(p.dnf) {
	case 0:
		fmt.Fprintf(&b, "%s: matches nothing (no request)", p.obj.Name)
		return b.String()
	case 1:
		fmt.Fprintf(&b, "%s %s?%s", p.obj.Name, p.obj.Path, renderConj(p.dnf[0]))
	default:
		fmt.Fprintf(&b, "%s: OR of %d requests merged by id (exact total, offset over the merged order)", p.obj.Name, len(p.dnf))
		for i, cj := range p.dnf {
			fmt.Fprintf(&b, "\n  %d: %s?%s", i+1, p.obj.Path, renderConj(cj))
		}
	}
	return b.String()
}

func renderConj(cj conj) string {
	parts := make([]string, 0, len(cj))
	sorted := append(conj(nil), cj...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].key < sorted[j].key })
	for _, a := range sorted {
		if a.set != nil {
			parts = append(parts, a.key+"="+renderSet(a.set))
			continue
		}
		for _, v := range a.values {
			parts = append(parts, a.key+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

func renderSet(s *idSet) string {
	var br []string
	for _, cj := range s.dnf {
		br = append(br, renderConj(cj))
	}
	inner := strings.Join(br, " | ")
	if len(s.dnf) == 0 {
		inner = "nothing"
	}
	keep := ""
	if s.field != "" {
		keep = fmt.Sprintf(", keep %s%s", s.field, s.keep)
	}
	if s.linked != nil {
		keep += fmt.Sprintf(", keep %s in %s", s.link, renderSet(s.linked))
	}
	return fmt.Sprintf("ids(%s %s?%s%s)", s.obj.Name, s.obj.Path, inner, keep)
}
