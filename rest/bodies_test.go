package rest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

// simBody is one body the simulator answers, as the gateway receives it.
type simBody struct {
	name string
	path string
	page bool // a list page (DecodePage) or a detail object (DecodeObject)
	body []byte
}

// simBodyPaths are the bodies the decoders are measured and compared on: the shapes the gateway
// asks for most (a page of devices with brief related objects, a narrow page of many interfaces,
// a page of IP addresses in full) and a detail object.
var simBodyPaths = []simBody{
	{name: "devices", path: "/api/dcim/devices/?fields=id,name,site,rack,device_type&limit=1000", page: true},
	{name: "interfaces", path: "/api/dcim/interfaces/?fields=id,name&limit=1000", page: true},
	{name: "ipaddresses", path: "/api/ipam/ip-addresses/?limit=1000", page: true},
	{name: "device", path: "/api/dcim/devices/?limit=1", page: false},
}

var (
	simBodiesOnce sync.Once
	simBodiesVal  []simBody
	simBodiesErr  error
)

// simBodies GETs simBodyPaths from an in-process simulator at scale 10 (1000 devices, 40,000
// interfaces), once per test binary.
func simBodies(tb testing.TB) []simBody {
	tb.Helper()
	simBodiesOnce.Do(func() { simBodiesVal, simBodiesErr = fetchSimBodies() })
	if simBodiesErr != nil {
		tb.Fatal(simBodiesErr)
	}
	return simBodiesVal
}

func fetchSimBodies() ([]simBody, error) {
	sim, err := netboxsim.New(netboxsim.Options{Registry: model.Default(), Scale: 10})
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	client, err := New(Options{BaseURL: srv.URL})
	if err != nil {
		return nil, err
	}
	out := make([]simBody, 0, len(simBodyPaths))
	for _, b := range simBodyPaths {
		r, err := client.Get(context.Background(), netboxsim.DemoFullToken, b.path)
		if err != nil {
			return nil, err
		}
		b.body = r.Body
		if !b.page {
			// The detail body is the list's one row, as GET <path><id>/ answers it.
			p, err := DecodePage(r.Body)
			if err != nil {
				return nil, err
			}
			if len(p.Results) != 1 {
				return nil, fmt.Errorf("%s: %d rows, want 1", b.path, len(p.Results))
			}
			if r, err = client.Get(context.Background(), netboxsim.DemoFullToken, "/api/dcim/devices/"+strconv.Itoa(p.Results[0].ID())+"/"); err != nil {
				return nil, err
			}
			b.body = r.Body
		}
		out = append(out, b)
	}
	return out, nil
}
