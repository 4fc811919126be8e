package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck GETs the gateway's /healthz and returns the process's exit code: 0 when it
// answers 200. It lets a distroless image (no shell, no curl) have a container health check.
// The URL is args[0], or built from GATEWAY_LISTEN (default port 8080) on loopback.
func healthcheck(args []string, env func(string) string, stderr io.Writer) int {
	target := ""
	switch len(args) {
	case 0:
		listen := env(EnvName("listen"))
		if listen == "" {
			listen = DefaultConfig().Listen
		}
		_, port, err := net.SplitHostPort(listen)
		if err != nil {
			fmt.Fprintf(stderr, "healthcheck: %s=%q is not host:port\n", EnvName("listen"), listen)
			return 2
		}
		target = "http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz"
	case 1:
		target = args[0]
	default:
		fmt.Fprintln(stderr, "usage: gateway healthcheck [URL]")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "healthcheck: %s answered %s\n", target, resp.Status)
		return 1
	}
	return 0
}
