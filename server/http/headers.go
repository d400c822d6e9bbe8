package http

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"outpost/app"
)

// contentSecurityPolicy is what the pages may load and run: scripts and
// WebAssembly from this site only ('wasm-unsafe-eval' lets the browser
// compile app.wasm, and nothing else), no inline script but the event
// handler attributes the app sets, by hash; styles inline too (go-app sets
// style attributes); images from the site, data: and blob: URLs
// (attachment thumbnails); connections to this site (the websocket); no
// plugins, no framing, forms to this site. Violations are reported to
// /api/csp-report.
var contentSecurityPolicy = func() string {
	script := []string{"'self'", "'wasm-unsafe-eval'"}
	if hs := app.InlineHandlers(); len(hs) > 0 {
		script = append(script, "'unsafe-hashes'")
		for _, h := range hs {
			sum := sha256.Sum256([]byte(h))
			script = append(script, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(script, " "),
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"connect-src 'self'",
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'",
		"report-uri /api/csp-report",
	}, "; ")
}()

// secure sets the security headers on every response: the CSP, no MIME
// sniffing, no referrer beyond this site, no framing, and HSTS over TLS.
// It wraps the ResponseWriter in nothing, so /ws can still hijack it.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// cspReports counts the Content-Security-Policy violations browsers
// reported, and logs at most one a second.
type cspReports struct {
	n        atomic.Int64
	mu       sync.Mutex
	loggedAt time.Time
}

// maxCSPReport bounds a report's body.
const maxCSPReport = 8 << 10

// handleCSPReport takes a browser's report of a CSP violation (report-uri:
// {"csp-report": {…}}): counted, and logged for whoever investigates.
func (s *Server) handleCSPReport(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxCSPReport))
	var rep struct {
		Report struct {
			Document  string `json:"document-uri"`
			Directive string `json:"violated-directive"`
			Blocked   string `json:"blocked-uri"`
			Sample    string `json:"script-sample"`
		} `json:"csp-report"`
	}
	if json.Unmarshal(body, &rep) != nil || rep.Report.Directive == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.csp.n.Add(1)
	s.csp.mu.Lock()
	log := s.clock().Since(s.csp.loggedAt) >= time.Second
	if log {
		s.csp.loggedAt = s.clock().Now()
	}
	s.csp.mu.Unlock()
	if log {
		s.Log.Warn("content security policy violated", "document", rep.Report.Document,
			"directive", rep.Report.Directive, "blocked", rep.Report.Blocked, "sample", rep.Report.Sample)
	}
	w.WriteHeader(http.StatusNoContent)
}

// CSPViolations returns how many CSP violations browsers reported.
func (s *Server) CSPViolations() int64 { return s.csp.n.Load() }
