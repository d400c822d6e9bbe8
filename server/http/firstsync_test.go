package http_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outpost/app/engine"
	"outpost/app/store"
	sstore "outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestBigFirstSyncResumesAcrossDrops syncs thousands of articles through a
// link that drops every connection after 300 KB. The sync finishes only if
// each page and its cursor are kept across drops, and the status reports
// progress counts on the way.
func TestBigFirstSyncResumesAcrossDrops(t *testing.T) {
	t.Parallel()
	const n = 3000
	s := newServer(t)
	err := s.db.Update(context.Background(), func(tx sstore.Tx) error {
		for i := 0; i < n; i++ {
			noise := make([]byte, 400) // incompressible, so compression cannot dodge the cut
			rand.Read(noise)
			a := shared.Article{
				ID: fmt.Sprintf("bulk-%04d", i), Lang: "en", Title: fmt.Sprintf("Bulk article %d", i),
				Category: "network", Visibility: shared.Public, Body: hex.EncodeToString(noise),
			}
			b, _ := json.Marshal(a)
			if _, err := tx.Put(wire.TypeArticle, a.ID, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, strings.TrimPrefix(s.URL(), "http://"))
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(`{"name":"cut","type":"limit_data","stream":"downstream","attributes":{"bytes":300000}}`)); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := store.NewMemory()
	var dials atomic.Int32
	e := &engine.Engine{Store: st, Dial: func(ctx context.Context) (engine.Conn, error) {
		dials.Add(1)
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return engine.DialWS(ctx, "ws://"+p.Listen+"/ws", "http://"+p.Listen)
	}}
	var mu sync.Mutex
	maxTotal, midway := 0, false
	e.Subscribe(func() {
		s := e.Status()
		mu.Lock()
		defer mu.Unlock()
		maxTotal = max(maxTotal, s.SyncTotal)
		midway = midway || (s.SyncDone > 0 && s.SyncDone < s.SyncTotal)
	})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { // reconnect at once after each drop, as the browser's online event would
		for ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			e.Kick()
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		arts, _ := st.List(wire.TypeArticle)
		if len(arts) >= n+20 && e.Status().Synced {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("first sync did not finish: %d of %d articles after %d connections", len(arts), n, dials.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if dials.Load() < 3 {
		t.Errorf("%d connections; the link should have dropped several times", dials.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d articles over %d connections; largest progress total %d", n, dials.Load(), maxTotal)
	if maxTotal < n || !midway {
		t.Errorf("progress: largest total %d, seen midway %v; want a total of at least %d and a partial count", maxTotal, midway, n)
	}
	if st := e.Status(); st.SyncTotal != 0 || st.SyncDone != 0 {
		t.Errorf("progress after the sync = %d of %d; want cleared", st.SyncDone, st.SyncTotal)
	}
}
