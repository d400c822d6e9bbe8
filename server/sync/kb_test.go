package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

const client = "0190c3a1-0000-7000-8000-000000000001"

// newService runs the sync service on in-memory Badger holding one article.
// The store's clock is the service's: a test that sets s.Clock moves both.
func newService(t *testing.T) (*outsync.Service, store.Store) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := time.UnixMilli(1_800_000_000_000)
	s := &outsync.Service{Log: log, Clock: clock.NewFake(now)}
	db, err := badger.Open("", log, badger.WithClock(func() time.Time { return s.Now() }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	data, _ := json.Marshal(shared.Article{ID: "vpn-setup", Lang: "en", Title: "VPN", Category: "network", Visibility: shared.Public})
	err = db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeArticle, "vpn-setup", data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Store = db
	return s, db
}

func mutation(t *testing.T, seq uint64, name string, args any) wire.Mutation {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return wire.Mutation{Seq: seq, Name: name, Args: b}
}

func get[T any](t *testing.T, db store.Store, typ, id string) (v T, found bool) {
	t.Helper()
	err := db.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(typ, id)
		if shared.ErrorCode(err) == shared.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return json.Unmarshal(data, &v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, found
}

func feedbackID(n int) string { return fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", n) }

func TestFeedbackCountsOnceAndDeflects(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	ms := []wire.Mutation{
		mutation(t, 1, shared.OpKBFeedback, shared.Feedback{ID: feedbackID(1), ArticleID: "vpn-setup", Helpful: true, From: shared.FromSearch}),
		mutation(t, 2, shared.OpKBFeedback, shared.Feedback{ID: feedbackID(2), ArticleID: "vpn-setup", Helpful: true, From: shared.FromBrowse}),
		mutation(t, 3, shared.OpKBFeedback, shared.Feedback{ID: feedbackID(3), ArticleID: "vpn-setup", Helpful: false, Comment: "  steps differ  "}),
	}
	for range 2 { // the second push is a resend after a lost ack
		res, err := s.Push(ctx, client, ms)
		if err != nil || len(res) != 3 || !res[0].OK || !res[1].OK || !res[2].OK {
			t.Fatalf("Push = %+v, %v", res, err)
		}
	}
	stats, _ := get[shared.ArticleStats](t, db, wire.TypeArticleStats, "vpn-setup")
	if stats.Helpful != 2 || stats.NotHelpful != 1 || stats.Deflected != 1 {
		t.Errorf("stats = %+v; want 2 helpful, 1 not, 1 deflected (the one from a search)", stats)
	}
	if r := stats.HelpfulRate(); r < 0.66 || r > 0.67 {
		t.Errorf("HelpfulRate = %v; want 2/3", r)
	}
	fb, found := get[shared.Feedback](t, db, wire.TypeFeedback, feedbackID(3))
	if !found || fb.Comment != "steps differ" {
		t.Errorf("feedback record = %+v, found %v; want the trimmed comment", fb, found)
	}
}

func TestFeedbackRejections(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	long := make([]byte, shared.MaxFeedbackComment+1)
	for i := range long {
		long[i] = 'x'
	}
	cases := []struct {
		name string
		args any
		code string
		key  string
	}{
		{"missing article", shared.Feedback{ID: feedbackID(1), ArticleID: "no-such"}, shared.ENOTFOUND, "feedback.no_article"},
		{"bad id", shared.Feedback{ID: "1", ArticleID: "vpn-setup"}, shared.EINVALID, "feedback.bad_id"},
		{"bad source", shared.Feedback{ID: feedbackID(2), ArticleID: "vpn-setup", From: "email"}, shared.EINVALID, "feedback.bad_from"},
		{"long comment", shared.Feedback{ID: feedbackID(3), ArticleID: "vpn-setup", Comment: string(long)}, shared.EINVALID, "field.too_long"},
		{"not an object", []int{1}, shared.EINVALID, "mutation.bad_args"},
	}
	for i, c := range cases {
		res, err := s.Push(ctx, client, []wire.Mutation{mutation(t, uint64(i+1), shared.OpKBFeedback, c.args)})
		if err != nil || len(res) != 1 || res[0].OK || res[0].Code != c.code || res[0].Key != c.key {
			t.Errorf("%s: Push = %+v, %v; want rejection %s %s", c.name, res, err, c.code, c.key)
		}
	}
	if stats, found := get[shared.ArticleStats](t, db, wire.TypeArticleStats, "vpn-setup"); found {
		t.Errorf("rejected feedback changed the stats: %+v", stats)
	}
	// The same feedback ID from another mutation is a conflict, not a second count.
	ok := shared.Feedback{ID: feedbackID(9), ArticleID: "vpn-setup", Helpful: true}
	s.Push(ctx, client, []wire.Mutation{mutation(t, 10, shared.OpKBFeedback, ok)})
	res, _ := s.Push(ctx, client, []wire.Mutation{mutation(t, 11, shared.OpKBFeedback, ok)})
	if len(res) != 1 || res[0].Key != "feedback.exists" {
		t.Errorf("duplicate feedback ID: %+v; want feedback.exists", res)
	}
	if stats, _ := get[shared.ArticleStats](t, db, wire.TypeArticleStats, "vpn-setup"); stats.Helpful != 1 {
		t.Errorf("stats after a duplicate = %+v; want 1 helpful", stats)
	}
}

func TestSearchMissesAreCountedByFoldedQuery(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	res, err := s.Push(ctx, client, []wire.Mutation{
		mutation(t, 1, shared.OpSearchMiss, shared.SearchMiss{Query: "Contraseña  caducada", Lang: "es"}),
		mutation(t, 2, shared.OpSearchMiss, shared.SearchMiss{Query: "contrasena caducada ", Lang: "es"}),
		mutation(t, 3, shared.OpSearchMiss, shared.SearchMiss{Query: "contrasena caducada", Lang: "en"}),
		mutation(t, 4, shared.OpSearchMiss, shared.SearchMiss{Query: "   ", Lang: "es"}),
		mutation(t, 5, shared.OpSearchMiss, shared.SearchMiss{Query: "x", Lang: "fr"}),
	})
	if err != nil || len(res) != 5 || !res[0].OK || !res[1].OK || !res[2].OK ||
		res[3].Key != "search.query_required" || res[4].Key != "article.bad_lang" {
		t.Fatalf("Push = %+v, %v", res, err)
	}
	es, _ := get[shared.SearchMissStats](t, db, wire.TypeSearchMiss, outsync.SearchMissID("contrasena caducada", "es"))
	en, _ := get[shared.SearchMissStats](t, db, wire.TypeSearchMiss, outsync.SearchMissID("contrasena caducada", "en"))
	if es.Count != 2 || es.Query != "contrasena caducada" || en.Count != 1 {
		t.Errorf("misses: es %+v, en %+v; want 2 in Spanish (one folded query), 1 in English", es, en)
	}
}

// TestArticleLeavingTheViewIsRemoved: an article made internal reaches a
// requester's device as a removal, not as silence (DESIGN.md rule 6), while
// staff keep it.
func TestArticleLeavingTheViewIsRemoved(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	page, err := s.Pull(ctx, client, 0, 100)
	if err != nil || len(page.Changes) != 1 || page.Changes[0].Deleted {
		t.Fatalf("first pull = %+v, %v; want the public article", page.Changes, err)
	}
	cursor := page.Cursor
	err = db.Update(ctx, func(tx store.Tx) error {
		data, _ := json.Marshal(shared.Article{ID: "vpn-setup", Lang: "en", Title: "VPN", Category: "network", Visibility: shared.Internal})
		_, err := tx.Put(wire.TypeArticle, "vpn-setup", data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = s.Pull(ctx, client, cursor, 100)
	if len(page.Changes) != 1 || !page.Changes[0].Deleted || page.Changes[0].Data != nil || page.Changes[0].ID != "vpn-setup" {
		t.Fatalf("pull after the article went internal = %+v; want its removal, without data", page.Changes)
	}
	agent := &shared.Identity{UserID: client, Email: "agent@example.com", Role: shared.RoleAgent, Tier: 1}
	page, _ = s.PullAs(ctx, outsync.Actor{ClientID: client, User: agent}, cursor, 100)
	if len(page.Changes) != 1 || page.Changes[0].Deleted {
		t.Fatalf("agent's pull = %+v; want the internal article itself", page.Changes)
	}
}
