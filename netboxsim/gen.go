package netboxsim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/graphbox/graphbox/model"
)

// Sizes of the data set at scale 1; the types named here scale linearly, the others keep
// baseRows objects each.
const (
	baseRows         = 5
	sitesPerScale    = 10
	devicesPerSite   = 10
	ifacesPerDevice  = 40
	locationsPerSite = 2
	racksPerSite     = 2
	vmsPerScale      = 50
	vmIfacesPerVM    = 3
	circuitsPerScale = 20
	tenantRows       = 10
)

// customField is one custom field of the data set, assigned to the types applies accepts.
type customField struct {
	name    string
	typ     string                        // CustomField.type: "text", "integer", ...
	logic   string                        // CustomField.filter_logic: "disabled", "loose", "exact"
	value   func(row int) string          // JSON literal; "null" when unset (NetBox keeps the key)
	applies func(contentType string) bool // the types it is assigned to
}

func anyType(string) bool { return true }

func oneOf(cts ...string) func(string) bool {
	return func(ct string) bool { return slices.Contains(cts, ct) }
}

// cycle returns the JSON literals by row index, round robin.
func cycle(lits ...string) func(int) string {
	return func(row int) string { return lits[row%len(lits)] }
}

// customFields mixes every filter logic and the types whose cf_ lookups differ, with nulls
// and a mixed-case value, so that a gateway that over-matches shows up in tests.
var customFields = []customField{
	{"owner", "text", "exact", cycle(`"team-a"`, `"team-b"`, `"Team-C"`, `""`, `null`), anyType},
	{"notes", "longtext", "loose", cycle(`"Core router"`, `"edge switch"`, `null`, `"lab spare"`, `"CORE spare"`),
		oneOf("dcim.device", "dcim.site", "dcim.interface")},
	{"priority", "integer", "loose", cycle(`1`, `2`, `3`, `4`, `5`, `null`),
		func(ct string) bool { return strings.HasPrefix(ct, "dcim.") }},
	{"weight", "decimal", "loose", cycle(`0.5`, `1.25`, `2`, `null`, `10`), oneOf("dcim.device", "dcim.interface")},
	{"monitored", "boolean", "loose", cycle(`true`, `false`, `null`),
		oneOf("dcim.device", "dcim.interface", "virtualization.virtualmachine")},
	{"commissioned", "date", "loose", func(row int) string {
		if row%7 == 6 {
			return "null"
		}
		return fmt.Sprintf(`"2024-%02d-%02d"`, row%12+1, row%28+1)
	}, oneOf("dcim.device", "dcim.site")},
	{"environment", "select", "loose", cycle(`"prod"`, `"staging"`, `"lab"`, `null`),
		oneOf("dcim.device", "virtualization.virtualmachine")},
	{"legacy_id", "text", "disabled", func(row int) string { return fmt.Sprintf(`"L-%d"`, row+1) }, oneOf("dcim.device")},
}

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type generator struct {
	s     *Sim
	seed  uint64
	scale int
}

func (g *generator) h(t *table, field, row int) uint64 {
	return mix(g.seed ^ mix(uint64(t.pos)<<40^uint64(field)<<24^uint64(row)))
}

