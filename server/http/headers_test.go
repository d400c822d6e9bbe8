package http_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestSecurityHeaders: every answer carries the CSP and the other
// security headers; a browser's violation report is counted.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, path := range []string{"/", "/healthz", "/api/search?q=vpn", "/web/app.css"} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self' 'wasm-unsafe-eval' 'unsafe-hashes' 'sha256-", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "'unsafe-inline'; ") && strings.Contains(strings.Split(csp, "script-src")[1], "'unsafe-inline'; style") {
			t.Errorf("GET %s: scripts may run inline: %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("GET %s: %s = %q; want %q", path, h, got, want)
			}
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("GET %s over plain HTTP: Strict-Transport-Security %q; want none", path, hsts)
		}
	}
	report := `{"csp-report":{"document-uri":"http://x/","violated-directive":"script-src-elem","blocked-uri":"inline"}}`
	resp, err := http.Post(s.URL()+"/api/csp-report", "application/csp-report", strings.NewReader(report))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST a CSP report: %v %v", resp, err)
	}
	if n := s.CSPViolations(); n != 1 {
		t.Errorf("CSPViolations() = %d; want 1", n)
	}
	if resp, _ := http.Post(s.URL()+"/api/csp-report", "application/csp-report", strings.NewReader("nonsense")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a garbled report: %d; want 400", resp.StatusCode)
	}
}
