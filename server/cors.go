package server

import (
	"net/http"

	"github.com/rs/cors"
)

// CORSConfig lets browser apps on other origins call the API. Off while AllowedOrigins is empty.
type CORSConfig struct {
	AllowedOrigins []string // "https://app.example.com"; "*" allows any origin
	AllowedMethods []string // default GET, POST
	AllowedHeaders []string // default Authorization, Content-Type, Accept
	MaxAge         int      // seconds a preflight answer may be cached; 0: the browser's default
}

// withCORS answers preflight requests and adds the CORS headers. Credentials (cookies) are never
// allowed: callers authenticate with the Authorization header, which must be allowed explicitly.
func withCORS(c CORSConfig, h http.Handler) http.Handler {
	if len(c.AllowedOrigins) == 0 {
		return h
	}
	methods := c.AllowedMethods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodPost}
	}
	headers := c.AllowedHeaders
	if len(headers) == 0 {
		headers = []string{"Authorization", "Content-Type", "Accept"}
	}
	return cors.New(cors.Options{
		AllowedOrigins: c.AllowedOrigins,
		AllowedMethods: methods,
		AllowedHeaders: headers,
		MaxAge:         c.MaxAge,
	}).Handler(h)
}
