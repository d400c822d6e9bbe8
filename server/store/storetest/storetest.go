// Package storetest is the contract every store.Store implementation must
// meet. An implementation's tests call Run with a constructor of fresh stores.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Option adds what an implementation can do beyond the interface.
type Option func(*config)

type config struct {
	secondNode func(t *testing.T, s store.Store) store.Store
}

// WithSecondNode says the implementation can open a second handle on the
// database behind s, as a second server node would (closed when the test
// ends). The multi-node cases run only with it; an embedded store that
// allows one process per database (Badger) skips them.
func WithSecondNode(open func(t *testing.T, s store.Store) store.Store) Option {
	return func(c *config) { c.secondNode = open }
}

// Run runs the contract suite. open returns a new, empty store whose clock
// (the one expiry of unlogged data follows) is now.
func Run(t *testing.T, openAt func(t *testing.T, now func() time.Time) store.Store, opts ...Option) {
	ctx := context.Background()
	all := func(string, []byte) bool { return true }
	open := func(t *testing.T) store.Store { return openAt(t, time.Now) }
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	// nodes returns s and, if the implementation can, a second node on
	// the same database; otherwise s twice.
	nodes := func(t *testing.T, s store.Store) [2]store.Store {
		if cfg.secondNode == nil {
			return [2]store.Store{s, s}
		}
		return [2]store.Store{s, cfg.secondNode(t, s)}
	}
	runConcurrency(t, open, nodes, cfg.secondNode != nil)
	runBatched(t, open) // batch.go

	t.Run("PutGetVersion", func(t *testing.T) {
		s := open(t)
		var v1, v2 uint64
		err := s.Update(ctx, func(tx store.Tx) (err error) {
			if v1, err = tx.Put("article", "a", []byte(`{"n":1}`)); err != nil {
				return err
			}
			v2, err = tx.Put("article", "b", []byte(`{"n":2}`))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if v1 != 1 || v2 != 2 {
			t.Fatalf("versions = %d, %d; want 1, 2", v1, v2)
		}
		s.View(ctx, func(tx store.ReadTx) error {
			if got, err := tx.Get("article", "a"); err != nil || string(got) != `{"n":1}` {
				t.Errorf("Get(article, a) = %s, %v", got, err)
			}
			if _, err := tx.Get("article", "zz"); shared.ErrorCode(err) != shared.ENOTFOUND {
				t.Errorf("Get(missing) error = %v; want ENOTFOUND", err)
			}
			if v, _ := tx.Version(); v != 2 {
				t.Errorf("Version() = %d; want 2", v)
			}
			return nil
		})
	})

	t.Run("FailedUpdateKeepsNothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("boom")
		err := s.Update(ctx, func(tx store.Tx) error {
			tx.Put("ticket", "t1", []byte(`{}`))
			tx.SetLastSeq("c1", 9)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update error = %v; want boom", err)
		}
		s.View(ctx, func(tx store.ReadTx) error {
			if _, err := tx.Get("ticket", "t1"); shared.ErrorCode(err) != shared.ENOTFOUND {
				t.Errorf("record of failed update is visible: %v", err)
			}
			if seq, _ := tx.LastSeq("c1"); seq != 0 {
				t.Errorf("LastSeq after failed update = %d; want 0", seq)
			}
			if v, _ := tx.Version(); v != 0 {
				t.Errorf("Version after failed update = %d; want 0", v)
			}
			return nil
		})
	})

	t.Run("ChangesPagesAndDedupes", func(t *testing.T) {
		s := open(t)
		for i := 0; i < 5; i++ {
			put(t, s, "article", fmt.Sprint("a", i), fmt.Sprintf(`{"i":%d}`, i))
		}
		put(t, s, "article", "a1", `{"i":"new"}`) // v6 supersedes v2
		var got []wire.Change
		cursor, pages := uint64(0), 0
		for more := true; more; pages++ {
			var page []wire.Change
			var err error
			page, cursor, more, err = s.Changes(ctx, cursor, 2, 1<<20, all)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
		}
		want := []string{"a0@1", "a2@3", "a3@4", "a4@5", "a1@6"}
		if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
			t.Fatalf("changes = %v; want %v", ids(got), want)
		}
		if cursor != 6 || pages != 3 {
			t.Errorf("cursor, pages = %d, %d; want 6, 3", cursor, pages)
		}
		if string(got[4].Data) != `{"i":"new"}` {
			t.Errorf("a1 data = %s; want the latest", got[4].Data)
		}
		if n, err := s.Remaining(ctx, 0); n != 5 || err != nil {
			t.Errorf("Remaining(0) = %d, %v; want 5 (a1's old entry is gone)", n, err)
		}
		if n, _ := s.Remaining(ctx, 3); n != 3 {
			t.Errorf("Remaining(3) = %d; want 3", n)
		}
		page, c, more, _ := s.Changes(ctx, cursor, 10, 1<<20, all)
		if len(page) != 0 || c != 6 || more {
			t.Errorf("Changes at head = %v, %d, %v; want nothing new", page, c, more)
		}
	})

	t.Run("ChangesByteLimit", func(t *testing.T) {
		s := open(t)
		for i := 0; i < 4; i++ {
			put(t, s, "article", fmt.Sprint("a", i), `"`+string(make([]byte, 100))+`"`)
		}
		page, cursor, more, err := s.Changes(ctx, 0, 100, 150, all)
		if err != nil || len(page) != 2 || cursor != 2 || !more {
			t.Fatalf("Changes(maxBytes 150) = %d changes, cursor %d, more %v, %v; want 2, 2, true", len(page), cursor, more, err)
		}
	})

	t.Run("ChangesFilterAndTombstones", func(t *testing.T) {
		s := open(t)
		put(t, s, "ticket", "mine", `{"client_id":"me"}`)
		put(t, s, "ticket", "theirs", `{"client_id":"you"}`)
		put(t, s, "ticket", "gone", `{"client_id":"me"}`)
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete("ticket", "gone") }); err != nil {
			t.Fatal(err)
		}
		mine := func(typ string, data []byte) bool { return string(data) == `{"client_id":"me"}` }
		page, cursor, more, err := s.Changes(ctx, 0, 100, 1<<20, mine)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(page)) != "[mine@1 gone@4]" || !page[1].Deleted || cursor != 4 || more {
			t.Fatalf("Changes = %v (deleted %v), cursor %d, more %v; want [mine@1 gone@4] with a tombstone, 4, false", ids(page), page[len(page)-1].Deleted, cursor, more)
		}
		s.View(ctx, func(tx store.ReadTx) error {
			n := 0
			tx.Each("ticket", func(string, []byte) error { n++; return nil })
			if n != 2 {
				t.Errorf("Each(ticket) saw %d records; want 2 (tombstones skipped)", n)
			}
			return nil
		})
	})

	t.Run("ConcurrentUpdatesGetDistinctOrderedVersions", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				put(t, s, "ticket", fmt.Sprint("t", i), `{}`)
			}()
		}
		wg.Wait()
		page, cursor, _, err := s.Changes(ctx, 0, 1000, 1<<20, all)
		if err != nil || len(page) != 50 || cursor != 50 {
			t.Fatalf("Changes = %d changes, cursor %d, %v; want 50, 50", len(page), cursor, err)
		}
		for i, c := range page {
			if c.V != uint64(i+1) {
				t.Fatalf("change %d has version %d; want %d", i, c.V, i+1)
			}
		}
	})

	t.Run("Epoch", func(t *testing.T) {
		a, b := open(t), open(t)
		if a.Epoch() == "" || a.Epoch() != a.Epoch() || a.Epoch() == b.Epoch() {
			t.Fatalf("Epoch() = %q, %q again, %q for another store; want stable and distinct", a.Epoch(), a.Epoch(), b.Epoch())
		}
	})

	t.Run("LocalIsUnlogged", func(t *testing.T) {
		s := open(t)
		put(t, s, "session", "r1", `{"record":true}`)
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.PutLocal("session", "h1", []byte("secret"), time.Time{}); err != nil {
				return err
			}
			if got, err := tx.GetLocal("session", "h1"); err != nil || string(got) != "secret" {
				t.Errorf("GetLocal in the writing transaction = %q, %v; want secret", got, err)
			}
			return tx.PutLocal("email", "ana/x@example.com", []byte("u1"), time.Time{})
		})
		if err != nil {
			t.Fatal(err)
		}
		s.View(ctx, func(tx store.ReadTx) error {
			if got, err := tx.GetLocal("session", "h1"); err != nil || string(got) != "secret" {
				t.Errorf("GetLocal(session, h1) = %q, %v; want secret", got, err)
			}
			if got, err := tx.GetLocal("email", "ana/x@example.com"); err != nil || string(got) != "u1" {
				t.Errorf("GetLocal(email, ana/x@example.com) = %q, %v; want u1", got, err)
			}
			if _, err := tx.GetLocal("session", "r1"); shared.ErrorCode(err) != shared.ENOTFOUND {
				t.Errorf("GetLocal(session, r1) error = %v; want ENOTFOUND (records are not local data)", err)
			}
			if got, err := tx.Get("session", "r1"); err != nil || string(got) != `{"record":true}` {
				t.Errorf("Get(session, r1) = %q, %v; want the record, not local data", got, err)
			}
			n := 0
			tx.Each("session", func(string, []byte) error { n++; return nil })
			if n != 1 {
				t.Errorf("Each(session) saw %d records; want 1 (local data is not a record)", n)
			}
			if v, _ := tx.Version(); v != 1 {
				t.Errorf("Version() = %d; want 1 (local data has no version)", v)
			}
			return nil
		})
		page, cursor, _, err := s.Changes(ctx, 0, 100, 1<<20, all)
		if err != nil || len(page) != 1 || cursor != 1 {
			t.Errorf("Changes = %v, cursor %d, %v; want only the record", ids(page), cursor, err)
		}
	})

	t.Run("LocalDeleteExpireAndRollback", func(t *testing.T) {
		now := time.Now()
		s := openAt(t, func() time.Time { return now })
		err := s.Update(ctx, func(tx store.Tx) error {
			for key, expires := range map[string]time.Time{"keep": {}, "later": now.Add(time.Hour), "gone": now.Add(-time.Second), "del": {}} {
				if err := tx.PutLocal("k", key, []byte(key), expires); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.DeleteLocal("k", "del"); err != nil {
				return err
			}
			return tx.DeleteLocal("k", "never-there")
		})
		if err != nil {
			t.Fatalf("DeleteLocal: %v", err)
		}
		boom := errors.New("boom")
		err = s.Update(ctx, func(tx store.Tx) error {
			tx.PutLocal("k", "rolled-back", []byte("x"), time.Time{})
			tx.DeleteLocal("k", "keep")
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update error = %v; want boom", err)
		}
		s.View(ctx, func(tx store.ReadTx) error {
			for key, want := range map[string]bool{"keep": true, "later": true, "gone": false, "del": false, "rolled-back": false} {
				got, err := tx.GetLocal("k", key)
				switch {
				case want && (err != nil || string(got) != key):
					t.Errorf("GetLocal(k, %s) = %q, %v; want %q", key, got, err, key)
				case !want && shared.ErrorCode(err) != shared.ENOTFOUND:
					t.Errorf("GetLocal(k, %s) = %q, %v; want ENOTFOUND", key, got, err)
				}
			}
			return nil
		})
		s.Update(ctx, func(tx store.Tx) error {
			for _, k := range [][2]string{{"", "a"}, {"a/b", "c"}, {"a", ""}} {
				if err := tx.PutLocal(k[0], k[1], []byte("x"), time.Time{}); err == nil {
					t.Errorf("PutLocal(%q, %q) succeeded; want an error", k[0], k[1])
				}
			}
			return nil
		})
	})

	// Expiry follows the store's clock, not the wall clock: a clock years
	// in the past (a test's fixed date) or in the future (a server whose
	// clock ran ahead) sees its data for exactly as long as it asked.
	for _, tt := range []struct {
		name  string
		start time.Time
	}{
		{"LocalExpiryFollowsAClockInThePast", time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"LocalExpiryFollowsAClockInTheFuture", time.Date(2240, 2, 29, 12, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			clock := tt.start
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			set := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); clock = tt.start.Add(d) }
			s := openAt(t, now)
			err := s.Update(ctx, func(tx store.Tx) error {
				for key, expires := range map[string]time.Time{"hour": tt.start.Add(time.Hour), "past": tt.start.Add(-time.Millisecond), "never": {}} {
					if err := tx.PutLocal("k", key, []byte(key), expires); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []struct {
				at   time.Duration
				want map[string]bool
			}{
				{0, map[string]bool{"hour": true, "past": false, "never": true}},
				{time.Hour - time.Millisecond, map[string]bool{"hour": true, "past": false, "never": true}},
				{time.Hour, map[string]bool{"hour": false, "past": false, "never": true}},
				{-time.Hour, map[string]bool{"hour": true, "past": true, "never": true}}, // the clock set back
			} {
				set(step.at)
				s.View(ctx, func(tx store.ReadTx) error {
					for key, want := range step.want {
						got, err := tx.GetLocal("k", key)
						switch {
						case want && (err != nil || string(got) != key):
							t.Errorf("at start%+v: GetLocal(k, %s) = %q, %v; want %q", step.at, key, got, err, key)
						case !want && shared.ErrorCode(err) != shared.ENOTFOUND:
							t.Errorf("at start%+v: GetLocal(k, %s) = %q, %v; want ENOTFOUND (expired)", step.at, key, got, err)
						}
					}
					return nil
				})
			}
		})
	}

	t.Run("LastSeq", func(t *testing.T) {
		s := open(t)
		s.Update(ctx, func(tx store.Tx) error { return tx.SetLastSeq("c1", 41) })
		s.View(ctx, func(tx store.ReadTx) error {
			if seq, err := tx.LastSeq("c1"); seq != 41 || err != nil {
				t.Errorf("LastSeq(c1) = %d, %v; want 41", seq, err)
			}
			if seq, err := tx.LastSeq("c2"); seq != 0 || err != nil {
				t.Errorf("LastSeq(c2) = %d, %v; want 0", seq, err)
			}
			return nil
		})
	})

	t.Run("Backup", func(t *testing.T) { backupContract(t, openAt) }) // backup.go
	scopeContract(t, open)                                            // scope.go
}

func put(t *testing.T, s store.Store, typ, id, data string) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(typ, id, []byte(data))
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func ids(cs []wire.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s@%d", c.ID, c.V)
	}
	return out
}
