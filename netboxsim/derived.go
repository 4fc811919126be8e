package netboxsim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/graphbox/graphbox/model"
)

// Parameters NetBox derives (FilterParam.Field == "") are implemented where the data set makes
// them meaningful, tried in this order:
//
//   - on types with an assigned_object (IP addresses, MAC addresses, ...): interface_id,
//     vminterface_id, device_id, device, virtual_machine_id, virtual_machine;
//   - a relation of the type the registry did not tie to the parameter, by name (interface
//     device=<name>) or as the only relation to the related type (site asn_id reads asns);
//   - the related type listing the type's objects (IKE proposals by ike_policy_id);
//   - object_type_id against content types (custom fields, saved filters, ...);
//   - generic relations, to the related type or to an object with a foreign key to it
//     (circuit terminations and prefixes by site_id, cables by device_id);
//   - one foreign key away: device region_id (device → site → region), site_group_id,
//     tenant_group_id, manufacturer_id, interface site_id, ...
//
// When the registry does not name the related type, the parameter's name does (region_id →
// Region, circuittermination_id → CircuitTermination). Tree types (regions, site groups,
// locations, tenant groups, ...) include descendants, as NetBox does, except for parent_id.
//
// The others are accepted and ignored, as unknown parameters are: flags (has_primary_ip,
// cabled, connected, occupied), lookups by other keys (mac_address of devices), and relations
// two hops away through generic or reverse links (cables by site_id or location_id, circuits by
// site_id or provider_network_id, providers by site_id, L2VPN terminations by region_id,
// interfaces by virtual_circuit_id, front ports by rear_port_id). TestReverseRelations lists
// the reverse relations of the registry that end on one of them.

// abbreviated are the related types NetBox's filter sets name by an abbreviation
// (InterfaceFilterSet.vdc_id filters the interface's vdcs).
var abbreviated = map[string]string{"vdc": "VirtualDeviceContext"}

func (s *Sim) compileDerived(t *table, p *plan, fp *model.FilterParam, k, lookup string, vals []string) error {
	// tag_id names no field in the registry; its __any (NetBox 4.6.6+) is a lookup too
	if lookup != "" && lookup != "n" && !(lookup == "any" && isTagParam(fp.Name)) {
		return nil
	}
	if handled, err := s.portMapping(t, p, fp, k, lookup, vals); handled {
		return err
	}
	if handled, err := s.relatedObjectParam(t, p, fp, k, lookup, vals); handled {
		return err
	}
	if handled, err := s.typeIDParam(t, p, fp, k, lookup, vals); handled {
		return err
	}
	var targets []ref
	handled := false
	if ao := t.col("assigned_object"); ao != nil && ao.kind == colGeneric {
		var err error
		targets, handled, err = s.assignedTargets(fp.Name, k, vals)
		if err != nil {
			return err
		}
		if handled {
			set := make(map[ref]bool, len(targets))
			var cand []int32
			for _, g := range targets {
				set[g] = true
				cand = append(cand, ao.genChildren(t.n, g)...)
			}
			m := func(row int) bool { return set[ao.gen[row]] }
			if lookup == "n" {
				p.preds = append(p.preds, func(row int) bool { return !m(row) })
				return nil
			}
			slices.Sort(cand)
			p.narrow(slices.Compact(cand))
			p.preds = append(p.preds, m)
			return nil
		}
	}
	// A parent REST shows as a bare id (an inventory item's parent): parent_id tests it.
	if base, isID := strings.CutSuffix(fp.Name, "_id"); isID && fp.Related == "" {
		if ci, ok := t.byName[base]; ok && t.cols[ci].kind == colNumber {
			direct := *fp
			direct.Field = base
			return s.compileParam(t, p, &direct, k, lookup, vals)
		}
	}
	rel, key := s.byName[fp.Related], fp.RelatedKey
	if rel == nil {
		// The registry could not tell the related type: read it from the name (region_id,
		// site_group, tenant_group_id, manufacturer).
		base, isID := strings.CutSuffix(fp.Name, "_id")
		rel = s.bySnake[base]
		if rel == nil {
			rel = s.byLower[strings.ReplaceAll(base, "_", "")] // circuittermination_id, ipsec_proposal_id
		}
		if rel == nil {
			rel = s.byName[abbreviated[base]] // vdc_id of interfaces: NetBox's vdcs
		}
		if rel == nil { // import_target_id of VRFs and L2VPNs: their import_targets
			for _, c := range t.cols {
				if c.kind == colM2M && c.rel != nil && c.f.Name == base+"s" {
					rel = c.rel
				}
			}
		}
		if rel == nil {
			return nil
		}
		switch {
		case isID:
			key = "id"
		case rel.col("slug") != nil:
			key = "slug"
		case rel.col("name") != nil:
			key = "name"
		default:
			return nil
		}
	}
	// A direct relation the registry did not tie to the parameter (device=<name> of interfaces).
	base := strings.TrimSuffix(fp.Name, "_id")
	for ci, c := range t.cols {
		if (c.kind == colFK || c.kind == colM2M) && c.rel == rel && (c.f.Name == base || c.kind == colM2M && c.f.Name == base+"s") {
			direct := *fp
			direct.Field, direct.Related, direct.RelatedKey = t.obj.Fields[ci].Name, rel.obj.Name, key
			return s.compileParam(t, p, &direct, k, lookup, vals)
		}
	}
	// The only relation of t to the related type, under another name (asn_id of sites reads
	// asns, group_id of users reads groups).
	only := -1
	for ci, c := range t.cols {
		if (c.kind == colFK || c.kind == colM2M) && c.rel == rel {
			if only >= 0 {
				only = -2
				break
			}
			only = ci
		}
	}
	if only >= 0 {
		direct := *fp
		direct.Field, direct.Related, direct.RelatedKey = t.obj.Fields[only].Name, rel.obj.Name, key
		return s.compileParam(t, p, &direct, k, lookup, vals)
	}
	// The related type lists t's rows (IKE proposals by ike_policy_id: IKEPolicy.proposals).
	if handled, err := s.reverseM2M(t, p, fp, rel, key, k, lookup, vals); handled || err != nil {
		return err
	}
	// Object types (object_type_id of custom fields, saved filters, ...) match content types.
	if rel.obj.Name == "ObjectType" {
		return s.objectTypeParam(t, p, rel, key, k, lookup, vals)
	}
	// Generic relations: to an object of the related type (circuit terminations by site_id), or
	// to an object with a foreign key to it (cables by device_id, through their terminations).
	if handled, err := s.genericParam(t, p, fp, rel, key, k, lookup, vals); handled || err != nil {
		return err
	}
	// One hop: a foreign key F of t whose table has a foreign key G to the related type.
	for _, f := range t.cols {
		if f.kind != colFK || f.rel == nil || f.rel == t {
			continue
		}
		for _, gcol := range f.rel.cols {
			if gcol.kind != colFK || gcol.rel != rel {
				continue
			}
			rows, null, err := s.lookupRows(k, rel, key, vals)
			if err != nil {
				return err
			}
			if !isTreeParamExcluded(fp.Name) {
				rows = descendants(rel, rows)
			}
			mids := map[int32]bool{}
			for _, r := range rows {
				for _, m := range gcol.children(f.rel.n, r) {
					mids[m] = true
				}
			}
			fc := f
			m := func(row int) bool {
				v := fc.idx[row]
				if v < 0 {
					return null
				}
				return mids[v]
			}
			if lookup == "n" {
				p.preds = append(p.preds, func(row int) bool { return !m(row) })
				return nil
			}
			if !null {
				var cand []int32
				for mid := range mids {
					cand = append(cand, f.children(t.n, mid)...)
				}
				slices.Sort(cand)
				p.narrow(slices.Compact(cand))
			}
			p.preds = append(p.preds, m)
			return nil
		}
	}
	return nil
}

