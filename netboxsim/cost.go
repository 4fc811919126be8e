package netboxsim

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Cost is the time NetBox spends on one REST request, so that a benchmark against the
// simulator predicts a real NetBox: a fixed overhead, a cost per serialized row that depends on
// the serializer, and a cost per value of the filters that do work for every value. The
// simulator holds a worker (Options.Workers) for that long after answering, before writing.
//
// CalibratedCost's figures come from one measurement of NetBox 4.2.2 (PostgreSQL 15, Redis,
// NetBox's public demo data: 72 devices, 1,586 interfaces, 180 IP addresses) on its
// single-process development server, issue 15: `{ device_list { id name site { name }
// interfaces { name ip_addresses { address } } } }` took Graphbox 2,112 ms cold in 11 REST
// requests: 1 device page, 2 interface pages (fields= subsets, by 72 device_id values), 8
// IP-address lookups by 1,586 interface_id values in all (~225 a request) that returned no
// rows; the 1,000-row interface page alone took about 960 ms; every request paid about 5 SQL
// statements before any data. One Python process serves one request at a time (the GIL), so
// the 11 requests' costs add up to the wall time less the gateway's own (24 ms warm):
//
//	Request     20 ms   estimate: the 5 statements before any data and the paginator's COUNT at
//	                    ~2 ms each through Django's ORM, plus ~8 ms of middleware and DRF dispatch
//	RowFields  926 µs   derived: Request + 1000·RowFields + 72·Value = 960 ms
//	Value      193 µs   derived: 11·Request + 1,658·RowFields + (2·72 + 1,586)·Value = 2,090 ms
//	RowBrief   926 µs   = RowFields: in 4.2 brief=true is fields= with the serializer's
//	                    brief_fields (BriefModeMixin.requested_fields), the same code path
//	RowFull      4 ms   estimate, not measured here: netbox#12546/#12548 measured 7-9 s per 1,000
//	                    full interfaces on 3.5.1 and ~4 s after the prefetch fix; link_peers and
//	                    connected_endpoints still cost queries per row
//	ValueQuery   2 ms   estimate: one SQL statement per value (see perValueQuery)
//
// Rows of every type cost the same: the measurement only priced interfaces.
type Cost struct {
	Request    time.Duration `json:"request"`
	RowFull    time.Duration `json:"row_full"`
	RowFields  time.Duration `json:"row_fields"`
	RowBrief   time.Duration `json:"row_brief"`
	Value      time.Duration `json:"value"`
	ValueQuery time.Duration `json:"value_query"`
}

// CalibratedCost is NetBox 4.2.2's cost on its development server (see Cost).
func CalibratedCost() Cost {
	return Cost{
		Request:    20 * time.Millisecond,
		RowFull:    4 * time.Millisecond,
		RowFields:  926 * time.Microsecond,
		RowBrief:   926 * time.Microsecond,
		Value:      193 * time.Microsecond,
		ValueQuery: 2 * time.Millisecond,
	}
}

func (c Cost) validate() error {
	for _, d := range []time.Duration{c.Request, c.RowFull, c.RowFields, c.RowBrief, c.Value, c.ValueQuery} {
		if d < 0 {
			return errors.New("netboxsim: costs must not be negative")
		}
	}
	return nil
}

// serializer is how the rows of an answer were written.
type serializer uint8

const (
	serFull serializer = iota
	serFields
	serBrief
)

// workload is what one request made NetBox do.
type workload struct {
	rows   int
	ser    serializer
	values int // values of filters that check each one against the database
	// queries is the values of filters that run an SQL statement for each one.
	queries int
}

// price is the time a workload takes.
func (c Cost) price(w workload) time.Duration {
	row := c.RowFull
	switch w.ser {
	case serFields:
		row = c.RowFields
	case serBrief:
		row = c.RowBrief
	}
	return c.Request + time.Duration(w.rows)*row + time.Duration(w.values)*c.Value + time.Duration(w.queries)*c.ValueQuery
}

