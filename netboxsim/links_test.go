package netboxsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestLinkedRecords checks that every object change, journal entry, contact assignment, image
// attachment and tagged item names a real object, that the nested object is that object, and
// that a record type's own filters find the records of one object.
func TestLinkedRecords(t *testing.T) {
	ts := testServer(t)
	byCT := map[string]string{} // content type -> list path
	for _, o := range ts.sim.reg.Objects {
		byCT[o.ContentType] = o.Path
	}
	for _, p := range linkPlans {
		o := ts.sim.reg.Object(p.model)
		if o == nil {
			continue
		}
		t.Run(p.model, func(t *testing.T) {
			page := ts.list(t, o.Path+"?limit=1000")
			if count(t, page) < 20 {
				t.Fatalf("%d %s records, want the data set to fill them", count(t, page), p.model)
			}
			types := map[string]int{}
			for i, r := range page.Results {
				ct, _ := r[p.typeKey].(string)
				id, _ := r[p.idKey].(float64)
				nested, _ := r[p.field].(map[string]any)
				if ct == "" || id == 0 || nested == nil || nested["id"] != id {
					t.Fatalf("record %v: %s=%v %s=%v %s=%v", r["id"], p.typeKey, r[p.typeKey], p.idKey, r[p.idKey], p.field, r[p.field])
				}
				types[ct]++
				if i%25 != 0 {
					continue // the objects themselves: a sample
				}
				path, ok := byCT[ct]
				if !ok {
					t.Fatalf("record %v points at %s, which has no endpoint", r["id"], ct)
				}
				resp, body := ts.get(t, fmt.Sprintf("%s%d/", path, int(id)), DemoFullToken)
				var obj map[string]any
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &obj) != nil || obj["display"] != nested["display"] {
					t.Errorf("record %v: %s %v: %d %s, nested display %v", r["id"], ct, id, resp.StatusCode, body, nested["display"])
				}
				switch p.model {
				case "ObjectChange":
					if r["object_repr"] != obj["display"] {
						t.Errorf("change %v: object_repr %v, object %v", r["id"], r["object_repr"], obj["display"])
					}
					if u, ok := r["user"].(map[string]any); ok && u["username"] != r["user_name"] {
						t.Errorf("change %v: user %v, user_name %v", r["id"], u["username"], r["user_name"])
					}
				case "JournalEntry":
					if by, _ := r["created_by"].(float64); by < 1 || int(by) > ts.sim.Count("User") {
						t.Errorf("journal entry %v: created_by %v is no user", r["id"], r["created_by"])
					}
				case "TaggedItem":
					tag, _ := r["tag"].(map[string]any)
					found := false
					for _, x := range obj["tags"].([]any) {
						found = found || tag != nil && x.(map[string]any)["id"] == tag["id"]
					}
					if !found {
						t.Errorf("tagged item %v: tag %v is not among %s %v's tags", r["id"], r["tag"], ct, id)
					}
				}
			}
			if types["dcim.device"] == 0 || len(types) < 3 {
				t.Errorf("records by type %v, want devices and at least three types", types)
			}
			// By object type id, where the record type has <x>_type_id (NetBox 4.6.8 lists
			// changed_object_type_id, assigned_object_type_id, object_type_id).
			if o.Filter(strings.TrimSuffix(p.typeKey, "_type")+"_type_id") != nil || o.Filter(p.typeKey+"_id") != nil {
				param := p.typeKey + "_id"
				devType := ts.list(t, "/api/core/object-types/?model=device").Results[0]["id"].(float64)
				byType := ts.list(t, fmt.Sprintf("%s?limit=1&%s=%d", o.Path, param, int(devType)))
				if count(t, byType) != types["dcim.device"] {
					t.Errorf("%s=%v: %d records, %d name a device", param, devType, count(t, byType), types["dcim.device"])
				}
			}
			// The records of a device that has some, through the record type's own filters.
			var dev float64
			for _, r := range page.Results {
				if id, _ := r[p.idKey].(float64); r[p.typeKey] == "dcim.device" && dev == 0 {
					dev = id
				}
			}
			q := fmt.Sprintf("%s?limit=1000&%s=dcim.device&%s=%d", o.Path, p.typeKey, p.idKey, int(dev))
			got := ts.list(t, q)
			want := 0
			for _, r := range page.Results {
				if r[p.typeKey] == "dcim.device" && r[p.idKey] == dev {
					want++
				}
			}
			if count(t, page) > len(page.Results) {
				t.Fatalf("more than one page of %s", p.model)
			}
			if want == 0 || count(t, got) != want {
				t.Errorf("%s: %d records, want %d", q, count(t, got), want)
			}
		})
	}
}

