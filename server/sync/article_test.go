package sync_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/wire"
)

var (
	agentAna = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000a1",
		User: &shared.Identity{UserID: "u-ana", Email: "ana@example.com", Name: "Ana Agent", Role: shared.RoleAgent, Tier: 1}}
	agentBo = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000b0",
		User: &shared.Identity{UserID: "u-bo", Email: "bo@example.com", Role: shared.RoleAdmin}}
	requester = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000000c0",
		User: &shared.Identity{UserID: "u-rita", Email: "rita@example.com", Role: shared.RoleRequester}}
)

func newArticle(id, body string) shared.Article {
	return shared.Article{ID: id, Lang: "en", Title: "Printer offline", Category: "devices", Subcategory: "printer",
		Tags: []string{"printer", " "}, Visibility: shared.Public, Body: body}
}

// push sends one mutation as a and returns its result.
func push(t *testing.T, s *outsync.Service, a outsync.Actor, seq uint64, name string, args any) wire.Result {
	t.Helper()
	res, err := s.PushAs(context.Background(), a, []wire.Mutation{mutation(t, seq, name, args)})
	if err != nil || len(res) != 1 {
		t.Fatalf("PushAs(%s) = %+v, %v", name, res, err)
	}
	return res[0]
}

func revisions(t *testing.T, db store.Store, id string) []shared.Revision {
	t.Helper()
	var out []shared.Revision
	err := db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(shared.RevisionType, func(rid string, data []byte) error {
			var r shared.Revision
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			if r.ArticleID == id {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestArticleSaveNumbersRevisions(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	if r := push(t, s, agentAna, 1, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("printer-offline", "## Check the cable\n\n<script>x</script>")}); !r.OK {
		t.Fatalf("new article: %+v", r)
	}
	a, _ := get[shared.Article](t, db, wire.TypeArticle, "printer-offline")
	if a.Revision != 1 || a.Status != shared.ArticleDraft || a.UpdatedBy != "Ana Agent" || a.UpdatedAt != 1_800_000_000_000 {
		t.Errorf("after the first save: revision %d, status %q, by %q at %d; want 1, draft, Ana Agent, the clock's time", a.Revision, a.Status, a.UpdatedBy, a.UpdatedAt)
	}
	if !strings.Contains(a.HTML, "<h2") || strings.Contains(a.HTML, "<script") {
		t.Errorf("HTML = %q; want the heading rendered and the script gone", a.HTML)
	}
	if len(a.Tags) != 1 || a.Tags[0] != "printer" {
		t.Errorf("Tags = %q; want the blank tag dropped", a.Tags)
	}
	if r := push(t, s, agentAna, 2, shared.OpArticlePublish, shared.ArticleChange{ArticleID: "printer-offline", Base: 1}); !r.OK {
		t.Fatalf("publish: %+v", r)
	}
	edit := newArticle("printer-offline", "## Check the cable\n\nAnd the power.")
	if r := push(t, s, agentBo, 1, shared.OpArticleSave, shared.ArticleSave{Article: edit, Base: 2}); !r.OK {
		t.Fatalf("edit: %+v", r)
	}
	// Saving the same content again makes no revision.
	if r := push(t, s, agentBo, 2, shared.OpArticleSave, shared.ArticleSave{Article: edit, Base: 3}); !r.OK {
		t.Fatalf("unchanged save: %+v", r)
	}
	a, _ = get[shared.Article](t, db, wire.TypeArticle, "printer-offline")
	if a.Revision != 3 || a.Status != shared.ArticlePublished || a.UpdatedBy != "bo@example.com" {
		t.Errorf("after publish and edit: revision %d, status %q, by %q; want 3, still published, bo@example.com", a.Revision, a.Status, a.UpdatedBy)
	}
	revs := revisions(t, db, "printer-offline")
	var got []string
	for _, r := range revs {
		got = append(got, r.Article.Status+"/"+r.Author)
		if r.Number != r.Article.Revision {
			t.Errorf("revision record %d holds article revision %d", r.Number, r.Article.Revision)
		}
	}
	if want := "draft/Ana Agent published/Ana Agent published/bo@example.com"; strings.Join(got, " ") != want {
		t.Errorf("revisions = %q; want %q", strings.Join(got, " "), want)
	}
}

func TestArticleSaveConflicts(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	push(t, s, agentAna, 1, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("printer-offline", "v1")})
	// Ana and Bo both edit revision 1; Bo's save arrives first.
	if r := push(t, s, agentBo, 1, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("printer-offline", "Bo's words"), Base: 1}); !r.OK {
		t.Fatalf("Bo: %+v", r)
	}
	r := push(t, s, agentAna, 2, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("printer-offline", "Ana's words"), Base: 1})
	if r.OK || r.Code != shared.ECONFLICT || r.Key != "kbedit.stale" || strings.Join(r.Args, ",") != "2,bo@example.com" {
		t.Errorf("stale save = %+v; want ECONFLICT kbedit.stale naming revision 2 by Bo", r)
	}
	if a, _ := get[shared.Article](t, db, wire.TypeArticle, "printer-offline"); a.Body != "Bo's words" || a.Revision != 2 {
		t.Errorf("article = rev %d %q; want Bo's revision 2 kept", a.Revision, a.Body)
	}
	// The same stale base on publish, and a new article over an existing ID.
	if r := push(t, s, agentAna, 3, shared.OpArticlePublish, shared.ArticleChange{ArticleID: "printer-offline", Base: 1}); r.Key != "kbedit.stale" {
		t.Errorf("stale publish = %+v; want kbedit.stale", r)
	}
	if r := push(t, s, agentAna, 4, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("printer-offline", "again")}); r.Code != shared.ECONFLICT || r.Key != "kbedit.exists" {
		t.Errorf("new article over an existing ID = %+v; want kbedit.exists", r)
	}
	if r := push(t, s, agentAna, 5, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("no-such", "x"), Base: 4}); r.Code != shared.ENOTFOUND {
		t.Errorf("edit of a missing article = %+v; want ENOTFOUND", r)
	}
	if n := len(revisions(t, db, "printer-offline")); n != 2 {
		t.Errorf("%d revisions; want 2 (the refusals wrote nothing)", n)
	}
}

