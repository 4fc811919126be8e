package netboxsim

import (
	"slices"
	"strconv"

	"github.com/graphbox/graphbox/model"
)

// Since NetBox 4.5 a front port maps onto rear ports through port mappings (FrontPort.rear_ports:
// [{position, rear_port, rear_port_position}]) instead of a rear_port foreign key. The data set
// pairs each device's front port with its rear port (row r with row r, position 1), which the
// front port's rear_ports shows and the rear_port_id / front_port_id filters follow.

// portPeers maps a port table to the table its mappings point at, with the filter naming it.
var portPeers = map[string]struct{ peer, param string }{
	"FrontPort": {"RearPort", "rear_port_id"},
	"RearPort":  {"FrontPort", "front_port_id"},
}

// portMapping applies rear_port_id to front ports and front_port_id to rear ports.
func (s *Sim) portMapping(t *table, p *plan, fp *model.FilterParam, k, lookup string, vals []string) (bool, error) {
	pp, ok := portPeers[t.obj.Name]
	if !ok || fp.Name != pp.param || (lookup != "" && lookup != "n") {
		return false, nil
	}
	peer := s.byName[pp.peer]
	if peer == nil {
		return false, nil
	}
	rows, _, err := s.lookupRows(k, peer, "id", vals)
	if err != nil {
		return true, err
	}
	// Row r of one table maps onto row r of the other.
	set := map[int32]bool{}
	var mine []int32
	for _, r := range rows {
		if int(r) < t.n {
			set[r] = true
			mine = append(mine, r)
		}
	}
	if lookup == "n" {
		p.preds = append(p.preds, func(row int) bool { return !set[int32(row)] })
		return true, nil
	}
	slices.Sort(mine)
	p.narrow(slices.Compact(mine))
	return true, nil
}

// appendRearPorts renders a front port's mappings.
func (rd *renderer) appendRearPorts(b []byte, row int) []byte {
	rp := rd.s.byName["RearPort"]
	if rp == nil || row >= rp.n {
		return append(b, "[]"...)
	}
	b = append(b, `[{"position":1,"rear_port":`...)
	b = strconv.AppendInt(b, int64(rp.id(row)), 10)
	return append(b, `,"rear_port_position":1}]`...)
}
