package filters

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/graphbox/graphbox/filters/internal/order"
	"github.com/graphbox/graphbox/rest"
)

// With returns the plan ANDed with param ∈ values (a reverse relation's parent ids:
// With("device_id", "1", "2")). When the filter already constrains param, the values are
// intersected rather than repeated, since REST would OR them. The new plan shares the
// semi-join cache of p.
func (p *Plan) With(param string, values ...string) (*Plan, error) {
	fp := p.obj.Filter(param)
	if fp == nil || !fp.HasLookup("") {
		return nil, fmt.Errorf("filters: %s (%s) has no parameter %q", p.obj.Name, p.obj.Path, param)
	}
	vals := make([]string, 0, len(values))
	for _, v := range values {
		s, err := scalar(fp, v, param)
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, fmt.Errorf("filters: %s: empty value for %q", p.obj.Name, param)
		}
		vals = append(vals, s)
	}
	c := &compiler{reg: p.reg}
	extra := &atom{key: fp.Name, param: fp, values: vals}
	var d dnf
	if len(vals) > 0 {
		for _, cj := range p.dnf {
			n, ok, err := c.normConj(p.obj, append(append(conj{}, cj...), extra))
			if err != nil {
				return nil, err
			}
			if ok {
				d = append(d, n)
			}
		}
	}
	return &Plan{reg: p.reg, obj: p.obj, dnf: d, cache: p.cache}, nil
}

// Batch is Simple for a reverse relation over several parents: the one parameter set with
// param set to the parent ids (intersected with the filter's own values of param, if any).
// ok is false when the plan needs merged requests (use With and All). ok with nil values
// means no row can match: make no request.
func (p *Plan) Batch(ctx context.Context, f Fetcher, param string, parentIDs []string) (url.Values, bool, error) {
	wp, err := p.With(param, parentIDs...)
	if err != nil {
		return nil, false, err
	}
	bs, err := wp.resolve(ctx, f)
	switch {
	case err != nil:
		return nil, false, err
	case len(bs) == 0:
		return nil, true, nil
	case len(bs) == 1:
		return bs[0], true, nil
	}
	return nil, false, nil
}

// All returns every matching row in the upstream's default order, each branch read to the end
// (fields as in Window.Fields; the id, and what the default order reads, are always asked). It
// serves reverse relations that must be split per parent after one batched read.
func (p *Plan) All(ctx context.Context, f Fetcher, fields []string) ([]rest.Object, error) {
	bs, err := p.resolve(ctx, f)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	out := []rest.Object{}
	local := p.obj.LocallyComparable()
	fs := mergeFields(fields, nil)
	if local && len(bs) > 1 {
		fs = mergeFields(fields, orderFields(p.obj))
	}
	for _, q := range bs {
		if len(fs) > 0 {
			q.Set("fields", strings.Join(fs, ","))
		}
		rows, err := f.All(ctx, p.obj, q)
		if err != nil {
			return nil, fmt.Errorf("filters: %s: %w", p.obj.Name, err)
		}
		for _, r := range rows {
			id := r.ID()
			if id <= 0 {
				return nil, fmt.Errorf("filters: %s: a row without an integer id", p.obj.Name)
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, r)
			}
		}
	}
	switch {
	case len(bs) <= 1: // one branch: already in the upstream's order
	case local:
		order.Default(out, p.reg, p.obj, nil)
	default:
		return p.upstreamOrder(ctx, f, out, nil)
	}
	return out, nil
}