// assignedTargets resolves interface_id, device_id, ... to the objects an assigned_object may be.
func (s *Sim) assignedTargets(name, k string, vals []string) ([]ref, bool, error) {
	ifaces, vmifaces := s.byName["Interface"], s.byName["VMInterface"]
	ids := func() ([]int, error) {
		var out []int
		for _, v := range vals {
			id, err := strconv.Atoi(v)
			if err != nil {
				return nil, &badRequest{k, "Enter a number."}
			}
			out = append(out, id)
		}
		return out, nil
	}
	direct := func(tt *table) ([]ref, bool, error) {
		if tt == nil {
			return nil, true, nil
		}
		list, err := ids()
		if err != nil {
			return nil, true, err
		}
		var out []ref
		for _, id := range list {
			if r, ok := tt.rowOf(id); ok {
				out = append(out, ref{tab: tt.pos, row: int32(r)})
			}
		}
		return out, true, nil
	}
	viaParent := func(tt *table, field, key string) ([]ref, bool, error) {
		if tt == nil {
			return nil, true, nil
		}
		c := tt.col(field)
		if c == nil || c.kind != colFK {
			return nil, false, nil
		}
		var parents []int32
		if key == "id" {
			list, err := ids()
			if err != nil {
				return nil, true, err
			}
			for _, id := range list {
				if r, ok := c.rel.rowOf(id); ok {
					parents = append(parents, int32(r))
				}
			}
		} else {
			idx := s.keyIndex(c.rel, key)
			for _, v := range vals {
				if r, ok := idx[v]; ok {
					parents = append(parents, r)
				}
			}
		}
		var out []ref
		for _, pr := range parents {
			for _, r := range c.children(tt.n, pr) {
				out = append(out, ref{tab: tt.pos, row: r})
			}
		}
		return out, true, nil
	}
	switch name {
	case "interface_id":
		return direct(ifaces)
	case "vminterface_id":
		return direct(vmifaces)
	case "device_id":
		return viaParent(ifaces, "device", "id")
	case "device":
		return viaParent(ifaces, "device", "name")
	case "virtual_machine_id":
		return viaParent(vmifaces, "virtual_machine", "id")
	case "virtual_machine":
		return viaParent(vmifaces, "virtual_machine", "name")
	}
	return nil, false, nil
}

