package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graphbox/graphbox/loaders"
)

// plan is the REST requests a query needs, level by level: the requests of a level are
// independent and run at once; a level needs the answers of the one before. The bound of a
// query is the sum over its levels of the time the level's requests take together.
type plan struct {
	levels [][]string // path and query of each request
	// alternatives of the last level (by interface ids or by device ids): the faster counts.
	last     [][]string
	lastName []string
}

func (p plan) requests(last int) int {
	n := 0
	for _, l := range p.levels {
		n += len(l)
	}
	if len(p.last) > 0 {
		n += len(p.last[last])
	}
	return n
}

// timeLevel runs a level's requests at once; it returns when the slowest is answered.
func (u *upstream) timeLevel(ctx context.Context, reqs []string) (time.Duration, error) {
	start := time.Now()
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { errs[i] = u.get(ctx, r, nil) })
	}
	wg.Wait()
	d := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return d, nil
}

// timeBound times a plan; it returns the bound, its request count and the alternative chosen
// for the last level ("" without alternatives).
func (u *upstream) timeBound(ctx context.Context, p plan) (time.Duration, int, string, error) {
	var total time.Duration
	for _, l := range p.levels {
		d, err := u.timeLevel(ctx, l)
		if err != nil {
			return 0, 0, "", err
		}
		total += d
	}
	if len(p.last) == 0 {
		return total, p.requests(0), "", nil
	}
	best, bestD := 0, time.Duration(0)
	for i, l := range p.last {
		d, err := u.timeLevel(ctx, l)
		if err != nil {
			return 0, 0, "", err
		}
		if i == 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return total + bestD, p.requests(best), p.lastName[best], nil
}

// idPage is the part of a REST page the plans read.
type idPage struct {
	Count   int `json:"count"`
	Results []struct {
		ID int `json:"id"`
	} `json:"results"`
}

const pageSize = 1000 // NetBox's MAX_PAGE_SIZE

// ids reads every id a list request matches (to plan the next level; not timed).
func (u *upstream) ids(ctx context.Context, pathQuery string) ([]int, error) {
	var out []int
	for offset := 0; ; offset += pageSize {
		var p idPage
		if err := u.get(ctx, fmt.Sprintf("%s&fields=id&limit=%d&offset=%d", pathQuery, pageSize, offset), &p); err != nil {
			return nil, err
		}
		for _, r := range p.Results {
			out = append(out, r.ID)
		}
		if offset+pageSize >= p.Count {
			return out, nil
		}
	}
}

// pages lists the page requests of a list request (its count read with limit=1, not timed):
// one at least, even for no rows, since the level must ask.
func (u *upstream) pages(ctx context.Context, pathQuery string) ([]string, error) {
	var p idPage
	if err := u.get(ctx, pathQuery+"&fields=id&limit=1", &p); err != nil {
		return nil, err
	}
	out := []string{pathQuery + "&limit=" + strconv.Itoa(pageSize)}
	for offset := pageSize; offset < p.Count; offset += pageSize {
		out = append(out, fmt.Sprintf("%s&limit=%d&offset=%d", pathQuery, pageSize, offset))
	}
	return out, nil
}

// chunks splits a repeated id parameter into requests whose URLs stay within the length the
// gateway keeps to (loaders.DefaultMaxURLLength, under gunicorn's 4,094-byte request line).
func (u *upstream) chunks(path, fixed, param string, ids []int) []string {
	room := loaders.DefaultMaxURLLength - len(u.URL) - len(path) - len(fixed) - len("?&limit=1000&offset=100000")
	var out []string
	var b strings.Builder
	for _, id := range ids {
		v := url.QueryEscape(param) + "=" + strconv.Itoa(id)
		if b.Len() > 0 && b.Len()+1+len(v) > room {
			out = append(out, path+"?"+fixed+"&"+b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(v)
	}
	if b.Len() > 0 || len(out) == 0 {
		out = append(out, path+"?"+fixed+"&"+b.String())
	}
	return out
}

// pagedChunks is every page of every chunk.
func (u *upstream) pagedChunks(ctx context.Context, path, fixed, param string, ids []int) ([]string, error) {
	var out []string
	for _, c := range u.chunks(path, fixed, param, ids) {
		p, err := u.pages(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
	return out, nil
}

const (
	devicesPath    = "/api/dcim/devices/"
	interfacesPath = "/api/dcim/interfaces/"
	ipPath         = "/api/ipam/ip-addresses/"
	tenantsPath    = "/api/tenancy/tenants/"
)

// flatPlan is one request for a query answered from one list page.
func flatPlan(pathQuery string) plan { return plan{levels: [][]string{{pathQuery}}} }

// nestedPlan is devices → interfaces → IP addresses: a device page; the interfaces of those
// devices by device_id, every page at once; their IP addresses by interface_id, by device_id
// (NetBox's filter_device) in URL-sized lists, or by device_id spread over the gateway's
// concurrent requests, whichever is faster.
func (u *upstream) nestedPlan(ctx context.Context, limit int, deviceFields string) (plan, error) {
	first := fmt.Sprintf("%s?fields=%s&limit=%d", devicesPath, deviceFields, limit)
	var devs idPage
	if err := u.get(ctx, first, &devs); err != nil {
		return plan{}, err
	}
	var devIDs []int
	for _, d := range devs.Results {
		devIDs = append(devIDs, d.ID)
	}
	ifaceReqs, err := u.pagedChunks(ctx, interfacesPath, "fields=id,name,device", "device_id", devIDs)
	if err != nil {
		return plan{}, err
	}
	var ifaceIDs []int
	for _, c := range u.chunks(interfacesPath, "", "device_id", devIDs) {
		ids, err := u.ids(ctx, c)
		if err != nil {
			return plan{}, err
		}
		ifaceIDs = append(ifaceIDs, ids...)
	}
	byIface, err := u.pagedChunks(ctx, ipPath, "fields=id,address,assigned_object_id", "interface_id", ifaceIDs)
	if err != nil {
		return plan{}, err
	}
	byDevice, err := u.pagedChunks(ctx, ipPath, "fields=id,address,assigned_object_id", "device_id", devIDs)
	if err != nil {
		return plan{}, err
	}
	// The device ids spread over the gateway's concurrent requests, in its order (sorted).
	sorted := slices.Sorted(slices.Values(devIDs))
	per := (len(sorted) + loaders.DefaultConcurrency - 1) / loaders.DefaultConcurrency
	var spread []string
	for i := 0; i < len(sorted); i += per {
		reqs, err := u.pagedChunks(ctx, ipPath, "fields=id,address,assigned_object_id", "device_id", sorted[i:min(i+per, len(sorted))])
		if err != nil {
			return plan{}, err
		}
		spread = append(spread, reqs...)
	}
	return plan{
		levels:   [][]string{{first}, ifaceReqs},
		last:     [][]string{byIface, byDevice, spread},
		lastName: []string{"IPs by interface_id", "IPs by device_id", fmt.Sprintf("IPs by device_id in %d lists", len(spread))},
	}, nil
}

// orPlan is Q3: the tenants whose name contains "1"; then, at once, the active devices and the
// devices of those tenants. The first 100 of the union by name are among the first 100 of each
// branch. (Reading the active devices beside the tenants instead takes the same two levels at a
// fixed latency, and longer under NetBox's cost, where a 100-row page outweighs the tenants.)
func (u *upstream) orPlan(ctx context.Context) (plan, error) {
	tenants, err := u.ids(ctx, tenantsPath+"?name__ic=1")
	if err != nil {
		return plan{}, err
	}
	first, err := u.pages(ctx, tenantsPath+"?name__ic=1&fields=id")
	if err != nil {
		return plan{}, err
	}
	second := []string{devicesPath + "?status=active&fields=id,name&limit=100"}
	if len(tenants) > 0 {
		second = append(second, u.chunks(devicesPath, "fields=id,name&limit=100", "tenant_id", tenants)...)
	}
	return plan{levels: [][]string{first, second}}, nil
}
