package netboxsim

import (
	"strconv"
	"unicode/utf8"
)

// maxNestDepth bounds nested objects; deeper ones are cut to id, url and display.
const maxNestDepth = 4

var minimalKeys = []string{"id", "url", "display"}

// jsonLists are the free-form fields NetBox writes as lists.
var jsonLists = map[string]bool{"link_peers": true, "extra_choices": true,
	"rear_ports": true, "front_ports": true, "vid_ranges": true, "log_entries": true} // the last four: NetBox 4.6

// Nested forms of two relations the registry types as JSON.
var (
	circuitTermKeys = []string{"id", "url", "display_url", "display", "termination_type", "termination_id", "termination", "port_speed", "upstream_speed", "xconnect_id", "description"}
	frontRearKeys   = []string{"id", "url", "display_url", "display", "name", "label", "description"}
)

// renderer writes JSON for one request; base is "http://host" of the request.
type renderer struct {
	s    *Sim
	base string
}

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\t':
				b = append(b, '\\', 't')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func isInteger(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

func appendNumber(b []byte, v float64, isInt bool) []byte {
	if isInt {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// object writes the row with the given keys (all fields when keys is nil).
func (rd *renderer) object(b []byte, t *table, row int, keys []string, depth int) []byte {
	b = append(b, '{')
	first := true
	emit := func(fi int) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, t.obj.Fields[fi].Name)
		b = append(b, ':')
		b = rd.field(b, t, row, fi, depth)
	}
	if keys == nil {
		for fi := range t.cols {
			emit(fi)
		}
	} else {
		for _, k := range keys {
			if fi, ok := t.byName[k]; ok {
				emit(fi)
			}
		}
	}
	return append(b, '}')
}

// fieldSet writes only the fields in the set, in the type's field order (fields=, exclude=).
func (rd *renderer) fieldSet(b []byte, t *table, row int, want map[string]bool) []byte {
	b = append(b, '{')
	first := true
	for fi := range t.cols {
		if !want[t.obj.Fields[fi].Name] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, t.obj.Fields[fi].Name)
		b = append(b, ':')
		b = rd.field(b, t, row, fi, 1) // related objects are brief
	}
	return append(b, '}')
}

func (rd *renderer) nested(b []byte, t *table, row int, keys []string, depth int) []byte {
	if depth >= maxNestDepth {
		keys = minimalKeys
	}
	if len(keys) == 0 {
		keys = t.obj.Brief
	}
	if len(keys) == 0 {
		keys = minimalKeys
	}
	return rd.object(b, t, row, keys, depth+1)
}

func (rd *renderer) objURL(b []byte, t *table, row int, path string) []byte {
	b = append(b, '"')
	b = append(b, rd.base...)
	b = append(b, path...)
	b = strconv.AppendInt(b, int64(t.id(row)), 10)
	return append(b, '/', '"')
}

