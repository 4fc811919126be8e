package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDeprecatedFieldsAnswer runs queries written for the 4.2.2 build against the 4.6.8 one:
// fields NetBox 4.6 dropped are still served, answer null (a relation an empty list) without an
// error, and say they are deprecated; a dropped filter field is refused with a code and costs
// no upstream request.
func TestDeprecatedFieldsAnswer(t *testing.T) {
	s := newStack(t, nil)
	if s.sim.Count("Service") == 0 || s.sim.Count("FrontPort") == 0 {
		t.Fatal("the simulator has no services or front ports")
	}
	r := s.query(t, fullToken, `{
	  front_port_list(pagination: {limit: 2}) { results { id name rear_port rear_port_position } }
	  service_list(pagination: {limit: 2}) { results { id device { name } virtual_machine { name } } }
	  role_list(pagination: {limit: 1}) { results { id devices { id } virtual_machines { id } } }
	  user_list(pagination: {limit: 1}) { results { id is_staff } }
	  contact_list(pagination: {limit: 1}) { results { id group { name } } }
	}`)
	if len(r.Errors) > 0 || r.Status != 200 {
		t.Fatalf("status %d errors %+v", r.Status, r.Errors)
	}
	type row = map[string]any
	lists := map[string][]string{
		"front_port_list": {"rear_port", "rear_port_position"},
		"service_list":    {"device", "virtual_machine"},
		"user_list":       {"is_staff"},
		"contact_list":    {"group"},
	}
	for list, fields := range lists {
		var page struct{ Results []row }
		if err := json.Unmarshal(r.Data[list], &page); err != nil || len(page.Results) == 0 {
			t.Fatalf("%s: %v %s", list, err, r.Data[list])
		}
		for _, res := range page.Results {
			for _, f := range fields {
				if v, ok := res[f]; !ok || v != nil {
					t.Errorf("%s: %s = %v, want null", list, f, v)
				}
			}
		}
	}
	var roles struct{ Results []row }
	if err := json.Unmarshal(r.Data["role_list"], &roles); err != nil || len(roles.Results) == 0 {
		t.Fatalf("role_list: %v %s", err, r.Data["role_list"])
	}
	for _, f := range []string{"devices", "virtual_machines"} {
		if l, ok := roles.Results[0][f].([]any); !ok || len(l) != 0 {
			t.Errorf("role_list devices: %v, want []", roles.Results[0][f])
		}
	}

	intro := s.query(t, fullToken, `{ __type(name: "FrontPortType") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`)
	var typ struct {
		Fields []struct {
			Name              string
			IsDeprecated      bool
			DeprecationReason *string
		}
	}
	if err := json.Unmarshal(intro.Data["__type"], &typ); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range typ.Fields {
		if f.Name == "rear_port" || f.Name == "rear_port_position" {
			seen++
			if !f.IsDeprecated || f.DeprecationReason == nil || !strings.Contains(*f.DeprecationReason, "Use the rear_ports field instead.") {
				t.Errorf("%s: deprecated %v reason %v", f.Name, f.IsDeprecated, f.DeprecationReason)
			}
		}
		if f.Name == "rear_ports" && f.IsDeprecated {
			t.Error("rear_ports is deprecated")
		}
	}
	if seen != 2 {
		t.Errorf("FrontPortType lists %d of rear_port, rear_port_position", seen)
	}

	s.sim.ResetStats()
	// A filter field REST cannot answer is refused, naming it, before any request.
	f := s.query(t, fullToken, `{ device_list(filters: {comments: {i_contains: "x"}}) { total_count } }`)
	if len(f.Errors) == 0 || f.Errors[0].Extensions["code"] == nil || !strings.Contains(f.Errors[0].Message, "comments") {
		t.Errorf("filter on comments, which REST cannot filter: %+v", f.Errors)
	}
	if st := s.simStats(t); st.Requests != 0 {
		t.Errorf("a refused filter cost %d upstream requests", st.Requests)
	}
}