// genericParam matches rows whose generic relations (single or lists) point at rows of rel, or
// at rows of a member type whose only foreign key to rel is among those rows.
func (s *Sim) genericParam(t *table, p *plan, fp *model.FilterParam, rel *table, key, k, lookup string, vals []string) (bool, error) {
	type hop struct {
		col  *column
		refs []ref
	}
	var hops []hop
	var rows []int32
	resolved := false
	resolve := func() error {
		if resolved {
			return nil
		}
		resolved = true
		var err error
		rows, _, err = s.lookupRows(k, rel, key, vals)
		if err == nil && !isTreeParamExcluded(fp.Name) {
			rows = descendants(rel, rows)
		}
		return err
	}
	for _, c := range t.cols {
		if c.kind != colGeneric && c.kind != colGenList {
			continue
		}
		u := s.reg.Union(c.f.GraphQL)
		if u == nil {
			continue
		}
		var refs []ref
		for _, m := range u.Members {
			mt := s.byName[m]
			if mt == nil {
				continue
			}
			if mt == rel {
				if err := resolve(); err != nil {
					return true, err
				}
				for _, r := range rows {
					refs = append(refs, ref{tab: mt.pos, row: r})
				}
				continue
			}
			var via *column
			for _, mc := range mt.cols {
				if mc.kind == colFK && mc.rel == rel {
					if via != nil {
						via = nil // ambiguous
						break
					}
					via = mc
				}
			}
			if via == nil {
				continue
			}
			if err := resolve(); err != nil {
				return true, err
			}
			for _, r := range rows {
				for _, child := range via.children(mt.n, r) {
					refs = append(refs, ref{tab: mt.pos, row: child})
				}
			}
		}
		if resolved {
			hops = append(hops, hop{c, refs})
		}
	}
	if !resolved {
		return false, nil
	}
	set := map[int32]bool{}
	for _, h := range hops {
		for _, g := range h.refs {
			for _, r := range h.col.genChildren(t.n, g) {
				set[r] = true
			}
		}
	}
	p.within(set, lookup == "n")
	return true, nil
}

// within keeps the rows in set, or with exclude those outside it.
func (p *plan) within(set map[int32]bool, exclude bool) {
	if exclude {
		p.preds = append(p.preds, func(row int) bool { return !set[int32(row)] })
		return
	}
	cand := make([]int32, 0, len(set))
	for r := range set {
		cand = append(cand, r)
	}
	slices.Sort(cand)
	p.narrow(cand)
	p.preds = append(p.preds, func(row int) bool { return set[int32(row)] })
}

func (s *Sim) reverseM2M(t *table, p *plan, fp *model.FilterParam, rel *table, key, k, lookup string, vals []string) (bool, error) {
	var via *column
	for _, c := range rel.cols {
		if c.kind == colM2M && c.rel == t {
			if via != nil {
				return false, nil // ambiguous
			}
			via = c
		}
	}
	if via == nil {
		return false, nil
	}
	rows, _, err := s.lookupRows(k, rel, key, vals)
	if err != nil {
		return true, err
	}
	set := map[int32]bool{}
	for _, r := range rows {
		for _, child := range via.lists[r] {
			set[child] = true
		}
	}
	p.within(set, lookup == "n")
	return true, nil
}

// objectTypeParam matches the content types in t's object_types or object_type field against
// those of the selected object types.
func (s *Sim) objectTypeParam(t *table, p *plan, rel *table, key, k, lookup string, vals []string) error {
	ci, ok := t.byName["object_types"]
	if !ok {
		if ci, ok = t.byName["object_type"]; !ok {
			return nil
		}
	}
	if t.cols[ci].kind != colString && t.cols[ci].kind != colGenType {
		return nil
	}
	rows, _, err := s.lookupRows(k, rel, key, vals)
	if err != nil {
		return err
	}
	s.matchContentTypes(t, p, ci, rel, rows, lookup == "n")
	return nil
}

// matchContentTypes keeps the rows of t whose content type column ci (one value or several)
// names one of the object types rows of rel, or, negated, none of them.
func (s *Sim) matchContentTypes(t *table, p *plan, ci int, rel *table, rows []int32, negate bool) {
	app, mdl := rel.col("app_label"), rel.col("model")
	if app == nil || mdl == nil || app.kind != colString || mdl.kind != colString {
		return
	}
	want := map[string]bool{}
	for _, r := range rows {
		want[app.strs[r]+"."+mdl.strs[r]] = true
	}
	get := s.valuesOf(t, ci, "")
	var buf []val
	m := func(row int) bool {
		buf = get(row, buf[:0])
		for _, v := range buf {
			if want[v.s] {
				return true
			}
		}
		return false
	}
	if negate {
		p.preds = append(p.preds, func(row int) bool { return !m(row) })
		return
	}
	p.preds = append(p.preds, m)
}