func TestArticleMutationsAreForStaff(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	cases := []struct {
		name string
		args any
	}{
		{shared.OpArticleSave, shared.ArticleSave{Article: newArticle("rita-was-here", "x")}},
		{shared.OpArticleSave, shared.ArticleSave{Article: newArticle("vpn-setup", "defaced"), Base: 1}},
		{shared.OpArticleArchive, shared.ArticleChange{ArticleID: "vpn-setup"}},
		{shared.OpArticleRestore, shared.ArticleChange{ArticleID: "vpn-setup", Restore: 1}},
	}
	for i, c := range cases {
		if r := push(t, s, requester, uint64(i+1), c.name, c.args); r.Code != shared.EFORBIDDEN || r.Key != "kbedit.staff_only" {
			t.Errorf("requester %s = %+v; want EFORBIDDEN kbedit.staff_only", c.name, r)
		}
	}
	// Signed out, the save is not answered: it waits in the outbox.
	res, err := s.PushAs(context.Background(), outsync.Actor{ClientID: client},
		[]wire.Mutation{mutation(t, 1, shared.OpArticleSave, cases[0].args)})
	if err != outsync.ErrSignIn || len(res) != 0 {
		t.Errorf("signed-out save = %+v, %v; want no answer and ErrSignIn", res, err)
	}
	if _, found := get[shared.Article](t, db, wire.TypeArticle, "rita-was-here"); found {
		t.Error("a requester created an article")
	}
	if a, _ := get[shared.Article](t, db, wire.TypeArticle, "vpn-setup"); a.Body != "" || a.Status != "" {
		t.Errorf("a requester changed vpn-setup: %+v", a)
	}
}

