package http_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	serverhttp "outpost/server/http"
)

func TestWebServing(t *testing.T) {
	t.Parallel()
	web := fstest.MapFS{
		"app.css":     {Data: []byte("body{}")},
		"app.wasm":    {Data: []byte("raw-wasm-bytes")},
		"app.wasm.br": {Data: []byte("br")},
		"app.wasm.gz": {Data: []byte("gzip")},
		"web.go":      {Data: []byte("package web")},
	}
	s := newServer(t, func(s *serverhttp.Server) { s.Web = web })

	get := func(path string, header ...string) *http.Response {
		req, _ := http.NewRequest("GET", s.URL()+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		// A bare transport: no automatic gzip negotiation.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	body := func(r *http.Response) string { b, _ := io.ReadAll(r.Body); return string(b) }

	tests := []struct {
		accept, wantEnc, wantBody string
	}{
		{"gzip, deflate, br", "br", "br"},
		{"gzip", "gzip", "gzip"},
		{"br;q=0, gzip", "gzip", "gzip"},
		{"", "", "raw-wasm-bytes"},
	}
	for _, tt := range tests {
		r := get("/web/app.wasm", "Accept-Encoding", tt.accept)
		if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != tt.wantEnc || r.Header.Get("Content-Type") != "application/wasm" || body(r) != tt.wantBody {
			t.Errorf("app.wasm with Accept-Encoding %q: %d, encoding %q, type %q; want 200, %q, application/wasm",
				tt.accept, r.StatusCode, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"), tt.wantEnc)
		}
		if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("app.wasm response does not vary on Accept-Encoding")
		}
	}
	etag := get("/web/app.wasm").Header.Get("ETag")
	if etag == "" || !strings.Contains(etag, s.Version()) {
		t.Fatalf("app.wasm ETag = %q; want the app version %s", etag, s.Version())
	}
	if r := get("/web/app.wasm", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating an unchanged app.wasm: %d; want 304", r.StatusCode)
	}
	// Pages carry data: never 304 on the version ETag.
	if r := get("/article/vpn-setup", "If-None-Match", etag); r.StatusCode != 200 || !strings.Contains(body(r), "vpn.example.com") {
		t.Errorf("prerendered article: %d; want 200 with the article text", r.StatusCode)
	}
	if r := get("/article/printer-jam-es"); !strings.Contains(body(r), `<html lang="es"`) {
		t.Errorf("Spanish article is not marked lang=es")
	}
	if r := get("/article/no-such-article"); r.StatusCode != 200 || !strings.Contains(body(r), "Article not found") {
		t.Errorf("missing article: %d; want the app's not-found page", r.StatusCode)
	}
	if r := get("/web/web.go"); r.StatusCode != 404 {
		t.Errorf("/web/web.go: %d; want 404 (sources are not served)", r.StatusCode)
	}
	if r := get("/healthz"); r.StatusCode != 200 || !strings.Contains(body(r), `"status":"ok"`) {
		t.Errorf("/healthz: %d", r.StatusCode)
	}
	if r := get("/app-worker.js"); !strings.Contains(body(r), `request.mode === "navigate"`) {
		t.Errorf("service worker lacks the navigation fallback")
	}
	if r := get("/manifest.webmanifest"); strings.Contains(body(r), "githubusercontent") {
		t.Errorf("manifest points at remote icons; offline install would fail")
	}
}

// TestNotFoundPage: an address no page knows gets the app's own page with
// a link home and status 404, not go-app's plain text; a missing asset
// stays a plain 404; a real page is still 200.
func TestNotFoundPage(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, c := range []struct {
		path       string
		status     int
		page, home bool
	}{
		{"/no/such/page", http.StatusNotFound, true, true},
		{"/tickets/", http.StatusNotFound, true, true},
		{"/web/missing.css", http.StatusNotFound, false, false},
		{"/tickets", http.StatusOK, true, false},
	} {
		resp, err := http.Get(s.URL() + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		html := strings.Contains(resp.Header.Get("Content-Type"), "text/html") && strings.Contains(string(b), `class="shell"`)
		home := strings.Contains(string(b), `id="not-found-home"`)
		if resp.StatusCode != c.status || html != c.page || home != c.home {
			t.Errorf("GET %s = %d, app page %v, link home %v; want %d, %v, %v", c.path, resp.StatusCode, html, home, c.status, c.page, c.home)
		}
	}
}
