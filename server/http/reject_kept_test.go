package http_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"outpost/app/engine"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestRejectionKeptWhenTheDeviceIsFull: the server refuses a ticket while
// the device has no room for the draft that would keep its words. The
// ticket must stay in the outbox (the words are there), the status must say
// the device is full, and the engine must not push it again and again; once
// there is room, the next push brings the same refusal (the server
// remembers it) and the draft is kept.
func TestRejectionKeptWhenTheDeviceIsFull(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := store.NewMemory()
	var (
		mu      sync.Mutex
		full    = true
		refused []string // the reason of each refusal the engine reported
	)
	e := &engine.Engine{
		Store: st,
		Dial: func(ctx context.Context) (engine.Conn, error) {
			return engine.DialWS(ctx, s.wsURL(), s.URL())
		},
		OnReject: func(m wire.Mutation, r wire.Result) error {
			mu.Lock()
			defer mu.Unlock()
			refused = append(refused, r.Key)
			if full { // IndexedDB's quota, which the browser owns
				return &store.QuotaError{Msg: "no room for the draft"}
			}
			return st.PutDraft(store.Draft{ID: "kept", Title: m.Name, RejectKey: r.Key})
		},
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// No title: the server refuses it (the form would not send it, but a
	// rule may have changed on the server since the device checked).
	words := "The printer on floor 3 eats every page"
	if err := e.Mutate(shared.OpTicketCreate, shared.TicketCreate{ID: shared.NewID(time.Now()), Description: words, CreatedAt: 1}, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the status says the device is full", func() bool {
		st := e.Status()
		return st.Online && st.StoreFull && st.StoreErr != ""
	})
	time.Sleep(300 * time.Millisecond) // long enough for a push loop to show
	mu.Lock()
	n := len(refused)
	mu.Unlock()
	if n != 1 {
		t.Fatalf("the refusal was reported %d times while the device was full; want once (no push loop)", n)
	}
	out, err := st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || !containsWords(out[0].Args, words) {
		t.Fatalf("outbox after a refusal the device could not keep = %d mutations; want the ticket with its words", len(out))
	}
	if p := e.Status().Pending; p != 1 {
		t.Fatalf("Pending = %d; want 1", p)
	}

	mu.Lock()
	full = false
	mu.Unlock()
	e.Kick() // the user files something else, or the browser comes online
	waitFor(t, "the outbox drained into a draft", func() bool {
		ds, _ := st.Drafts()
		return e.Status().Pending == 0 && len(ds) == 1
	})
	mu.Lock()
	defer mu.Unlock()
	want := []string{"ticket.title_required", "ticket.title_required"}
	if len(refused) != 2 || refused[0] != want[0] || refused[1] != want[1] {
		t.Fatalf("refusals reported = %q; want %q (the server gives the same one again)", refused, want)
	}
	if out, _ := st.Outbox(); len(out) != 0 {
		t.Fatalf("outbox holds %d mutations; want none", len(out))
	}
}

func containsWords(args []byte, words string) bool {
	var tc shared.TicketCreate
	return json.Unmarshal(args, &tc) == nil && tc.Description == words
}