// rowCount gives the number of objects of a type.
func (g *generator) rowCount(o *model.Object) int {
	if n, ok := g.linkRowCount(o); ok {
		return n
	}
	s := g.scale
	sites := sitesPerScale * s
	devices := sites * devicesPerSite
	vms := vmsPerScale * s
	switch o.Name {
	case "Site":
		return sites
	case "Location":
		return sites * locationsPerSite
	case "Rack":
		return sites * racksPerSite
	case "Device":
		return devices
	case "Interface":
		return devices * ifacesPerDevice
	case "ConsolePort", "ConsoleServerPort", "PowerPort", "PowerOutlet", "FrontPort", "RearPort",
		"DeviceBay", "ModuleBay", "InventoryItem":
		return devices
	case "IPAddress", "MACAddress":
		return devices*ifacesPerDevice/4 + vms*vmIfacesPerVM
	case "Cable": // see circuitsAndCables
		return devices/2*3 + min(circuitsPerScale*s, devices/2)
	case "CableTermination":
		return 2 * (devices/2*3 + min(circuitsPerScale*s, devices/2))
	case "Circuit":
		return circuitsPerScale * s
	case "CircuitTermination":
		return 2 * circuitsPerScale * s
	case "VirtualMachine":
		return vms
	case "VMInterface":
		return vms * vmIfacesPerVM
	case "Prefix", "VLAN":
		return 50 * s
	case "Cluster":
		return 5 * s
	case "Tenant":
		return tenantRows
	case "Region":
		return 9
	case "Tag":
		return 8
	case "CustomField":
		return len(customFields)
	case "ObjectType":
		return len(g.s.reg.Objects)
	}
	return baseRows
}

// build creates the tables, fills every column generically, then lays the structure over it.
func (g *generator) build() error {
	s := g.s
	for i, o := range s.reg.Objects {
		t := &table{pos: int16(i), obj: o, n: g.rowCount(o), byName: map[string]int{}, tenant: -1, parent: -1}
		t.uiPath = strings.TrimPrefix(o.Path, "/api")
		s.tables = append(s.tables, t)
		s.byName[o.Name] = t
		s.byPath[o.Path] = t
		s.bySnake[snake(o.Name)] = t
		s.byLower[strings.ToLower(o.Name)] = t
	}
	for _, t := range s.tables {
		if err := g.columns(t); err != nil {
			return err
		}
	}
	for _, t := range s.tables {
		for fi, c := range t.cols {
			g.fill(t, fi, c)
		}
	}
	g.structure()
	g.counts()
	for _, t := range s.tables {
		g.displays(t)
	}
	// Circuit terminations are named after their circuits: again, now that every type has one.
	if t := s.byName["CircuitTermination"]; t != nil {
		g.displays(t)
	}
	g.links()
	g.shuffleIDs()
	return nil
}

func (g *generator) columns(t *table) error {
	o := t.obj
	t.cols = make([]*column, len(o.Fields))
	for i := range o.Fields {
		f := &o.Fields[i]
		t.byName[f.Name] = i
		c := &column{f: f, sib: -1}
		t.cols[i] = c
		switch {
		case f.Name == "id":
			c.kind = colID
		case f.Name == "url":
			c.kind = colURL
		case f.Name == "display" && f.Kind == model.KindScalar:
			c.kind = colDisplay
		case f.Name == "display_url":
			c.kind = colDisplayURL
		case (f.Name == "created" || f.Name == "last_updated") && f.Kind == model.KindScalar:
			c.kind = colTimestamp
		case f.Kind == model.KindChoice:
			c.kind = colChoice
		case f.Kind == model.KindForeignKey || f.Kind == model.KindManyToMany:
			c.rel = g.s.byName[f.Related]
			if c.rel == nil {
				return fmt.Errorf("%s.%s: related type %q is not in the registry", o.Name, f.Name, f.Related)
			}
			c.kind = colFK
			if f.Kind == model.KindManyToMany || f.List {
				c.kind = colM2M
			}
		case f.Kind == model.KindGeneric:
			c.kind = colGeneric
			if f.List || (f.TypeKey == "" && f.IDKey == "") {
				c.kind = colGenList
			}
		case f.Kind == model.KindJSON:
			c.kind = colJSON
		default:
			switch f.GraphQL {
			case model.TypeInt, model.TypeBigInt, model.TypeFloat, model.TypeID:
				c.kind = colNumber
				c.isInt = f.GraphQL != model.TypeFloat
			case model.TypeBool:
				c.kind = colBool
			default:
				c.kind = colString
			}
		}
		if f.Name == "tenant" && c.kind == colFK && f.Related == "Tenant" {
			t.tenant = i
		}
		if f.Name == "parent" && c.kind == colFK && f.Related == o.Name {
			t.parent = i
		}
		if f.Name == "custom_fields" {
			for i, cf := range customFields {
				if cf.applies(o.ContentType) {
					t.cfs = append(t.cfs, i)
				}
			}
		}
	}
	g.linkColumns(t)
	// The <x>_type and <x>_id siblings of a single generic relation read its column.
	for i, c := range t.cols {
		if c.kind != colGeneric {
			continue
		}
		if j, ok := t.byName[c.f.TypeKey]; ok && c.f.TypeKey != "" {
			t.cols[j].kind, t.cols[j].sib = colGenType, i
		}
		if j, ok := t.byName[c.f.IDKey]; ok && c.f.IDKey != "" {
			t.cols[j].kind, t.cols[j].sib = colGenID, i
		}
	}
	return nil
}

