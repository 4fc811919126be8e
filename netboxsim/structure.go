package netboxsim

import (
	"fmt"
	"slices"
)

// The structure pass overwrites the generic values of the relations the data set is known for
// (sites in regions, devices in racks, interfaces on devices, cables, IP addresses on
// interfaces), so that the inventory hangs together. Every step checks that the registry has
// the type and field, so a registry without them still gets a usable data set.

func (g *generator) tab(name string) *table {
	if t := g.s.byName[name]; t != nil && t.n > 0 {
		return t
	}
	return nil
}

// fkSet points row r of t's FK column field at related row p (-1 for null).
func fkSet(t *table, field string, r int, p int) {
	c := t.col(field)
	if c == nil || c.kind != colFK || p >= c.rel.n {
		return
	}
	c.idx[r] = int32(p)
}

func fkNullAll(t *table, fields ...string) {
	for _, f := range fields {
		if c := t.col(f); c != nil {
			switch c.kind {
			case colFK:
				for r := range c.idx {
					c.idx[r] = -1
				}
			case colGeneric:
				for r := range c.gen {
					c.gen[r] = noRef
				}
			case colM2M:
				clear(c.lists)
			}
		}
	}
}

func strSet(t *table, field string, r int, v string) {
	if c := t.col(field); c != nil && c.kind == colString {
		c.strs[r] = v
		if c.nulls != nil {
			c.nulls[r] = false
		}
	}
}

func strNull(t *table, field string, r int) {
	if c := t.col(field); c != nil && c.kind == colString && c.f.Nullable {
		c.setNull(r, t.n)
	}
}

func numSet(t *table, field string, r int, v float64) {
	if c := t.col(field); c != nil && c.kind == colNumber {
		c.nums[r] = v
		if c.nulls != nil {
			c.nulls[r] = false
		}
	}
}

func numNull(t *table, field string, r int) {
	if c := t.col(field); c != nil && c.kind == colNumber && c.f.Nullable {
		c.setNull(r, t.n)
	}
}

func boolSet(t *table, field string, r int, v bool) {
	if c := t.col(field); c != nil && c.kind == colBool {
		c.bools[r] = int8(boolInt(v))
	}
}

// choiceSet sets a choice by its value, if the field has that choice.
func choiceSet(t *table, field string, r int, value string) {
	c := t.col(field)
	if c == nil || c.kind != colChoice {
		return
	}
	for i, ch := range c.f.Choices {
		if ch.Value == value {
			c.idx[r] = int32(i)
			return
		}
	}
}

func genSet(t *table, field string, r int, target *table, row int) {
	c := t.col(field)
	if c == nil || c.kind != colGeneric || target == nil || row >= target.n {
		return
	}
	c.gen[r] = ref{tab: target.pos, row: int32(row)}
}

