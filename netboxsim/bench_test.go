package netboxsim

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/graphbox/graphbox/model"
)

// The scale-100 benchmarks build 10,000 devices and 400,000 interfaces; they run only with
// NETBOXSIM_BENCH_SCALE100=1 so that `go test -bench .` stays quick:
//
//	NETBOXSIM_BENCH_SCALE100=1 go test ./netboxsim/ -run '^$' -bench . -benchmem
func benchScales(b *testing.B) []int {
	scales := []int{1}
	if os.Getenv("NETBOXSIM_BENCH_SCALE100") == "1" {
		scales = append(scales, 100)
	}
	return scales
}

var benchSims = map[int]*Sim{}

func benchSim(b *testing.B, scale int) *Sim {
	b.Helper()
	if len(model.Default().Objects) == 0 {
		b.Skip("the generated registry is empty")
	}
	if s := benchSims[scale]; s != nil {
		return s
	}
	start := time.Now()
	s, err := New(Options{Registry: model.Default(), Scale: scale})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("scale %d: built in %s, heap in use %d MiB", scale, time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20)
	benchSims[scale] = s
	return s
}

func BenchmarkList(b *testing.B) {
	for _, scale := range benchScales(b) {
		for _, c := range []struct{ name, path string }{
			{"interfaces-50", "/api/dcim/interfaces/?limit=50"},
			{"interfaces-1000", "/api/dcim/interfaces/?limit=1000"},
			{"interfaces-1000-brief", "/api/dcim/interfaces/?limit=1000&brief=1"},
			{"devices-50", "/api/dcim/devices/?limit=50"},
			{"devices-1000", "/api/dcim/devices/?limit=1000"},
			{"interfaces-by-device", "/api/dcim/interfaces/?device_id=7&limit=1000"},
			{"interfaces-name-ic", "/api/dcim/interfaces/?name__ic=gi1/0/1&limit=50"},
			{"devices-tenant-restricted", "/api/dcim/devices/?limit=50&tenant-restricted"},
		} {
			b.Run("scale="+strconv.Itoa(scale)+"/"+c.name, func(b *testing.B) {
				s := benchSim(b, scale)
				h := s.Handler()
				token := DemoFullToken
				if c.name == "devices-tenant-restricted" {
					token = DemoTenantToken
				}
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				req.Header.Set("Authorization", token)
				var size int
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatalf("status %d: %s", w.Code, w.Body.String())
					}
					size = w.Body.Len()
				}
				b.SetBytes(int64(size))
			})
		}
	}
}

func BenchmarkNew(b *testing.B) {
	if len(model.Default().Objects) == 0 {
		b.Skip("the generated registry is empty")
	}
	for b.Loop() {
		if _, err := New(Options{Registry: model.Default()}); err != nil {
			b.Fatal(err)
		}
	}
}
