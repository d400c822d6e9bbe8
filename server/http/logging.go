package http

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
)

// Request logs: one structured line per HTTP request (and, from ws.go, one
// per websocket session when it ends), each with a request ID, which is
// also sent back as X-Request-ID. A reverse proxy's X-Request-ID is kept
// if it looks like one, so the proxy's log and ours join up.
//
// What a line holds is chosen so that it carries no secret and no
// personal data but the remote address (kept for abuse and lock-out
// investigations): the path without its query (a search may name a
// person), never a header, a cookie or a body; who is the user ID, never
// the e-mail address.

type ctxKey int

const reqInfoKey ctxKey = iota

// reqInfo is what a request's handlers tell its log line.
type reqInfo struct {
	id   string
	user string // user ID, once a handler has authenticated the request
	role string
	log  *slog.Logger // the server's logger with the request ID
}

// noteUser tells r's log line who made the request.
func noteUser(r *http.Request, userID, role string) {
	if ri, _ := r.Context().Value(reqInfoKey).(*reqInfo); ri != nil {
		ri.user, ri.role = userID, role
	}
}

// requestLog returns s.Log with r's request ID.
func (s *Server) requestLog(r *http.Request) *slog.Logger {
	if log := logger(r); log != nil {
		return log
	}
	return s.Log
}

// logger returns the server's logger with r's request ID, nil outside
// logRequests.
func logger(r *http.Request) *slog.Logger {
	if ri, _ := r.Context().Value(reqInfoKey).(*reqInfo); ri != nil {
		return ri.log
	}
	return nil
}

// quiet are the routes of probes and scrapers, logged at debug level only:
// they would bury every other line.
var quiet = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// logRequests wraps h with request IDs, the request log and the request
// metrics.
func (s *Server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := s.clock().Now()
		ri := &reqInfo{id: r.Header.Get("X-Request-ID")}
		if !validRequestID(ri.id) {
			ri.id = newRequestID()
		}
		ri.log = s.Log.With("request_id", ri.id)
		w.Header().Set("X-Request-ID", ri.id)
		rec := &recorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey, ri))
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		route := r.Pattern // set by the ServeMux on this request
		if route == "" {
			route = "other"
		}
		s.Metrics.Request(route, rec.status)
		if route == "POST /api/login" {
			s.Metrics.Login(loginResult(rec.status))
		}
		level := slog.LevelInfo
		if quiet[route] {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("request_id", ri.id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Int64("duration_ms", s.clock().Since(began).Milliseconds()),
			slog.String("remote", r.RemoteAddr),
		}
		if ri.user != "" {
			attrs = append(attrs, slog.String("user", ri.user), slog.String("role", ri.role))
		}
		s.Log.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// validRequestID accepts IDs of up to 64 letters, digits, '-', '_' and '.'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder notes a response's status and size. It passes Hijack (the
// websocket upgrade) and Flush through.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	w.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
