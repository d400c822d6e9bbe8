package http

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	outpost "outpost/app"
)

// webFiles serves the static assets under /web/ from an fs.FS (the files
// embedded in the binary) and resolves their URLs for go-app. app.wasm is
// served precompressed: brotli or gzip, whichever the browser accepts, from
// app.wasm.br and app.wasm.gz built beside it.
type webFiles struct {
	fsys    fs.FS
	files   http.Handler
	version string // hash of every file: go-app's ETag and app version
	wasmLen int    // raw size of app.wasm, for the loading progress
}

func newWebFiles(fsys fs.FS) (*webFiles, error) {
	w := &webFiles{fsys: fsys, files: http.FileServerFS(fsys)}
	h := sha256.New()
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(b)
		if name == "app.wasm" {
			w.wasmLen = len(b)
		}
	}
	w.version = hex.EncodeToString(h.Sum(nil))[:16]
	return w, nil
}

// Resolve implements app.ResourceResolver: assets are served by this server.
func (w *webFiles) Resolve(p string) string { return p }

func (w *webFiles) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/web/")
	if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
		http.NotFound(rw, r)
		return
	}
	if name != "app.wasm" {
		w.files.ServeHTTP(rw, r2(r, "/"+name))
		return
	}
	rw.Header().Set("Content-Type", "application/wasm")
	rw.Header().Add("Vary", "Accept-Encoding")
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range []struct{ token, suffix string }{{"br", ".br"}, {"gzip", ".gz"}, {"", ""}} {
		if enc.token != "" && !acceptsEncoding(accept, enc.token) {
			continue
		}
		b, err := fs.ReadFile(w.fsys, name+enc.suffix)
		if err != nil {
			continue
		}
		if enc.token != "" {
			rw.Header().Set("Content-Encoding", enc.token)
		}
		rw.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != http.MethodHead {
			rw.Write(b)
		}
		return
	}
	http.Error(rw, "app.wasm is not built: run make build", http.StatusNotFound)
}

func r2(r *http.Request, p string) *http.Request {
	r = r.Clone(r.Context())
	r.URL.Path = p
	return r
}

// acceptsEncoding reports whether an Accept-Encoding header accepts token
// (with a q-value above zero).
func acceptsEncoding(header, token string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), token) {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return !strings.HasPrefix(params, "q=0") || strings.HasPrefix(params, "q=0.") && strings.Trim(params[4:], "0") != ""
	}
	return false
}

// notFoundPages answers an address no page knows with the app's own
// not-found page (app/notfound.go) and status 404, in place of go-app's
// plain-text "404 page not found". Assets that are missing stay plain
// 404s: a browser fetching a script has no use for a page.
func notFoundPages(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAsset(r.URL.Path) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			h.ServeHTTP(w, r)
			return
		}
		probe := &notFoundProbe{ResponseWriter: w}
		h.ServeHTTP(probe, r)
		if !probe.notFound {
			return
		}
		w.Header().Del("Content-Type")
		w.Header().Del("X-Content-Type-Options")
		h.ServeHTTP(&statusWriter{ResponseWriter: w, status: http.StatusNotFound}, r2(r, outpost.NotFoundPath))
	})
}

// notFoundProbe passes a response through unless it starts with 404; then
// it swallows it and notes it.
type notFoundProbe struct {
	http.ResponseWriter
	notFound, started bool
}

func (p *notFoundProbe) WriteHeader(code int) {
	if code == http.StatusNotFound && !p.started {
		p.notFound = true
		return
	}
	p.started = true
	p.ResponseWriter.WriteHeader(code)
}

func (p *notFoundProbe) Write(b []byte) (int, error) {
	if p.notFound {
		return len(b), nil
	}
	p.started = true
	return p.ResponseWriter.Write(b)
}

// statusWriter sends status in place of a 200.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote && code == http.StatusOK {
		code = s.status
	}
	s.wrote = true
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}