// TestCountsCountMembers checks count fields against the lists they count, through the child's
// own filter (which, on a tree, also matches the descendants, as the cumulative count does).
func TestCountsCountMembers(t *testing.T) {
	ts := testServer(t)
	cases := []struct{ parent, field, child, param string }{
		{"/api/dcim/cable-bundles/", "cable_count", "/api/dcim/cables/", "bundle_id"},
		{"/api/dcim/rack-groups/", "rack_count", "/api/dcim/racks/", "group_id"},
		{"/api/virtualization/virtual-machine-types/", "virtual_machine_count", "/api/virtualization/virtual-machines/", "virtual_machine_type_id"},
		{"/api/dcim/regions/", "site_count", "/api/dcim/sites/", "region_id"},
		{"/api/dcim/device-types/", "device_count", "/api/dcim/devices/", "device_type_id"},
		{"/api/dcim/devices/", "interface_count", "/api/dcim/interfaces/", "device_id"},
		{"/api/users/owner-groups/", "member_count", "/api/users/owners/", "group_id"},
	}
	for _, c := range cases {
		t.Run(c.parent+c.field, func(t *testing.T) {
			parents := ts.list(t, c.parent+"?limit=10")
			if len(parents.Results) == 0 {
				t.Fatal("no rows")
			}
			nonzero := 0
			for _, p := range parents.Results {
				got, ok := p[c.field].(float64)
				if !ok {
					t.Fatalf("%s %v: %s = %v", c.parent, p["id"], c.field, p[c.field])
				}
				want := count(t, ts.list(t, fmt.Sprintf("%s?limit=1&%s=%d", c.child, c.param, int(p["id"].(float64)))))
				if int(got) != want {
					t.Errorf("%s %v: %s %v, the list has %d", c.parent, p["id"], c.field, got, want)
				}
				if want > 0 {
					nonzero++
				}
			}
			if nonzero == 0 {
				t.Errorf("%s: every %s is 0", c.parent, c.field)
			}
		})
	}
}

func TestObjectTypes(t *testing.T) {
	ts := testServer(t)
	for _, c := range []struct{ model, display, name, plural string }{
		{"device", "DCIM > Device", "device", "devices"},
		{"ipaddress", "IPAM > IP Address", "IP address", "IP addresses"},
		{"vminterface", "Virtualization > VM Interface", "VM interface", "VM interfaces"},
		{"objecttype", "Core > Object Type", "object type", "object types"},
	} {
		p := ts.list(t, "/api/core/object-types/?model="+c.model)
		if len(p.Results) != 1 {
			t.Fatalf("model=%s: %d results", c.model, len(p.Results))
		}
		r := p.Results[0]
		o := ts.sim.byLower[c.model].obj
		if r["display"] != c.display || r["model_name"] != c.name || r["model_name_plural"] != c.plural ||
			r["rest_api_endpoint"] != o.Path || fmt.Sprint(r["app_label"], ".", c.model) != o.ContentType {
			t.Errorf("%s: %v", c.model, r)
		}
	}
}

func TestOwners(t *testing.T) {
	ts := testServer(t)
	owners := ts.list(t, "/api/users/owners/?limit=100").Results
	withGroup := 0
	for _, o := range owners {
		if users, _ := o["users"].([]any); len(users) != 1 {
			t.Errorf("owner %v: users %v", o["id"], o["users"])
		}
		if groups, _ := o["user_groups"].([]any); len(groups) > 0 {
			withGroup++
		}
	}
	owned := count(t, ts.list(t, "/api/dcim/devices/?limit=1&owner_id=1"))
	if len(owners) == 0 || withGroup == 0 || owned == 0 {
		t.Errorf("%d owners, %d with a group; owner 1 owns %d devices", len(owners), withGroup, owned)
	}
}

// TestChangesOfComponents: a change to an interface is filed under its device as well
// (NetBox's related_object), which related_object_type / related_object_id find.
func TestChangesOfComponents(t *testing.T) {
	ts := testServer(t)
	changes := ts.list(t, "/api/core/object-changes/?limit=1000&changed_object_type=dcim.interface").Results
	if len(changes) == 0 {
		t.Fatal("no interface changes")
	}
	c := changes[0]
	iface := ts.list(t, fmt.Sprintf("/api/dcim/interfaces/?id=%d", int(c["changed_object_id"].(float64)))).Results[0]
	dev := int(nestedField(iface, "device", "id").(float64))
	got := ts.list(t, fmt.Sprintf("/api/core/object-changes/?limit=1000&related_object_type=dcim.device&related_object_id=%d", dev))
	found := false
	for _, r := range got.Results {
		found = found || r["id"] == c["id"]
		if r["changed_object_type"] != "dcim.interface" {
			t.Errorf("change %v of %v filed under device %d", r["id"], r["changed_object_type"], dev)
		}
	}
	if !found {
		t.Errorf("change %v of interface %v is not among device %d's related changes", c["id"], iface["id"], dev)
	}
	all := count(t, ts.list(t, "/api/core/object-changes/?limit=1"))
	if n := count(t, ts.list(t, "/api/core/object-changes/?limit=1&related_object_type=dcim.device")); n != len(changes) {
		t.Errorf("changes filed under a device: %d, interface changes %d", n, len(changes))
	}
	if n := count(t, ts.list(t, "/api/core/object-changes/?limit=1&related_object_type__n=dcim.device")); n != all-len(changes) {
		t.Errorf("related_object_type__n: %d of %d", n, all)
	}
	if resp, body := ts.get(t, "/api/core/object-changes/?related_object_id=abc", DemoFullToken); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("related_object_id=abc: %d %s", resp.StatusCode, body)
	}
}
