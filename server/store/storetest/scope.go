package storetest

import (
	"context"
	"fmt"
	"testing"

	"outpost/server/store"
	"outpost/shared/wire"
)

// scopeContract checks the scope index (store.RecordScopes): ChangesIn
// and RemainingIn read only the asked scopes, follow a record to its new
// scopes when it is rewritten, send tombstones to everyone, and EachIn
// lists a scope's live records.
func scopeContract(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	all := func(string, []byte) bool { return true }
	anon := []string{store.ScopeAll, store.ScopeClient("me")}
	pullAll := func(t *testing.T, s store.Store, scopes []string, since uint64, limit int) ([]wire.Change, uint64, int) {
		t.Helper()
		var got []wire.Change
		cursor, pages := since, 0
		for more := true; more; pages++ {
			var page []wire.Change
			var err error
			page, cursor, more, err = s.ChangesIn(ctx, scopes, cursor, limit, 1<<20, all)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
		}
		return got, cursor, pages
	}

	t.Run("ChangesInReadsOnlyItsScopes", func(t *testing.T) {
		s := open(t)
		put(t, s, wire.TypeArticle, "a1", `{"visibility":"public"}`)                  // 1 all
		put(t, s, wire.TypeTicket, "mine", `{"client_id":"me"}`)                      // 2 c:me
		put(t, s, wire.TypeTicket, "theirs", `{"client_id":"you"}`)                   // 3 c:you
		put(t, s, wire.TypeTicket, "users", `{"requester_id":"u1","client_id":"me"}`) // 4 u:u1 only
		put(t, s, wire.TypeFeedback, "f1", `{"article_id":"a1"}`)                     // 5 staff only
		put(t, s, wire.TypeConfig, "calendar", `{}`)                                  // 6 all
		put(t, s, wire.TypeEntry, "e1", `{"ticket_id":"mine","client_id":"me"}`)      // 7 c:me
		put(t, s, wire.TypeUser, "u1", `{"id":"u1"}`)                                 // 8 u:u1
		put(t, s, wire.TypeTree, "t1", `{"status":"published"}`)                      // 9 all
		put(t, s, wire.TypeTicket, "theirs2", `{"requester_id":"u2"}`)                // 10 u:u2
		got, cursor, pages := pullAll(t, s, anon, 0, 2)
		if want := "[a1@1 mine@2 calendar@6 e1@7 t1@9]"; fmt.Sprint(ids(got)) != want {
			t.Fatalf("ChangesIn(all, c:me) = %v; want %v", ids(got), want)
		}
		if cursor != 10 || pages != 3 {
			t.Errorf("cursor, pages = %d, %d; want 10 (the head: past the other scopes), 3", cursor, pages)
		}
		if n, err := s.RemainingIn(ctx, anon, 0); n != 5 || err != nil {
			t.Errorf("RemainingIn(all, c:me, 0) = %d, %v; want 5", n, err)
		}
		if n, _ := s.RemainingIn(ctx, anon, 6); n != 2 {
			t.Errorf("RemainingIn(all, c:me, 6) = %d; want 2", n)
		}
		got, _, _ = pullAll(t, s, []string{store.ScopeUser("u1")}, 0, 100)
		if want := "[users@4 u1@8]"; fmt.Sprint(ids(got)) != want {
			t.Errorf("ChangesIn(u:u1) = %v; want %v", ids(got), want)
		}
		// The filter still decides within the scopes.
		page, _, _, err := s.ChangesIn(ctx, anon, 0, 100, 1<<20, func(typ string, _ []byte) bool { return typ == wire.TypeTicket })
		if err != nil || fmt.Sprint(ids(page)) != "[mine@2]" {
			t.Errorf("ChangesIn(tickets only) = %v, %v; want [mine@2]", ids(page), err)
		}
		if page, c, more, _ := s.ChangesIn(ctx, anon, cursor, 10, 1<<20, all); len(page) != 0 || c != 10 || more {
			t.Errorf("ChangesIn at head = %v, %d, %v; want nothing new", ids(page), c, more)
		}
	})

	t.Run("ChangesInFollowsARecordAcrossScopes", func(t *testing.T) {
		s := open(t)
		put(t, s, wire.TypeTicket, "t1", `{"client_id":"me"}`) // 1 c:me
		put(t, s, wire.TypeArticle, "a1", `{}`)                // 2 all
		// Claimed by a user who signed in: it leaves the device's scope.
		put(t, s, wire.TypeTicket, "t1", `{"client_id":"me","requester_id":"u1"}`) // 3 u:u1
		if got, _, _ := pullAll(t, s, anon, 0, 100); fmt.Sprint(ids(got)) != "[a1@2]" {
			t.Errorf("ChangesIn(all, c:me) = %v; want [a1@2] (t1 moved to u:u1)", ids(got))
		}
		if got, _, _ := pullAll(t, s, []string{store.ScopeUser("u1"), store.ScopeClient("me")}, 0, 100); fmt.Sprint(ids(got)) != "[t1@3]" {
			t.Errorf("ChangesIn(u:u1, c:me) = %v; want [t1@3] once", ids(got))
		}
		if n, _ := s.RemainingIn(ctx, []string{store.ScopeClient("me")}, 0); n != 0 {
			t.Errorf("RemainingIn(c:me) = %d; want 0 (the old entry is gone)", n)
		}
		// A deletion reaches everyone, as an ID only.
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(wire.TypeTicket, "t1") }); err != nil {
			t.Fatal(err)
		}
		got, _, _ := pullAll(t, s, []string{store.ScopeAll}, 2, 100)
		if fmt.Sprint(ids(got)) != "[t1@4]" || !got[0].Deleted {
			t.Errorf("ChangesIn(all) after the delete = %v; want the tombstone t1@4", ids(got))
		}
		if got, _, _ := pullAll(t, s, []string{store.ScopeUser("u1")}, 0, 100); len(got) != 0 {
			t.Errorf("ChangesIn(u:u1) after the delete = %v; want nothing", ids(got))
		}
		// Written again after the deletion, it is indexed once more.
		put(t, s, wire.TypeTicket, "t1", `{"client_id":"me"}`) // 5 c:me
		if got, _, _ := pullAll(t, s, anon, 2, 100); fmt.Sprint(ids(got)) != "[t1@5]" || got[0].Deleted {
			t.Errorf("ChangesIn(all, c:me) after rewriting = %v; want t1@5, live", ids(got))
		}
	})

	t.Run("EachInListsAScopesLiveRecords", func(t *testing.T) {
		s := open(t)
		put(t, s, wire.TypeTicket, "t1", `{"client_id":"me"}`)
		put(t, s, wire.TypeTicket, "t2", `{"client_id":"you"}`)
		put(t, s, wire.TypeEntry, "e1", `{"client_id":"me"}`)
		put(t, s, wire.TypeTicket, "t3", `{"client_id":"me"}`)
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(wire.TypeTicket, "t3") }); err != nil {
			t.Fatal(err)
		}
		var got []string
		err := s.View(ctx, func(tx store.ReadTx) error {
			return tx.EachIn(store.ScopeClient("me"), func(typ, id string, data []byte) error {
				got = append(got, typ+"/"+id+" "+string(data))
				return nil
			})
		})
		want := `[ticket/t1 {"client_id":"me"} entry/e1 {"client_id":"me"}]`
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("EachIn(c:me) = %v, %v; want %v", got, err, want)
		}
	})
}

