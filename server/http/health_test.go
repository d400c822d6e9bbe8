package http_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	serverhttp "outpost/server/http"
)

// /readyz is 200 while the portal can work and 503 with the reason while
// the store does not answer and while the server's own check fails;
// /healthz only says the process serves.
func TestReadiness(t *testing.T) {
	t.Parallel()
	var db *crashDB
	var notReady error
	s := newServer(t, func(s *serverhttp.Server) {
		db = &crashDB{Store: s.Sync.Store}
		s.Sync.Store = db
		s.Ready = func(context.Context) error { return notReady }
	})
	get := func(path string) (int, map[string]any) {
		t.Helper()
		resp, body := getJSON(t, http.DefaultClient, s.URL()+path)
		return resp.StatusCode, body
	}
	message := func(body map[string]any) any { e, _ := body["error"].(map[string]any); return e["message"] }

	if code, body := get("/readyz"); code != 200 || body["status"] != "ready" {
		t.Errorf("/readyz: %d %v; want 200 ready", code, body)
	}
	notReady = errors.New("a restore into the data directory has not finished")
	if code, body := get("/readyz"); code != 503 || message(body) != "The server is not ready: a restore into the data directory has not finished." {
		t.Errorf("/readyz with a failing check: %d %v", code, body)
	}
	notReady = nil

	db.mu.Lock()
	db.down = true // the store stops answering
	db.mu.Unlock()
	if code, body := get("/readyz"); code != 503 || message(body) != "The server is not ready: the store does not answer." {
		t.Errorf("/readyz with the store down: %d %v", code, body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz with the store down: %d; want 200 (the process lives)", code)
	}
	db.mu.Lock()
	db.down = false
	db.mu.Unlock()
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz after the store came back: %d", code)
	}
}