func (g *generator) structure() {
	sites := g.tab("Site")
	devices := g.tab("Device")
	ifaces := g.tab("Interface")
	vms := g.tab("VirtualMachine")
	vmifaces := g.tab("VMInterface")

	if t := g.tab("Region"); t != nil {
		for r := range t.n {
			p := -1
			if r >= 3 {
				p = (r - 3) / 2
			}
			fkSet(t, "parent", r, p)
		}
	}
	if t := sites; t != nil {
		for r := range t.n {
			fkSet(t, "region", r, 3+r%6)
			status := "active"
			if r%5 == 4 {
				status = "planned"
			}
			choiceSet(t, "status", r, status)
			strSet(t, "name", r, fmt.Sprintf("Site %d", r+1))
		}
	}
	if t := g.tab("Location"); t != nil {
		for r := range t.n {
			fkSet(t, "site", r, r/locationsPerSite)
			p := -1
			if r%2 == 1 {
				p = r - 1
			}
			fkSet(t, "parent", r, p)
		}
	}
	if t := g.tab("Rack"); t != nil {
		for r := range t.n {
			fkSet(t, "site", r, r/racksPerSite)
			fkSet(t, "location", r, r)
		}
	}
	if t := devices; t != nil {
		fkNullAll(t, "parent_device", "virtual_chassis", "primary_ip6", "oob_ip", "cluster")
		for r := range t.n {
			site := r / devicesPerSite
			fkSet(t, "site", r, site)
			fkSet(t, "rack", r, site*racksPerSite+r%racksPerSite)
			fkSet(t, "location", r, site*racksPerSite+r%racksPerSite)
			strSet(t, "name", r, fmt.Sprintf("device-%d", r+1))
			if r%10 == 7 {
				numNull(t, "position", r) // some devices are not mounted
			} else {
				numSet(t, "position", r, float64(1+(r/2)%20))
			}
			status := "active"
			switch r % 10 {
			case 8:
				status = "planned"
			case 9:
				status = "offline"
			}
			choiceSet(t, "status", r, status)
			ip := r * ifacesPerDevice / 4
			fkSet(t, "primary_ip4", r, ip)
			fkSet(t, "primary_ip", r, ip)
		}
	}
	if t := ifaces; t != nil {
		fkNullAll(t, "parent", "bridge", "lag", "module", "cable", "wireless_link", "l2vpn_termination",
			"vlan_translation_policy", "qinq_svlan", "vdcs", "wireless_lans", "mac_addresses", "primary_mac_address", "vrf")
		for r := range t.n {
			fkSet(t, "device", r, r/ifacesPerDevice)
			strSet(t, "name", r, ifaceName(r%ifacesPerDevice))
			boolSet(t, "enabled", r, r%7 != 3)
			boolSet(t, "mgmt_only", r, r%ifacesPerDevice == 0)
			boolSet(t, "mark_connected", r, false)
			boolSet(t, "_occupied", r, false)
			if r%4 == 0 {
				if c := t.col("mac_addresses"); c != nil && c.kind == colM2M && r/4 < c.rel.n {
					c.lists[r] = []int32{int32(r / 4)}
				}
				fkSet(t, "primary_mac_address", r, r/4)
				strSet(t, "mac_address", r, macAddress(r/4))
				numSet(t, "count_ipaddresses", r, 1)
			} else {
				strNull(t, "mac_address", r)
				numSet(t, "count_ipaddresses", r, 0)
			}
			numSet(t, "count_fhrp_groups", r, 0)
		}
	}
	// One front, rear, console and power port of each kind per device.
	for _, name := range []string{"ConsolePort", "ConsoleServerPort", "PowerPort", "PowerOutlet", "FrontPort", "RearPort", "DeviceBay", "ModuleBay", "InventoryItem"} {
		if t := g.tab(name); t != nil && devices != nil {
			fkNullAll(t, "module", "cable", "installed_device", "installed_module", "parent")
			for r := range t.n {
				fkSet(t, "device", r, r%devices.n)
				boolSet(t, "_occupied", r, false)
			}
		}
	}
	if t := vmifaces; t != nil {
		fkNullAll(t, "parent", "bridge", "l2vpn_termination", "vlan_translation_policy", "qinq_svlan", "mac_addresses", "primary_mac_address", "vrf")
		for r := range t.n {
			fkSet(t, "virtual_machine", r, r/vmIfacesPerVM)
			strSet(t, "name", r, vmIfaceName(r%vmIfacesPerVM))
			boolSet(t, "enabled", r, r%5 != 4)
		}
	}
	if t := vms; t != nil {
		fkNullAll(t, "device", "primary_ip6")
		for r := range t.n {
			strSet(t, "name", r, fmt.Sprintf("vm-%d", r+1))
		}
	}
	// IP and MAC addresses: the first ones on every fourth interface, the rest on VM interfaces.
	nIfaceAddrs := 0
	if ifaces != nil {
		nIfaceAddrs = ifaces.n / 4
	}
	for _, name := range []string{"IPAddress", "MACAddress"} {
		t := g.tab(name)
		if t == nil {
			continue
		}
		fkNullAll(t, "nat_inside")
		for r := range t.n {
			if r < nIfaceAddrs {
				genSet(t, "assigned_object", r, ifaces, r*4)
			} else if vmifaces != nil {
				genSet(t, "assigned_object", r, vmifaces, (r-nIfaceAddrs)%vmifaces.n)
			}
			if name == "MACAddress" {
				strSet(t, "mac_address", r, macAddress(r))
				continue
			}
			if r%50 == 49 {
				strSet(t, "address", r, fmt.Sprintf("2001:db8::%x/64", r+1))
				choiceSet(t, "family", r, "6")
			} else {
				// Hosts 1-250 of consecutive /24s, never a network or broadcast address.
				strSet(t, "address", r, fmt.Sprintf("10.%d.%d.%d/24", (r/250/250)%256, (r/250)%250, 1+r%250))
				choiceSet(t, "family", r, "4")
			}
		}
	}
	if t := vms; t != nil && vmifaces != nil {
		for r := range t.n {
			ip := nIfaceAddrs + r*vmIfacesPerVM
			fkSet(t, "primary_ip4", r, ip)
			fkSet(t, "primary_ip", r, ip)
		}
	}
	g.circuitsAndCables(devices, ifaces)
	g.small()
	g.trees()
}

