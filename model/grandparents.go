package model

// Grandparent is a child list's filter that takes the ids of its parents' parent, so that the
// children of many parents can be read by the few grandparents those parents belong to and
// split per parent afterwards. An entry is a fact of NetBox's source: the filter must match at
// least every child of every parent whose Via is one of the ids (more is harmless: rows are
// split by their parent and the others dropped).
type Grandparent struct {
	Child, Param string // the child type and its parameter for the parent: IPAddress, interface_id
	Parent, Via  string // the parent type and its foreign key to the grandparent: Interface, device
	Grand        string // the grandparent type: Device
	GrandParam   string // the child's parameter for the grandparent: device_id
}

// grandparents, from NetBox 4.6.8's ipam/filtersets.py: IPAddressFilterSet.filter_device reads
// device.vc_interfaces() (the device's own interfaces, and its virtual chassis members' when it
// is the master), filter_virtual_machine reads vm.interfaces. Both run one query per id, which
// is why a reader spreads the ids over several requests.
var grandparents = []Grandparent{
	{Child: "IPAddress", Param: "interface_id", Parent: "Interface", Via: "device", Grand: "Device", GrandParam: "device_id"},
	{Child: "IPAddress", Param: "vminterface_id", Parent: "VMInterface", Via: "virtual_machine", Grand: "VirtualMachine", GrandParam: "virtual_machine_id"},
}

// GrandparentOf is the grandparent filter for the children a parent type reads through param,
// or nil.
func GrandparentOf(child, param, parent string) *Grandparent {
	for i := range grandparents {
		if g := &grandparents[i]; g.Child == child && g.Param == param && g.Parent == parent {
			return g
		}
	}
	return nil
}

// Grandparents lists every grandparent filter, for tests.
func Grandparents() []Grandparent { return append([]Grandparent(nil), grandparents...) }