// targets lists the tables a generic field can point at.
func (g *generator) targets(f *model.Field) []*table {
	var out []*table
	if u := g.s.reg.Union(f.GraphQL); u != nil {
		for _, m := range u.Members {
			if t := g.s.byName[m]; t != nil && t.n > 0 {
				out = append(out, t)
			}
		}
	}
	return out
}

// fill gives every row of a column a plausible value from the field's type, name and format.
func (g *generator) fill(t *table, fi int, c *column) {
	n := t.n
	f := c.f
	switch c.kind {
	case colChoice:
		c.idx = make([]int32, n)
		var good []int32
		for i, ch := range f.Choices {
			if ch.Value != "" {
				good = append(good, int32(i))
			}
		}
		for r := range n {
			h := g.h(t, fi, r)
			if len(good) == 0 || (f.Nullable && h%2 == 1) {
				c.idx[r] = -1
				continue
			}
			c.idx[r] = good[(h>>1)%uint64(len(good))]
		}
	case colFK:
		c.idx = make([]int32, n)
		for r := range n {
			c.idx[r] = -1
			if c.rel.n > 0 && !(f.Nullable && g.h(t, fi, r)%4 == 3) {
				c.idx[r] = int32(g.h(t, fi, r) % uint64(c.rel.n))
			}
			if c.rel == t && c.idx[r] >= int32(r) { // no cycles through self references
				c.idx[r] = -1
			}
		}
		if t.tenant == fi {
			for r := range n {
				switch r % 5 {
				case 0, 1:
					c.idx[r] = 0 // tenant-1
				case 2, 3:
					c.idx[r] = 0
					if c.rel.n > 1 {
						c.idx[r] = int32(1 + r%(c.rel.n-1)) // another tenant
					}
				default:
					c.idx[r] = -1
				}
			}
		}
	case colM2M:
		c.lists = make([][]int32, n)
		if c.rel.n == 0 || c.rel == t {
			break
		}
		for r := range n {
			h := g.h(t, fi, r)
			k := int(h % 3)
			if f.Related != "Tag" && h%5 != 0 {
				k = 0 // most many-to-many lists are short or empty
			}
			seen := map[int32]bool{}
			for j := range k {
				p := int32(mix(h+uint64(j)) % uint64(c.rel.n))
				if !seen[p] {
					seen[p] = true
					c.lists[r] = append(c.lists[r], p)
				}
			}
		}
	case colGeneric:
		c.gen = make([]ref, n)
		ts := g.targets(f)
		// The relation may be null only where its <x>_id sibling may be.
		nullable := f.Nullable
		for _, k := range []string{f.IDKey, f.TypeKey} {
			if sf := t.obj.Field(k); sf != nil && !sf.Nullable {
				nullable = false
			}
		}
		for r := range n {
			c.gen[r] = noRef
			if len(ts) > 0 && !(nullable && g.h(t, fi, r)%3 == 2) {
				h := g.h(t, fi, r)
				tt := ts[h%uint64(len(ts))]
				c.gen[r] = ref{tab: tt.pos, row: int32((h >> 16) % uint64(tt.n))}
			}
		}
	case colGenList:
		c.glist = make([][]ref, n)
	case colBool:
		c.bools = make([]int8, n)
		for r := range n {
			c.bools[r] = int8(g.h(t, fi, r) % 2)
		}
	case colNumber:
		if f.List {
			// Lists of numbers (rack units, service ports) are kept as JSON literals.
			c.slists = make([][]string, n)
			for r := range n {
				a := 1 + int(g.h(t, fi, r)%40)
				if f.Name == "ports" {
					c.slists[r] = []string{"22", strconv.Itoa(1024 + r%1000)}
				} else {
					c.slists[r] = []string{strconv.Itoa(a), strconv.Itoa(a + 1)}
				}
			}
			break
		}
		c.nums = make([]float64, n)
		for r := range n {
			c.nums[r] = g.number(t, f, fi, r)
		}
		if f.Nullable && !strings.HasSuffix(f.Name, "_count") {
			for r := range n {
				if g.h(t, fi, r)%7 == 6 {
					c.setNull(r, n)
				}
			}
		}
	case colString:
		c.strs = make([]string, n)
		if f.List {
			break // lists of strings are empty unless the structure fills them
		}
		for r := range n {
			v, null := g.str(t, f, fi, r)
			c.strs[r] = v
			if null {
				c.setNull(r, n)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (g *generator) number(t *table, f *model.Field, fi, r int) float64 {
	h := g.h(t, fi, r)
	if len(f.Choices) > 0 { // an integer the document enumerates (sync_interval, version)
		v, _ := strconv.ParseFloat(f.Choices[h%uint64(len(f.Choices))].Value, 64)
		return v
	}
	switch f.Name {
	case "vid", "local_vid", "remote_vid":
		return float64(1 + r%4094)
	case "asn":
		return float64(64512 + r)
	case "start":
		return float64(65000 + r*100)
	case "end":
		return float64(65099 + r*100)
	case "mtu":
		return 1500
	case "speed", "port_speed", "upstream_speed", "commit_rate":
		return float64(1000000 * (1 + h%10))
	case "latitude":
		return 40 + float64(h%1000)/1000
	case "longitude":
		return -70 - float64(h%1000)/1000
	case "_depth":
		return 0
	}
	if strings.HasSuffix(f.Name, "_count") {
		return float64(h % 10)
	}
	return float64(1 + h%32)
}

// snake writes a model name in snake case: SiteGroup -> site_group, IPAddress -> ip_address.
func snake(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			// A new word starts at an upper-case letter after a lower-case one, or before a
			// lower-case one in a run of capitals (IPAddress -> ip_address).
			if i > 0 && (isLower(name[i-1]) || (i+1 < len(name) && isLower(name[i+1]) && isUpper(name[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func slugify(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// timestamps repeat every 840 rows (the least common multiple of 12, 28, 24 and 60), so they
// are made once.
var timestamps = func() []string {
	out := make([]string, 840)
	for row := range out {
		out[row] = fmt.Sprintf("2025-%02d-%02dT%02d:%02d:00.000000Z", 1+row%12, 1+row%28, row%24, row%60)
	}
	return out
}()

func timestamp(row int) string { return timestamps[row%len(timestamps)] }

// str returns a string value and whether it is null.
func (g *generator) str(t *table, f *model.Field, fi, r int) (string, bool) {
	h := g.h(t, fi, r)
	id := r + 1
	nullable := f.Nullable && h%5 == 4
	switch f.Format {
	case "date-time":
		return timestamp(r), nullable
	case "date":
		return fmt.Sprintf("2025-%02d-%02d", 1+r%12, 1+r%28), nullable
	case "uri":
		return fmt.Sprintf("https://example.com/%s/%d", f.Name, id), nullable
	case "email":
		return fmt.Sprintf("user%d@example.com", id), nullable
	case "uuid":
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h), uint16(h>>32), (h>>48)&0xfff, (h>>20)&0xfff, h&0xffffffffffff), nullable
	}
	switch {
	case f.Name == "object_type" || strings.HasSuffix(f.Name, "_object_type") || f.Name == "component_type":
		// A content type of the registry ("dcim.device").
		return g.s.tables[h%uint64(len(g.s.tables))].obj.ContentType, nullable
	case strings.HasSuffix(f.Name, "endpoints_type") || strings.HasSuffix(f.Name, "peers_type"):
		return "", true // set for cabled objects by the structure pass
	}
	switch f.Name {
	case "mime_type":
		return "image/png", false
	case "http_content_type":
		return "application/json", false
	case "data_type":
		return "string", false
	case "name":
		return fmt.Sprintf("%s %d", t.obj.Name, id), false
	case "slug":
		return fmt.Sprintf("%s-%d", slugify(t.obj.Name), id), false
	case "color":
		return fmt.Sprintf("%06x", h&0xffffff), false
	case "mac_address":
		return macAddress(r), false
	case "address":
		return fmt.Sprintf("10.%d.%d.%d/24", (r>>16)&255, (r>>8)&255, 1+r&127), false
	case "prefix":
		return fmt.Sprintf("10.%d.%d.0/24", (r>>8)&255, r&255), false
	case "start_address":
		return fmt.Sprintf("192.168.%d.10/24", r&255), false
	case "end_address":
		return fmt.Sprintf("192.168.%d.200/24", r&255), false
	case "dns_name":
		return fmt.Sprintf("host-%d.example.com", id), false
	case "serial":
		return fmt.Sprintf("SN%08d", id), false
	case "asset_tag":
		return fmt.Sprintf("AT-%06d", id), nullable
	case "cid":
		return fmt.Sprintf("CID-%05d", id), false
	case "description":
		if h%3 == 0 {
			return "", false
		}
		return fmt.Sprintf("%s description %d", t.obj.Name, id), false
	case "comments", "label", "cable_end":
		return "", false
	case "key":
		return fmt.Sprintf("%016x%016x%08x", mix(h), mix(h+1), uint32(h)), false
	case "username":
		return fmt.Sprintf("user%d", id), false
	case "model":
		return fmt.Sprintf("Model %d", id), false
	}
	p := f.Name
	if len(p) > 8 {
		p = p[:8]
	}
	return fmt.Sprintf("%s-%d", p, id), nullable
}

func macAddress(r int) string {
	return fmt.Sprintf("00:5e:%02x:%02x:%02x:%02x", (r>>24)&255, (r>>16)&255, (r>>8)&255, r&255)
}

func (g *generator) displays(t *table) {
	t.display = make([]string, t.n)
	try := []string{"name", "address", "prefix", "cid", "vid", "username", "model", "mac_address", "start_address"}
	for r := range t.n {
		var d string
	keys:
		for _, k := range try {
			if c := t.col(k); c != nil && !c.isNull(r) {
				switch c.kind {
				case colString:
					d = c.strs[r]
				case colNumber:
					d = strconv.FormatFloat(c.nums[r], 'f', -1, 64)
				}
				if d != "" {
					break keys
				}
			}
		}
		switch t.obj.Name {
		case "CircuitTermination":
			// NetBox: "<cid>: Termination A"
			if c, ct := t.col("circuit"), g.s.byName["Circuit"]; ct != nil && c != nil && c.kind == colFK && c.idx[r] >= 0 && ct.display != nil {
				side := "A"
				if sc := t.col("term_side"); sc != nil && sc.kind == colChoice && sc.idx[r] >= 0 {
					side = sc.f.Choices[sc.idx[r]].Value
				}
				d = fmt.Sprintf("%s: Termination %s", ct.display[c.idx[r]], side)
			}
		case "Cable":
			if d == "" {
				d = fmt.Sprintf("#%d", r+1)
			}
		}
		if d == "" {
			d = fmt.Sprintf("%s %d", t.obj.Name, r+1)
		}
		t.display[r] = d
	}
}