func (rd *renderer) field(b []byte, t *table, row, fi, depth int) []byte {
	c := t.cols[fi]
	f := c.f
	switch c.kind {
	case colID:
		return strconv.AppendInt(b, int64(t.id(row)), 10)
	case colURL:
		return rd.objURL(b, t, row, t.obj.Path)
	case colDisplayURL:
		return rd.objURL(b, t, row, t.uiPath)
	case colDisplay:
		return appendString(b, t.display[row])
	case colTimestamp:
		return appendString(b, timestamp(row))
	case colString:
		if f.List {
			b = append(b, '[')
			if c.slists != nil {
				for i, s := range c.slists[row] {
					if i > 0 {
						b = append(b, ',')
					}
					b = appendString(b, s)
				}
			}
			return append(b, ']')
		}
		if c.isNull(row) {
			return append(b, "null"...)
		}
		return appendString(b, c.strs[row])
	case colNumber:
		if f.List {
			b = append(b, '[')
			for i, s := range c.slists[row] {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, s...)
			}
			return append(b, ']')
		}
		if c.isNull(row) {
			return append(b, "null"...)
		}
		return appendNumber(b, c.nums[row], c.isInt)
	case colBool:
		switch c.bools[row] {
		case 0:
			return append(b, "false"...)
		case 1:
			return append(b, "true"...)
		}
		return append(b, "null"...)
	case colChoice:
		i := c.idx[row]
		if i < 0 {
			return append(b, "null"...)
		}
		ch := &f.Choices[i]
		if !f.ChoiceObject {
			return appendString(b, ch.Value)
		}
		b = append(b, `{"value":`...)
		if f.ChoiceInt && isInteger(ch.Value) {
			b = append(b, ch.Value...)
		} else {
			b = appendString(b, ch.Value)
		}
		b = append(b, `,"label":`...)
		b = appendString(b, ch.Label)
		return append(b, '}')
	case colFK:
		p := c.idx[row]
		if p < 0 {
			return append(b, "null"...)
		}
		return rd.nested(b, c.rel, int(p), f.NestedKeys, depth)
	case colM2M:
		b = append(b, '[')
		for i, p := range c.lists[row] {
			if i > 0 {
				b = append(b, ',')
			}
			b = rd.nested(b, c.rel, int(p), f.NestedKeys, depth)
		}
		return append(b, ']')
	case colGeneric:
		g := c.gen[row]
		if g.tab < 0 {
			return append(b, "null"...)
		}
		return rd.nested(b, rd.s.tables[g.tab], int(g.row), nil, depth)
	case colGenType:
		g := t.cols[c.sib].gen[row]
		if g.tab < 0 {
			return append(b, "null"...)
		}
		return appendString(b, rd.s.tables[g.tab].obj.ContentType)
	case colGenID:
		g := t.cols[c.sib].gen[row]
		if g.tab < 0 {
			return append(b, "null"...)
		}
		return strconv.AppendInt(b, int64(rd.s.tables[g.tab].id(int(g.row))), 10)
	case colGenList:
		b = append(b, '[')
		for i, g := range c.glist[row] {
			if i > 0 {
				b = append(b, ',')
			}
			tt := rd.s.tables[g.tab]
			b = append(b, `{"object_type":`...)
			b = appendString(b, tt.obj.ContentType)
			b = append(b, `,"object_id":`...)
			b = strconv.AppendInt(b, int64(tt.id(int(g.row))), 10)
			b = append(b, `,"object":`...)
			b = rd.nested(b, tt, int(g.row), nil, depth)
			b = append(b, '}')
		}
		return append(b, ']')
	case colJSON:
		switch {
		case f.Name == "custom_fields":
			b = append(b, '{')
			for j, i := range t.cfs {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, customFields[i].name)
				b = append(b, ':')
				b = append(b, customFields[i].value(row)...)
			}
			return append(b, '}')
		case f.Name == "link_peers" || f.Name == "connected_endpoints":
			peers, ok := t.peers[int32(row)]
			if !ok && f.Name == "connected_endpoints" {
				return append(b, "null"...)
			}
			b = append(b, '[')
			for i, p := range peers {
				if i > 0 {
					b = append(b, ',')
				}
				b = rd.nested(b, rd.s.tables[p.tab], int(p.row), nil, depth)
			}
			return append(b, ']')
		case t.obj.Name == "FrontPort" && f.Name == "rear_ports":
			return rd.appendRearPorts(b, row)
		case f.List || jsonLists[f.Name]:
			return append(b, "[]"...)
		case t.obj.Name == "Circuit" && (f.Name == "termination_a" || f.Name == "termination_z"):
			// The circuit's own terminations, A then Z, in NetBox's CircuitCircuitTermination form.
			if ct := rd.s.byName["CircuitTermination"]; ct != nil {
				r := 2 * row
				if f.Name == "termination_z" {
					r++
				}
				if r < ct.n {
					return rd.object(b, ct, r, circuitTermKeys, depth+1)
				}
			}
			return append(b, "null"...)
		case t.obj.Name == "FrontPort" && f.Name == "rear_port":
			if rp := rd.s.byName["RearPort"]; rp != nil && rp.n > 0 {
				return rd.object(b, rp, row%rp.n, frontRearKeys, depth+1)
			}
		case f.Nullable && f.Name != "config_context":
			return append(b, "null"...)
		}
		return append(b, "{}"...)
	}
	return append(b, "null"...)
}
