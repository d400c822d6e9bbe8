package http

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"time"

	"outpost/server/store"
	"outpost/shared"
)

// Probes. GET /healthz (liveness) answers 200 while the process serves
// HTTP at all: a supervisor restarts the process when it does not. GET
// /readyz (readiness) answers 200 only when the portal can do its work,
// and 503 with the reason otherwise, so a load balancer or proxy sends no
// traffic meanwhile: while the server shuts down, while the store does not
// answer a read within readyTimeout, or while Ready (the server's own
// checks: server/main.go) says no. Neither needs authentication or says
// anything a stranger could use; both cost one small read at most. A
// PostgreSQL store that cannot reach its database says so
// (store.ErrUnavailable): "the database cannot be reached".

const readyTimeout = 2 * time.Second

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if reason := s.notReady(r.Context()); reason != "" {
		w.Header().Set("Retry-After", "5")
		Error(w, r, shared.Errorf(shared.EINTERNAL, "ops.not_ready", reason))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "version": s.web.version})
}

// notReady says why the server is not ready, "" if it is.
func (s *Server) notReady(ctx context.Context) string {
	s.mu.Lock()
	shut := s.shut
	s.mu.Unlock()
	if shut {
		return "shutting down"
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { // a store that hangs must not hang the probe
		done <- s.Sync.Store.View(ctx, func(tx store.ReadTx) error {
			_, err := tx.Version()
			return err
		})
	}()
	select {
	case err := <-done:
		if errors.Is(err, store.ErrUnavailable) {
			return "the database cannot be reached"
		}
		if err != nil {
			return "the store does not answer"
		}
	case <-ctx.Done():
		return "the store does not answer"
	}
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			return err.Error()
		}
	}
	return ""
}

// AppVersion returns the version of the app in fsys, as Server.Version
// would: the version devices compare with their own to offer an update.
func AppVersion(fsys fs.FS) (string, error) {
	w, err := newWebFiles(fsys)
	if err != nil {
		return "", err
	}
	return w.version, nil
}

// logFailure logs why a socket ends in an internal error: at Error, but
// at Debug when the store cannot reach its database, which the store logs
// once per outage rather than once per device (store.FailureLevel).
func (c *wsConn) logFailure(what string, err error) {
	c.log.Log(context.Background(), store.FailureLevel(err), what, "err", err)
}
