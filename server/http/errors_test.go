package http_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	serverhttp "outpost/server/http"
	"outpost/shared"
)

// TestErrorStatus is the one table of statuses: each code, the keys with a
// finer status, and errors without a code.
func TestErrorStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want int
	}{
		{shared.Errorf(shared.EINVALID, "auth.bad_request"), 400},
		{shared.Errorf(shared.EUNAUTHORIZED, "auth.required"), 401},
		{shared.Errorf(shared.EFORBIDDEN, "auth.cross_origin"), 403},
		{shared.Errorf(shared.ENOTFOUND, "attach.not_found"), 404},
		{shared.Errorf(shared.ECONFLICT, "attach.incomplete"), 409},
		{shared.Errorf(shared.EINTERNAL, "error.internal"), 500},
		{shared.Errorf(shared.EFORBIDDEN, "auth.rate_limited", int64(30)), 429},
		{shared.Errorf(shared.EINVALID, "auth.busy", int64(1)), 429},
		{shared.Errorf(shared.EFORBIDDEN, "quota.exceeded", int64(5)), 429},
		{shared.Errorf(shared.EINVALID, "attach.chunk_too_large", 512), 413},
		{shared.Errorf(shared.EINVALID, "attach.beyond_size"), 413},
		{shared.Errorf(shared.EINVALID, "attach.hash_mismatch"), 422},
		{shared.Errorf(shared.EINVALID, "attach.type_mismatch"), 422},
		{shared.Errorf(shared.EINVALID, "attach.not_this_file"), 422},
		{shared.Errorf(shared.EINTERNAL, "ops.not_ready", "shutting down"), 503},
		{fmt.Errorf("ticket 7: %w", shared.Errorf(shared.ENOTFOUND, "ticket.not_found")), 404},
		{shared.Errorf("no_such_code", "whatever"), 500},
		{errors.New("disk full"), 500},
	} {
		if got := serverhttp.ErrorStatus(c.err); got != c.want {
			t.Errorf("ErrorStatus(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestErrorAnswersInWords checks the body clients parse: code, key and the
// message in the request's language, and Retry-After on a limit.
func TestErrorAnswersInWords(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/api/login", nil)
	r.Header.Set("Accept-Language", "es")
	w := httptest.NewRecorder()
	serverhttp.Error(w, r, shared.Errorf(shared.EFORBIDDEN, "auth.rate_limited", int64(42)))
	if w.Code != 429 || w.Header().Get("Retry-After") != "42" {
		t.Fatalf("a limit: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var out struct {
		Error struct{ Code, Key, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Error.Code != shared.EFORBIDDEN || out.Error.Key != "auth.rate_limited" || out.Error.Message == "" || out.Error.Message == "auth.rate_limited" {
		t.Errorf("answer %+v", out.Error)
	}
	en := httptest.NewRecorder()
	serverhttp.Error(en, httptest.NewRequest("POST", "/api/login", nil), shared.Errorf(shared.EFORBIDDEN, "auth.rate_limited", int64(42)))
	if !strings.Contains(en.Body.String(), `"message":`) || strings.Contains(en.Body.String(), out.Error.Message) {
		t.Errorf("the Spanish message %q is also the English one: %s", out.Error.Message, en.Body)
	}

	w = httptest.NewRecorder()
	serverhttp.Error(w, r, shared.Errorf(shared.EINVALID, "auth.bad_request"))
	if w.Code != 400 || w.Header().Get("Retry-After") != "" {
		t.Errorf("a bad request: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}

	// An internal error's key and arguments are its cause: neither goes out.
	w = httptest.NewRecorder()
	serverhttp.Error(w, r, fmt.Errorf("number a ticket: %w", shared.Errorf(shared.EINTERNAL, "counter.corrupt", "7 bytes")))
	if w.Code != 500 || strings.Contains(w.Body.String(), "counter") || strings.Contains(w.Body.String(), "7 bytes") ||
		!strings.Contains(w.Body.String(), `"key":"error.internal"`) {
		t.Errorf("an internal error: %d %s", w.Code, w.Body)
	}
}

// lockedBuffer is a log a server's goroutines can write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInternalErrorIsLogged: a store that fails under a sign-in is logged
// with its cause and the request's ID, and the person is told, in words,
// that something went wrong on the server, not what.
func TestInternalErrorIsLogged(t *testing.T) {
	t.Parallel()
	var logged lockedBuffer
	s := newServer(t, func(s *serverhttp.Server) { s.Log = slog.New(slog.NewTextHandler(&logged, nil)) })
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	s.db.Close() // every read fails from here on

	resp, out := post(t, http.DefaultClient, s.URL()+"/api/login", `{"email":"field@example.com","password":"correct horse battery"}`)
	if resp.StatusCode != 500 {
		t.Fatalf("status %d %v, want 500", resp.StatusCode, out)
	}
	e, _ := out["error"].(map[string]any)
	if e["code"] != shared.EINTERNAL || e["key"] != "error.internal" || e["message"] == "" || e["message"] == "error.internal" {
		t.Errorf("answer %v", out)
	}
	body, _ := json.Marshal(out)
	if strings.Contains(strings.ToLower(string(body)), "closed") {
		t.Errorf("the answer leaks the cause: %s", body)
	}
	id := resp.Header.Get("X-Request-ID")
	var line string
	for _, l := range strings.Split(logged.String(), "\n") {
		if strings.Contains(l, "internal error") {
			line = l
		}
	}
	if line == "" || !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "request_id="+id) ||
		!strings.Contains(line, `route="POST /api/login"`) || !strings.Contains(strings.ToLower(line), "closed") {
		t.Errorf("no error line with the request ID %s, the route and the cause; log:\n%s", id, logged.String())
	}
}

// TestPrerenderReadFails: when the store fails under a prerendered page,
// the read is logged with its cause and the page waits for the device's
// replica instead of saying the article does not exist. Not parallel:
// go-app's router is process-wide, and pages are prerendered from the
// last server opened, which must be this one.
func TestPrerenderReadFails(t *testing.T) {
	var logged lockedBuffer
	s := newServer(t, func(s *serverhttp.Server) { s.Log = slog.New(slog.NewTextHandler(&logged, nil)) })
	get := func(path string) string {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if page := get("/article/vpn-setup"); !strings.Contains(page, "vpn.example.com") {
		t.Fatalf("the article is not prerendered while the store works:\n%.500s", page)
	}
	s.db.Close()

	page := get("/article/vpn-setup")
	if strings.Contains(page, "Article not found") || !strings.Contains(page, "Loading article") {
		t.Errorf("a failed read prerenders as:\n%s", page)
	}
	if page := get("/?q=vpn"); !strings.Contains(page, "Loading articles") {
		t.Errorf("a failed list prerenders as:\n%s", page)
	}
	n := 0
	for _, l := range strings.Split(logged.String(), "\n") {
		if strings.Contains(l, "level=ERROR") && strings.Contains(l, "msg=prerender") && strings.Contains(l, "DB Closed") {
			n++
		}
	}
	if n != 3 { // the article; the list and the search of the home page
		t.Errorf("%d prerender errors logged with their cause, want 3; log:\n%s", n, logged.String())
	}
}
