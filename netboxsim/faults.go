package netboxsim

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Duration is a time.Duration written in JSON as a Go duration string ("150ms").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "150ms" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var ms float64
		if err2 := json.Unmarshal(b, &ms); err2 != nil {
			return fmt.Errorf("duration: want a string like \"150ms\" or milliseconds: %w", err)
		}
		*d = Duration(ms * float64(time.Millisecond))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Faults are the failures the simulator injects into /api/ answers. Each kind is off when nil;
// Rate is the share of matching requests it hits (0 or absent: every request); PathPrefix limits
// it to paths starting with it ("/api/dcim/"). The kinds apply in this order: latency, reset,
// rate limit, error, then truncate or slow body on the answer.
type Faults struct {
	Latency   *LatencyFault   `json:"latency,omitempty"`
	Error     *ErrorFault     `json:"error,omitempty"`
	RateLimit *RateLimitFault `json:"rate_limit,omitempty"`
	Reset     *RateFault      `json:"reset,omitempty"`
	Truncate  *RateFault      `json:"truncate,omitempty"`
	SlowBody  *SlowBodyFault  `json:"slow_body,omitempty"`
}

// LatencyFault delays the answer by Delay plus a random share of Jitter.
type LatencyFault struct {
	Delay      Duration `json:"delay"`
	Jitter     Duration `json:"jitter,omitempty"`
	PathPrefix string   `json:"path_prefix,omitempty"`
}

// ErrorFault answers Status (500, 502, 503 or 504) instead of the object.
type ErrorFault struct {
	Rate       float64 `json:"rate,omitempty"`
	Status     int     `json:"status"`
	PathPrefix string  `json:"path_prefix,omitempty"`
}

// RateLimitFault answers 429 with a Retry-After of RetryAfter seconds (default 1).
type RateLimitFault struct {
	Rate       float64 `json:"rate,omitempty"`
	RetryAfter int     `json:"retry_after,omitempty"`
	PathPrefix string  `json:"path_prefix,omitempty"`
}

// RateFault is a fault with no parameter: connection reset, truncated body.
type RateFault struct {
	Rate       float64 `json:"rate,omitempty"`
	PathPrefix string  `json:"path_prefix,omitempty"`
}

// SlowBodyFault sends the body in pieces spread over Duration.
type SlowBodyFault struct {
	Rate       float64  `json:"rate,omitempty"`
	Duration   Duration `json:"duration"`
	PathPrefix string   `json:"path_prefix,omitempty"`
}

// Validate reports the first invalid setting.
func (f *Faults) Validate() error {
	rate := func(name string, r float64) error {
		if r < 0 || r > 1 {
			return fmt.Errorf("%s.rate must be between 0 and 1, got %v", name, r)
		}
		return nil
	}
	if l := f.Latency; l != nil && (l.Delay < 0 || l.Jitter < 0) {
		return fmt.Errorf("latency.delay and latency.jitter must not be negative")
	}
	if e := f.Error; e != nil {
		if err := rate("error", e.Rate); err != nil {
			return err
		}
		switch e.Status {
		case 500, 502, 503, 504:
		default:
			return fmt.Errorf("error.status must be 500, 502, 503 or 504, got %d", e.Status)
		}
	}
	if r := f.RateLimit; r != nil {
		if err := rate("rate_limit", r.Rate); err != nil {
			return err
		}
		if r.RetryAfter < 0 {
			return fmt.Errorf("rate_limit.retry_after must not be negative")
		}
	}
	if r := f.Reset; r != nil {
		if err := rate("reset", r.Rate); err != nil {
			return err
		}
	}
	if r := f.Truncate; r != nil {
		if err := rate("truncate", r.Rate); err != nil {
			return err
		}
	}
	if r := f.SlowBody; r != nil {
		if err := rate("slow_body", r.Rate); err != nil {
			return err
		}
		if r.Duration <= 0 {
			return fmt.Errorf("slow_body.duration must be positive")
		}
	}
	return nil
}

// hits decides whether a fault with this rate and prefix applies to a request.
func hits(rate float64, prefix, path string) bool {
	if prefix != "" && !strings.HasPrefix(path, prefix) {
		return false
	}
	return rate == 0 || rand.Float64() < rate
}

// sleep waits d or until the request is gone.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *LatencyFault) delay() time.Duration {
	d := time.Duration(l.Delay)
	if l.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(l.Jitter)))
	}
	return d
}
