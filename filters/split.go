package filters

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// fit makes every parameter set of obj fit the upstream's URL, when f knows its limit: a set too
// long (the ids of a large semi-join) is split into chunks of one repeatable parameter's values,
// which REST ORs, so the chunks' union is the set's rows. With disjoint, only a single-valued
// parameter (id, a foreign key) is split: every row then lies in exactly one chunk and counts
// add up. split reports whether any set was split.
func (p *Plan) fit(f Fetcher, obj *model.Object, bs []url.Values, disjoint bool) ([]url.Values, bool, error) {
	lim, ok := f.(QueryLimiter)
	if !ok {
		return bs, false, nil
	}
	budget := lim.MaxQuery(obj) - WindowReserve
	var out []url.Values
	split := false
	for _, q := range bs {
		if len(q.Encode()) <= budget {
			out = append(out, q)
			continue
		}
		chunks, err := p.split(obj, q, budget, disjoint)
		if err != nil {
			return nil, false, err
		}
		out = append(out, chunks...)
		split = true
	}
	return out, split, nil
}

func (p *Plan) split(obj *model.Object, q url.Values, budget int, disjoint bool) ([]url.Values, error) {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same split every time, for the cache
	key, longest := "", 0
	for _, k := range keys {
		if len(q[k]) < 2 || !p.chunkable(obj, k, disjoint) {
			continue
		}
		if n := len(url.Values{k: q[k]}.Encode()); n > longest {
			key, longest = k, n
		}
	}
	total := len(q.Encode())
	if key == "" {
		return nil, fmt.Errorf("filters: %s: the upstream query would be %d characters long, more than its URL takes here (%d), and has no id list to split; narrow the filter", obj.Name, total, budget)
	}
	others := cloneValues(q)
	delete(others, key)
	runs, ok := rest.ChunkValues(len(others.Encode())+1, budget, key, q[key], 0)
	if !ok {
		return nil, fmt.Errorf("filters: %s: the upstream query would be %d characters long, more than its URL takes here (%d), even with its %s list split; narrow the filter", obj.Name, total, budget, key)
	}
	out := make([]url.Values, len(runs))
	for i, run := range runs {
		c := cloneValues(others)
		c[key] = run
		out[i] = c
	}
	if len(out) > MaxChunks {
		return nil, fmt.Errorf("filters: %s: the filter matches %d values of %s, which would take %d upstream requests (at most %d); narrow the filter", obj.Name, len(q[key]), key, len(out), MaxChunks)
	}
	return out, nil
}

// chunkable tells whether the values of REST parameter key may be split across requests: a bare
// parameter whose repeated values OR (not NetBox's conjoined tag filters, which AND, nor a
// boolean), and, for disjoint chunks, one that tests a single value per row: the id, or a
// foreign key whose related type is not a tree (a tree parameter also matches descendants).
func (p *Plan) chunkable(obj *model.Object, key string, disjoint bool) bool {
	if base, lookup, ok := strings.Cut(key, "__"); ok {
		// tag_id__any ORs its values; a row may have several, so chunks overlap
		fp := obj.Filter(base)
		return lookup == "any" && !disjoint && fp != nil && fp.HasLookup("any")
	}
	fp := obj.Filter(key)
	if fp == nil || !fp.Exact || fp.Type == model.ParamBool {
		return false
	}
	f := obj.Field(fp.Field)
	if f != nil && (f.List || f.Kind == model.KindManyToMany) {
		return false
	}
	if !disjoint {
		return true
	}
	if fp.Name == "id" {
		return true
	}
	if f == nil || f.Kind != model.KindForeignKey || fp.Related == "" {
		return false
	}
	rel := p.reg.Object(fp.Related)
	return rel != nil && rel.Field("_depth") == nil
}
