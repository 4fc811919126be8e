package server

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Default readiness settings.
const (
	DefaultReadyInterval = 5 * time.Second
	DefaultDrainDelay    = 5 * time.Second
)

var (
	errNotChecked = errors.New("the upstream has not been checked yet")
	errDraining   = errors.New("shutting down")
)

// Readiness answers /readyz from the last result of an upstream check run in the background, so
// a probe costs no upstream call and never waits for a slow upstream. Drain makes it report
// not ready for good, which a load balancer sees before the server stops.
type Readiness struct {
	check    func(context.Context) error
	interval time.Duration
	timeout  time.Duration
	log      *slog.Logger

	mu       sync.Mutex
	last     error
	draining bool

	stop chan struct{}
	done chan struct{}
}

// NewReadiness runs check now and then every interval (0: DefaultReadyInterval), each run bounded
// by timeout (0: DefaultReadyTimeout), until Close. Until the first run ends it reports not ready.
func NewReadiness(check func(context.Context) error, interval, timeout time.Duration, logger *slog.Logger) *Readiness {
	if interval <= 0 {
		interval = DefaultReadyInterval
	}
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Readiness{check: check, interval: interval, timeout: timeout, log: logger,
		last: errNotChecked, stop: make(chan struct{}), done: make(chan struct{})}
	go r.loop()
	return r
}

func (r *Readiness) loop() {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-r.stop; cancel() }()
	for {
		r.run(ctx)
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
	}
}

func (r *Readiness) run(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	err := r.check(ctx)
	r.mu.Lock()
	was := r.last
	r.last = err
	r.mu.Unlock()
	switch {
	case err != nil && (was == nil || was == errNotChecked):
		r.log.Warn("upstream not ready", "error", err)
	case err == nil && was != nil:
		r.log.Info("upstream ready")
	}
}

// Check reports the last result at once (the context is not used); it has the signature New
// takes for its readiness check.
func (r *Readiness) Check(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.draining {
		return errDraining
	}
	return r.last
}

// Drain makes Check report not ready from now on.
func (r *Readiness) Drain() {
	r.mu.Lock()
	r.draining = true
	r.mu.Unlock()
}

// Close stops the background checks and waits for the one running, if any, to end.
func (r *Readiness) Close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
}