func TestArticleRestoreMakesANewRevision(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	first := newArticle("printer-offline", "## First words")
	push(t, s, agentAna, 1, shared.OpArticleSave, shared.ArticleSave{Article: first})
	push(t, s, agentAna, 2, shared.OpArticlePublish, shared.ArticleChange{ArticleID: "printer-offline", Base: 1})
	second := first
	second.Title, second.Body = "Printer says offline", "## Second words"
	push(t, s, agentAna, 3, shared.OpArticleSave, shared.ArticleSave{Article: second, Base: 2})

	if r := push(t, s, agentBo, 1, shared.OpArticleRestore, shared.ArticleChange{ArticleID: "printer-offline", Base: 3, Restore: 1}); !r.OK {
		t.Fatalf("restore: %+v", r)
	}
	a, _ := get[shared.Article](t, db, wire.TypeArticle, "printer-offline")
	if a.Revision != 4 || a.Body != "## First words" || a.Title != "Printer offline" || a.Status != shared.ArticlePublished || a.UpdatedBy != "bo@example.com" {
		t.Errorf("after restoring 1: rev %d %q %q %s by %s; want rev 4 with revision 1's title and body, still published, by Bo",
			a.Revision, a.Title, a.Body, a.Status, a.UpdatedBy)
	}
	if !strings.Contains(a.HTML, "First words") {
		t.Errorf("HTML = %q; want revision 1's", a.HTML)
	}
	if n := len(revisions(t, db, "printer-offline")); n != 4 {
		t.Errorf("%d revisions; want 4: restoring keeps the history", n)
	}
	for i, c := range []struct {
		args shared.ArticleChange
		code string
	}{
		{shared.ArticleChange{ArticleID: "printer-offline", Restore: 9}, shared.ENOTFOUND},
		{shared.ArticleChange{ArticleID: "printer-offline", Base: 3, Restore: 2}, shared.ECONFLICT},
		{shared.ArticleChange{ArticleID: "printer-offline"}, shared.EINVALID},
	} {
		if r := push(t, s, agentBo, uint64(i+2), shared.OpArticleRestore, c.args); r.Code != c.code {
			t.Errorf("restore %+v = %+v; want %s", c.args, r, c.code)
		}
	}
}

func TestArticleArchiveAndTranslations(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	if r := push(t, s, agentAna, 1, shared.OpArticleArchive, shared.ArticleChange{ArticleID: "vpn-setup"}); !r.OK {
		t.Fatalf("archive: %+v", r)
	}
	// A record from before revisions is read as revision 1.
	if a, _ := get[shared.Article](t, db, wire.TypeArticle, "vpn-setup"); a.Status != shared.ArticleArchived || a.Revision != 2 {
		t.Errorf("archived: status %q revision %d; want archived, 2", a.Status, a.Revision)
	}
	es := newArticle("vpn-config", "x")
	es.Lang, es.TranslationOf = "es", "vpn-setup"
	if r := push(t, s, agentAna, 2, shared.OpArticleSave, shared.ArticleSave{Article: es}); !r.OK {
		t.Fatalf("translation: %+v", r)
	}
	es.ID = "vpn-config-2"
	if r := push(t, s, agentAna, 3, shared.OpArticleSave, shared.ArticleSave{Article: es}); r.Key != "kbedit.translation_taken" {
		t.Errorf("second es translation = %+v; want kbedit.translation_taken", r)
	}
	es.TranslationOf = "no-such"
	if r := push(t, s, agentAna, 4, shared.OpArticleSave, shared.ArticleSave{Article: es}); r.Key != "kbedit.translation_missing" {
		t.Errorf("translation of nothing = %+v; want kbedit.translation_missing", r)
	}
}
func TestRevisionsReachStaffOnly(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	push(t, s, agentAna, 1, shared.OpArticleSave, shared.ArticleSave{Article: newArticle("printer-offline", "x")})
	count := func(a outsync.Actor) (revs, drafts int) {
		page, err := s.PullAs(context.Background(), a, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			switch {
			case c.Deleted:
			case c.Type == shared.RevisionType:
				revs++
			case c.Type == wire.TypeArticle && c.ID == "printer-offline":
				drafts++
			}
		}
		return
	}
	if r, d := count(agentBo); r != 1 || d != 1 {
		t.Errorf("staff pull: %d revisions, %d drafts; want 1 and 1", r, d)
	}
	if r, d := count(requester); r != 0 || d != 0 {
		t.Errorf("requester pull: %d revisions, %d drafts; want none", r, d)
	}
}
