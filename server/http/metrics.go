package http

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"outpost/server/auth"
	"outpost/server/metrics"
	"outpost/shared"
)

// Metrics, in the Prometheus text format, two ways:
//
//   - GET /metrics on the main address, for signed-in admins only
//     (anyone else: 401, or 403 when signed in without the admin role):
//     what an admin checks by hand through the same TLS and proxy as the
//     portal, and nothing a stranger can read.
//   - MetricsAddr (-metrics-addr), a second listener that serves /metrics
//     alone, without authentication: for a Prometheus scraper, which cannot
//     keep a sliding browser session alive. Bind it to loopback or a
//     private network, as one does with node_exporter.

// handleMetrics answers GET /metrics on the main address: admins only.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.adminOnly(w, r, "ops.admin_only") != nil {
		w.Header().Set("Cache-Control", "no-store")
		s.Metrics.Handler().ServeHTTP(w, r)
	}
}

// adminOnly returns the signed-in admin of r, or answers why not (401, or
// 403 with the catalog key forbidden) and returns nil.
func (s *Server) adminOnly(w http.ResponseWriter, r *http.Request, forbidden string) *auth.User {
	u, err := s.user(r)
	switch {
	case err != nil:
		Error(w, r, err)
	case u == nil:
		Error(w, r, errAuthRequired)
	case u.Role != shared.RoleAdmin:
		Error(w, r, shared.Errorf(shared.EFORBIDDEN, forbidden))
	default:
		return u
	}
	return nil
}

// openMetrics registers the server's own gauges and starts the separate
// metrics listener if MetricsAddr is set.
func (s *Server) openMetrics() error {
	if s.Metrics == nil {
		s.Metrics = metrics.New()
	}
	s.Metrics.Sockets(s.socketsByRole)
	if s.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", s.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	s.metricsSrv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	s.metricsLn = ln
	go func() {
		if err := s.metricsSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("serve metrics", "err", err)
		}
	}()
	return nil
}

// MetricsURL returns the address of the separate metrics listener, "" if
// there is none.
func (s *Server) MetricsURL() string {
	if s.metricsLn == nil {
		return ""
	}
	return "http://" + s.metricsLn.Addr().String() + "/metrics"
}

// socketsByRole counts the open websockets by the role of their user.
func (s *Server) socketsByRole() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for c := range s.ws {
		role := "anonymous"
		if c.user != nil {
			role = c.user.Role
		}
		n[role]++
	}
	return n
}

// loginResult names the outcome of a POST /api/login by its status.
func loginResult(status int) string {
	switch status {
	case http.StatusOK:
		return "ok"
	case http.StatusTooManyRequests:
		return "locked_out"
	case http.StatusForbidden:
		return "refused"
	case http.StatusInternalServerError:
		return "error"
	}
	return "failed"
}
