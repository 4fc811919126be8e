package model

// ChildCount is a parent's REST field that counts its children of one type: NetBox's
// CounterCacheFields (dcim/models/devices.py, virtualization/models/virtualmachines.py in
// 4.6.8), kept by NetBox as components are added and removed. The gateway reads it only as a
// plan's hint: how many children each parent's list holds, to read them in requests that each
// fit one page. A count that is off (a virtual chassis master's list by device_id also holds
// its members' interfaces) costs a page more, never a row.
type ChildCount struct {
	Parent, Child string // Device, Interface
	Via           string // the child's foreign key to the parent: device
	Field         string // the parent's counter: interface_count
}

var childCounts = []ChildCount{
	{"Device", "ConsolePort", "device", "console_port_count"},
	{"Device", "ConsoleServerPort", "device", "console_server_port_count"},
	{"Device", "PowerPort", "device", "power_port_count"},
	{"Device", "PowerOutlet", "device", "power_outlet_count"},
	{"Device", "Interface", "device", "interface_count"},
	{"Device", "FrontPort", "device", "front_port_count"},
	{"Device", "RearPort", "device", "rear_port_count"},
	{"Device", "DeviceBay", "device", "device_bay_count"},
	{"Device", "ModuleBay", "device", "module_bay_count"},
	{"Device", "InventoryItem", "device", "inventory_item_count"},
	{"VirtualMachine", "VMInterface", "virtual_machine", "interface_count"},
	{"VirtualMachine", "VirtualDisk", "virtual_machine", "virtual_disk_count"},
}

// ChildCountOf is the counter of a parent's children linked by the child's foreign key via, or
// "".
func ChildCountOf(parent, child, via string) string {
	for _, c := range childCounts {
		if c.Parent == parent && c.Child == child && c.Via == via {
			return c.Field
		}
	}
	return ""
}

// ChildCounts lists every counter, for tests.
func ChildCounts() []ChildCount { return append([]ChildCount(nil), childCounts...) }