// ScopeIndexBuilt checks a store opened on records written before the
// scope index: opening indexes them, so a signed-out device still pulls
// what is its own (ChangesIn of the anonymous scopes), and a later
// rewrite of a record drops the entry built for it. s is a fresh store;
// forget drops its whole scope index, as an old data directory or
// database has none, and closes it; reopen opens it again. The reopened
// store is returned for the implementation's own checks: it holds
// articles a1, tickets t1 and t2, each with one scope entry.
func ScopeIndexBuilt[S store.Store](t *testing.T, s S, forget func(S), reopen func() S) S {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, r := range [][3]string{
			{wire.TypeArticle, "a1", `{}`},
			{wire.TypeTicket, "t1", `{"client_id":"me"}`},
			{wire.TypeTicket, "t2", `{"client_id":"you"}`},
		} {
			if _, err := tx.Put(r[0], r[1], []byte(r[2])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	forget(s)
	s = reopen()
	anon := []string{store.ScopeAll, store.ScopeClient("me")}
	all := func(string, []byte) bool { return true }
	ids := func(cs []wire.Change) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	page, _, _, err := s.ChangesIn(ctx, anon, 0, 100, 1<<20, all)
	if err != nil || fmt.Sprint(ids(page)) != "[a1 t1]" {
		t.Fatalf("ChangesIn(all, c:me) after reopening = %v, %v; want [a1 t1]", ids(page), err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeTicket, "t1", []byte(`{"client_id":"me","requester_id":"u1"}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if page, _, _, _ = s.ChangesIn(ctx, anon, 0, 100, 1<<20, all); fmt.Sprint(ids(page)) != "[a1]" {
		t.Errorf("ChangesIn(all, c:me) after t1 was claimed = %v; want [a1]: the built entry is dropped", ids(page))
	}
	return s
}