func (g *generator) circuitsAndCables(devices, ifaces *table) {
	circuits := g.tab("Circuit")
	terms := g.tab("CircuitTermination")
	if circuits != nil {
		for r := range circuits.n {
			status := "active"
			if r%4 == 3 {
				status = "planned"
			}
			choiceSet(circuits, "status", r, status)
			fkSet(circuits, "termination_a", r, 2*r)
			fkSet(circuits, "termination_z", r, 2*r+1)
		}
	}
	if terms != nil {
		fkNullAll(terms, "cable")
		for r := range terms.n {
			fkSet(terms, "circuit", r, r/2)
			side := "A"
			if r%2 == 1 {
				side = "Z"
			}
			choiceSet(terms, "term_side", r, side)
			if sites := g.tab("Site"); sites != nil {
				genSet(terms, "termination", r, sites, (r*7)%sites.n)
			}
			boolSet(terms, "_occupied", r, false)
		}
	}
	cables := g.tab("Cable")
	cterms := g.tab("CableTermination")
	if cables == nil || ifaces == nil || devices == nil {
		return
	}
	aCol, bCol := cables.col("a_terminations"), cables.col("b_terminations")
	connect := func(c int, end string, target *table, row int) {
		if target == nil || row >= target.n {
			return
		}
		rf := ref{tab: target.pos, row: int32(row)}
		col := aCol
		if end == "B" {
			col = bCol
		}
		if col != nil && col.kind == colGenList {
			col.glist[c] = append(col.glist[c], rf)
		}
		fkSet(target, "cable", row, c)
		choiceSet(target, "cable_end", row, end)
		strSet(target, "cable_end", row, end)
		boolSet(target, "_occupied", row, true)
		if cterms != nil {
			tr := 2 * c
			if end == "B" {
				tr++
			}
			if tr < cterms.n {
				numSet(cterms, "cable", tr, float64(c+1))
				choiceSet(cterms, "cable_end", tr, end)
				genSet(cterms, "termination", tr, target, row)
			}
		}
	}
	link := func(a, b ref) {
		for _, e := range [][2]ref{{a, b}, {b, a}} {
			t := g.s.tables[e[0].tab]
			if t.peers == nil {
				t.peers = map[int32][]ref{}
			}
			t.peers[e[0].row] = append(t.peers[e[0].row], e[1])
			ct := g.s.tables[e[1].tab].obj.ContentType
			strSet(t, "link_peers_type", int(e[0].row), ct)
			strSet(t, "connected_endpoints_type", int(e[0].row), ct)
			boolSet(t, "connected_endpoints_reachable", int(e[0].row), true)
		}
	}
	iface := func(dev, port int) int { return dev*ifacesPerDevice + port }
	cable := func(c int, a *table, ar int, b *table, br int) {
		if c >= cables.n || a == nil || b == nil || ar >= a.n || br >= b.n {
			return
		}
		connect(c, "A", a, ar)
		connect(c, "B", b, br)
		link(ref{a.pos, int32(ar)}, ref{b.pos, int32(br)})
	}
	for c := range cables.n {
		choiceSet(cables, "status", c, "connected")
	}
	// Per pair of devices 2p and 2p+1: eth0 to eth0, eth1 to eth1, the console port of the odd
	// one to a console server port of the even one, and, while circuits last, the A end of
	// circuit p to eth39 of device 5p. Every kind of cable shows up among the first ones.
	consoles, servers := g.tab("ConsolePort"), g.tab("ConsoleServerPort")
	c := 0
	for p := 0; 2*p+1 < devices.n; p++ {
		for k := range 2 {
			cable(c, ifaces, iface(2*p, k), ifaces, iface(2*p+1, k))
			c++
		}
		cable(c, consoles, 2*p+1, servers, 2*p)
		c++
		if terms != nil && circuits != nil && p < circuits.n {
			cable(c, terms, 2*p, ifaces, iface((p*5)%devices.n, ifacesPerDevice-1))
			c++
		}
	}
}