// perValueQuery lists the parameters whose filter method runs an SQL statement per value:
// filter_device and filter_virtual_machine of NetBox's IPAddressFilterSet,
// MACAddressFilterSet and FHRPGroupAssignmentFilterSet loop over the devices (or VMs) and read
// each one's interfaces (4.2.2 and 4.6.8).
var perValueQuery = map[string]bool{"device_id": true, "device": true, "virtual_machine_id": true, "virtual_machine": true}

var perValueQueryTypes = map[string]bool{"IPAddress": true, "MACAddress": true, "FHRPGroupAssignment": true}

// filterWork counts the values of a list request's filters that cost per value. NetBox's
// relation filters (<fk>_id, <fk> by slug or name, tag, tree filters, and their __n) are
// ModelMultipleChoiceFilters: the form field fetches the named objects to check every value,
// and the filter ORs one predicate per distinct value. id is a MultiValueNumberFilter (one
// id__in, nothing checked) and costs nothing per value; "null" is not checked.
func (s *Sim) filterWork(t *table, q url.Values) (values, queries int) {
	for k, vals := range q {
		if reserved[k] || strings.HasPrefix(k, "cf_") {
			continue
		}
		name, lookup := k, ""
		if fp := t.obj.Filter(k); fp == nil || !fp.Exact {
			if base, ok := strings.CutSuffix(k, "__n"); ok {
				name, lookup = base, "n"
			}
		}
		fp := t.obj.Filter(name)
		if fp == nil || !fp.HasLookup(lookup) {
			continue
		}
		distinct := map[string]bool{}
		for _, v := range vals {
			if v != "null" && v != "" {
				distinct[v] = true
			}
		}
		switch {
		case perValueQueryTypes[t.obj.Name] && perValueQuery[fp.Name]:
			queries += len(distinct)
		case s.relationParam(t, fp.Field, fp.Name):
			values += len(distinct)
		}
	}
	return values, queries
}

// relationParam tells whether a parameter names related objects: it tests a relation of the
// type, or (derived parameters) its name is a type's (region_id, interface_id, device).
func (s *Sim) relationParam(t *table, field, name string) bool {
	if field != "" {
		ci, ok := t.byName[field]
		return ok && (t.cols[ci].kind == colFK || t.cols[ci].kind == colM2M)
	}
	base := strings.TrimSuffix(name, "_id")
	return s.bySnake[base] != nil || s.byLower[strings.ReplaceAll(base, "_", "")] != nil
}

// costState is the simulator's cost model and worker pool.
type costState struct {
	model   Cost
	pool    chan struct{} // nil: no bound
	waiting atomic.Int64  // requests waiting for a worker
	// spend holds the worker for d; tests replace it.
	spend func(ctx context.Context, d time.Duration) error
}

func (c *costState) init(model Cost, workers int) error {
	if err := model.validate(); err != nil {
		return err
	}
	if workers < 0 {
		return errors.New("netboxsim: workers must not be negative")
	}
	c.model, c.spend = model, sleep
	if workers > 0 {
		c.pool = make(chan struct{}, workers)
	}
	return nil
}

// work answers an /api/ request as a NetBox worker does: it waits for a free worker, answers,
// and holds the worker for the answer's cost. It reports false when the caller went away first.
func (s *Sim) work(r *http.Request) (*answer, bool) {
	c := &s.cost
	if c.pool != nil {
		c.waiting.Add(1)
		select {
		case c.pool <- struct{}{}:
			c.waiting.Add(-1)
		case <-r.Context().Done():
			c.waiting.Add(-1)
			return nil, false
		}
		defer func() { <-c.pool }()
	}
	a := s.route(r)
	if c.model == (Cost{}) {
		return a, true
	}
	w := workload{rows: a.rows}
	q := r.URL.Query()
	if a.rows > 0 {
		switch sh := parseShape(q); {
		case sh.fields != nil:
			w.ser = serFields
		case sh.brief:
			w.ser = serBrief
		}
	}
	// Filters run for an answered list, and for one their values refused (400).
	if t := s.byPath[r.URL.Path]; t != nil && (a.status == http.StatusOK || a.status == http.StatusBadRequest) {
		w.values, w.queries = s.filterWork(t, q)
	}
	if c.spend(r.Context(), c.model.price(w)) != nil {
		return nil, false
	}
	return a, true
}
