package netboxsim

import "fmt"

// ifaceName names the k-th interface of a device with the shapes real devices have, so that
// NetBox's interface order (naturalize_interface) differs from the order they were made in:
// slotted names (et-0/0/0, Gi1/0/2 before Gi1/0/10, Te1/1/1), subinterfaces right after their
// parent (Gi1/0/1.100, et-0/0/1.100), and unslotted names last (Po1, Vlan100, mgmt0).
func ifaceName(k int) string {
	switch {
	case k == 0:
		return "mgmt0"
	case k <= 24:
		return fmt.Sprintf("Gi1/0/%d", k)
	case k <= 26:
		return fmt.Sprintf("Gi1/0/1.%d", 100*(k-24))
	case k <= 30:
		return fmt.Sprintf("Te1/1/%d", k-26)
	case k <= 34:
		return fmt.Sprintf("et-0/0/%d", k-31)
	case k == 35:
		return "et-0/0/1.100"
	case k <= 37:
		return fmt.Sprintf("Po%d", k-35)
	}
	return fmt.Sprintf("Vlan%d", 100*(k-37))
}

// vmIfaceNames name a virtual machine's interfaces: eth10 first, so the natural order (eth0.100,
// eth2, eth10) is not the order they were made in.
var vmIfaceNames = []string{"eth10", "eth0.100", "eth2"}

func vmIfaceName(k int) string { return vmIfaceNames[k%len(vmIfaceNames)] }
