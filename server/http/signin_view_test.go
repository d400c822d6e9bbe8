package http_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/app/engine"
	appstore "outpost/app/store"
	"outpost/server/auth"
	"outpost/shared"
)

// TestSettledOnlyWithTheAccountsView: after a sign-in the device drops
// its signed-out replica and pulls the account's view. Until that pull
// is done its status must not say "online, nothing under way, synced":
// a person (or an e2e test) reads that as "safe to go offline", and a
// device taken offline in that window kept an empty replica (no
// articles, no suggestions on the ticket form). Every status the engine
// publishes between the reconnect and the end of the pull is checked
// against the replica as it is at that moment.
func TestSettledOnlyWithTheAccountsView(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	rita := addUser(t, s, "rita@example.com", shared.RoleRequester, 0)
	var mu sync.Mutex
	token := ""
	st := appstore.NewMemory()
	e := engineWithCookie(s, st, func() string { mu.Lock(); defer mu.Unlock(); return token })
	settled := func(s engine.Status) bool { return s.Online && !s.Syncing && s.Pending == 0 && s.Synced }
	ritas := func() bool { ep, err := st.Epoch(); return err == nil && strings.HasSuffix(ep, "/"+rita.ID) }

	var switched atomic.Bool
	var lies []string
	var liesMu sync.Mutex
	e.Subscribe(func() {
		// Subscribers run on the goroutine that changed the status, before
		// it goes on: the replica is as the status describes it.
		if s := e.Status(); switched.Load() && settled(s) && !ritas() {
			ep, _ := st.Epoch()
			liesMu.Lock()
			lies = append(lies, "status settled with the replica of epoch "+ep)
			liesMu.Unlock()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func(engine.Status) bool) { t.Helper(); waitStatus(t, e, what, ok) }
	waitFor("the signed-out view", func(s engine.Status) bool { return settled(s) && s.Identity == nil })

	// Rita signs in: the app reconnects with her session (signedIn).
	mu.Lock()
	token = signIn(t, s, "rita@example.com")
	mu.Unlock()
	switched.Store(true)
	e.Reconnect()
	waitFor("Rita's view", func(s engine.Status) bool {
		return settled(s) && s.Identity != nil && s.Identity.UserID == rita.ID
	})
	if !ritas() {
		ep, _ := st.Epoch()
		t.Fatalf("settled on Rita's view with the replica of epoch %q", ep)
	}
	liesMu.Lock()
	defer liesMu.Unlock()
	if len(lies) > 0 {
		t.Errorf("the status said settled before the account's view was pulled, %d times: %s", len(lies), lies[0])
	}
}

// engineWithCookie is a client engine on st that dials s with the session
// cookie cookie gives at each dial ("" for none), as a browser does.
func engineWithCookie(s *testServer, st appstore.Store, cookie func() string) *engine.Engine {
	return &engine.Engine{Store: st, Dial: func(ctx context.Context) (engine.Conn, error) {
		h := http.Header{"Origin": {s.URL()}}
		if c := cookie(); c != "" {
			h.Set("Cookie", (&http.Cookie{Name: auth.CookieName, Value: c}).String())
		}
		return engine.DialWSHeader(ctx, s.wsURL(), h)
	}}
}

// waitStatus waits up to 10 s until e's status is ok.
func waitStatus(t *testing.T, e *engine.Engine, what string, ok func(engine.Status) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(e.Status()) {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: status %+v", what, e.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
