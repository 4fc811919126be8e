package server

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressMinSize is the smallest answer worth compressing: below it the headers and the
// compressor's overhead outweigh the bytes saved.
const compressMinSize = 1024

// withCompression compresses answers of compressMinSize bytes or more with gzip or zstd, as the
// client's Accept-Encoding asks (Grafana's Infinity and curl --compressed send gzip).
func withCompression(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(compressMinSize), gzhttp.EnableZstd(true))
	if err != nil {
		// The options are constants: this cannot fail; serve uncompressed rather than not at all.
		return h
	}
	return wrap(h)
}