// small fixes the handful of types whose values other objects depend on.
func (g *generator) small() {
	if t := g.tab("Tag"); t != nil {
		for r := range t.n {
			strSet(t, "name", r, fmt.Sprintf("Tag %d", r+1))
			strSet(t, "slug", r, fmt.Sprintf("tag-%d", r+1))
		}
	}
	if t := g.tab("Tenant"); t != nil {
		fkNullAll(t, "group")
		for r := range t.n {
			strSet(t, "name", r, fmt.Sprintf("Tenant %d", r+1))
			strSet(t, "slug", r, fmt.Sprintf("tenant-%d", r+1))
		}
	}
	if t := g.tab("CustomField"); t != nil {
		for r := range t.n {
			cf := customFields[r%len(customFields)]
			var cts []string
			for _, o := range g.s.tables {
				if slices.Contains(o.cfs, r%len(customFields)) {
					cts = append(cts, o.obj.ContentType)
				}
			}
			strSet(t, "name", r, cf.name)
			choiceSet(t, "type", r, cf.typ)
			choiceSet(t, "filter_logic", r, cf.logic)
			if c := t.col("object_types"); c != nil && c.kind == colString && c.f.List {
				if c.slists == nil {
					c.slists = make([][]string, t.n)
				}
				c.slists[r] = cts
			}
		}
	}
	if t := g.tab("ObjectType"); t != nil {
		for r := range t.n {
			o := g.s.tables[r%len(g.s.tables)].obj
			app, model := splitContentType(o.ContentType)
			strSet(t, "app_label", r, app)
			strSet(t, "model", r, model)
		}
	}
}

func splitContentType(ct string) (string, string) {
	for i := range len(ct) {
		if ct[i] == '.' {
			return ct[:i], ct[i+1:]
		}
	}
	return ct, ""
}

// trees computes _depth from the parent chain; parents always precede their children.
func (g *generator) trees() {
	for _, t := range g.s.tables {
		if t.parent < 0 {
			continue
		}
		pc := t.cols[t.parent]
		depth := make([]int, t.n)
		for r := range t.n {
			if p := pc.idx[r]; p >= 0 && int(p) < r {
				depth[r] = depth[p] + 1
			} else {
				pc.idx[r] = -1
			}
			numSet(t, "_depth", r, float64(depth[r]))
		}
	}
}
