package rest

import "testing"

// BenchmarkDecodePage decodes the simulator's bodies (simBodyPaths): three 1000-row pages and a
// detail object.
func BenchmarkDecodePage(b *testing.B) {
	for _, sb := range simBodies(b) {
		b.Run(sb.name, func(b *testing.B) {
			b.SetBytes(int64(len(sb.body)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if sb.page {
					_, err = DecodePage(sb.body)
				} else {
					_, err = DecodeObject(sb.body)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
