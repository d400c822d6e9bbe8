package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// editedTree is a small tree as the editor sends it: a question, a step,
// a solution (the store's vpn-setup article) and a ticket.
func editedTree(id string) tree.Tree {
	return tree.Tree{
		ID: id, Lang: "en", Title: "VPN will not connect", Category: "network", Status: tree.StatusDraft, Start: "ask",
		Nodes: []tree.Node{
			{ID: "ask", Kind: tree.KindQuestion, Text: "Does the VPN app open?", Answers: []tree.Choice{
				{ID: "yes", Text: "Yes", Next: "restart"}, {ID: "no", Text: "No", Next: "guide"},
			}},
			{ID: "restart", Kind: tree.KindStep, Text: "Restart the laptop.", Next: "ticket"},
			{ID: "guide", Kind: tree.KindSolution, Text: "Set it up again.", Article: "vpn-setup", Next: "ticket"},
			{ID: "ticket", Kind: tree.KindEscalate, Text: "Add the error message.", Priority: "P3"},
		},
	}
}

func treeSave(t *testing.T, tr tree.Tree, base int) tree.Save {
	t.Helper()
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return tree.Save{Tree: b, Base: base}
}

// storedTree reads a tree and its revision record from the store.
func storedTree(t *testing.T, db store.Store, id string) (*tree.Tree, tree.Revision) {
	t.Helper()
	var tr *tree.Tree
	var rev tree.Revision
	err := db.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeTree, id)
		if err != nil {
			return err
		}
		if tr, err = tree.Decode(data); err != nil {
			return err
		}
		data, err = tx.Get(tree.TypeRevision, id)
		if shared.ErrorCode(err) == shared.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		return json.Unmarshal(data, &rev)
	})
	if err != nil {
		t.Fatalf("read tree %s: %v", id, err)
	}
	return tr, rev
}

func wantRejected(t *testing.T, what string, r wire.Result, code, key string) {
	t.Helper()
	if r.OK || r.Code != code || r.Key != key {
		t.Errorf("%s = %+v; want rejected %s %s", what, r, code, key)
	}
}

func TestTreeSaveIsStaffOnly(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	r := push(t, s, requester, 1, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 0))
	wantRejected(t, "requester's tree.save", r, shared.EFORBIDDEN, "treeedit.staff_only")
	r = push(t, s, requester, 2, shared.OpTreeUnpublish, tree.Change{TreeID: "vpn"})
	wantRejected(t, "requester's tree.unpublish", r, shared.EFORBIDDEN, "treeedit.staff_only")

	// Signed out, the save waits in the outbox for a sign-in.
	res, err := s.PushAs(context.Background(), outsync.Actor{ClientID: client},
		[]wire.Mutation{mutation(t, 1, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 0))})
	if !errors.Is(err, outsync.ErrSignIn) || len(res) != 0 {
		t.Errorf("signed-out tree.save = %+v, %v; want no answer and ErrSignIn", res, err)
	}
	if _, found := get[json.RawMessage](t, db, wire.TypeTree, "vpn"); found {
		t.Error("a refused save stored the tree")
	}
}

// TestTreeSaveAndPublish is the editor's life of a tree: an unfinished
// draft is stored, each save is a revision naming the one it was edited
// from, an invalid tree is not published, a valid one is, and unpublished
// again.
func TestTreeSaveAndPublish(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	unfinished := editedTree("vpn")
	unfinished.Nodes[1].Next = "" // the step has nowhere to go yet
	unfinished.Status = tree.StatusPublished
	if r := push(t, s, agentAna, 1, shared.OpTreeSave, treeSave(t, unfinished, 0)); !r.OK {
		t.Fatalf("tree.save of an unfinished draft = %+v; want OK", r)
	}
	tr, rev := storedTree(t, db, "vpn")
	if tr.Status != tree.StatusDraft || rev.Revision != 1 || rev.UpdatedBy != "Ana Agent" || rev.UpdatedAt != 1_800_000_000_000 {
		t.Fatalf("after the first save: status %q, revision %+v; want a draft at revision 1 by Ana Agent", tr.Status, rev)
	}

	r := push(t, s, agentBo, 1, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 0))
	wantRejected(t, "a second new tree with the same ID", r, shared.ECONFLICT, "treeedit.exists")

	// Publishing the unfinished tree is refused with its first problem.
	r = push(t, s, agentAna, 2, shared.OpTreePublish, treeSave(t, unfinished, 1))
	wantRejected(t, "tree.publish of an invalid tree", r, shared.EINVALID, "tree.next_required")
	if got, want := i18n.T("en", r.Key, anys(r.Args)...), `Node "restart" needs a next node for when it did not help.`; got != want {
		t.Errorf("refusal in words = %q; want %q", got, want)
	}
	noArticle := editedTree("vpn")
	noArticle.Nodes[2].Article = "no-such-article"
	r = push(t, s, agentAna, 3, shared.OpTreePublish, treeSave(t, noArticle, 1))
	wantRejected(t, "tree.publish linking a missing article", r, shared.EINVALID, "tree.article_missing")
	if tr, rev := storedTree(t, db, "vpn"); tr.Status != tree.StatusDraft || rev.Revision != 1 {
		t.Fatalf("refused publishes changed the tree: %q at %d", tr.Status, rev.Revision)
	}

	if r := push(t, s, agentAna, 4, shared.OpTreePublish, treeSave(t, editedTree("vpn"), 1)); !r.OK {
		t.Fatalf("tree.publish of a valid tree = %+v; want OK", r)
	}
	if tr, rev := storedTree(t, db, "vpn"); tr.Status != tree.StatusPublished || rev.Revision != 2 || tr.Nodes[1].Next != "ticket" {
		t.Fatalf("after publishing: %q at %d; want published at revision 2", tr.Status, rev.Revision)
	}

	// Bo edited revision 1: someone saved since.
	r = push(t, s, agentBo, 2, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 1))
	wantRejected(t, "a save against an old revision", r, shared.ECONFLICT, "treeedit.stale")
	if r.Args[0] != "2" || r.Args[1] != "Ana Agent" {
		t.Errorf("stale args = %v; want revision 2 by Ana Agent", r.Args)
	}

	if r := push(t, s, agentBo, 3, shared.OpTreeUnpublish, tree.Change{TreeID: "vpn", Base: 2}); !r.OK {
		t.Fatalf("tree.unpublish = %+v; want OK", r)
	}
	if tr, rev := storedTree(t, db, "vpn"); tr.Status != tree.StatusDraft || rev.Revision != 3 || rev.UpdatedBy != "bo@example.com" {
		t.Fatalf("after unpublishing: %q at %+v; want a draft at revision 3 by bo", tr.Status, rev)
	}
	r = push(t, s, agentBo, 4, shared.OpTreeUnpublish, tree.Change{TreeID: "nothing"})
	wantRejected(t, "unpublishing a missing tree", r, shared.ENOTFOUND, "treeedit.no_tree")

	// Saving as a draft takes a published tree off users' devices too.
	push(t, s, agentAna, 5, shared.OpTreePublish, treeSave(t, editedTree("vpn"), 3))
	push(t, s, agentAna, 6, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 4))
	if tr, rev := storedTree(t, db, "vpn"); tr.Status != tree.StatusDraft || rev.Revision != 5 {
		t.Fatalf("after a draft save of a published tree: %q at %d; want a draft at 5", tr.Status, rev.Revision)
	}
}

// TestTreeSaveKeepsTranslations checks translation_of as for articles: it
// is stored, must name a tree, and an original has one translation per
// language.
func TestTreeSaveKeepsTranslations(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	push(t, s, agentAna, 1, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 0))
	es := editedTree("vpn-es")
	es.Lang, es.TranslationOf, es.Title = "es", "vpn", "La VPN no conecta"
	es.Nodes[2].Kind, es.Nodes[2].Article = tree.KindStep, "" // no Spanish article here
	if r := push(t, s, agentAna, 2, shared.OpTreePublish, treeSave(t, es, 0)); !r.OK {
		t.Fatalf("publishing a translation = %+v; want OK", r)
	}
	if tr, _ := storedTree(t, db, "vpn-es"); tr.TranslationOf != "vpn" || tr.Lang != "es" {
		t.Errorf("stored translation: translation_of %q, lang %q", tr.TranslationOf, tr.Lang)
	}
	// An edit keeps it.
	es.Title = "La VPN no se conecta"
	push(t, s, agentAna, 3, shared.OpTreeSave, treeSave(t, es, 1))
	if tr, rev := storedTree(t, db, "vpn-es"); tr.TranslationOf != "vpn" || rev.Revision != 2 {
		t.Errorf("after an edit: translation_of %q at revision %d", tr.TranslationOf, rev.Revision)
	}

	other := es
	other.ID = "vpn-es-2"
	r := push(t, s, agentAna, 4, shared.OpTreeSave, treeSave(t, other, 0))
	wantRejected(t, "a second Spanish translation", r, shared.EINVALID, "treeedit.translation_taken")
	other.TranslationOf = "nope"
	r = push(t, s, agentAna, 5, shared.OpTreeSave, treeSave(t, other, 0))
	wantRejected(t, "a translation of a missing tree", r, shared.EINVALID, "treeedit.translation_missing")
	other.TranslationOf, other.ID = "", "Bad ID"
	r = push(t, s, agentAna, 6, shared.OpTreeSave, treeSave(t, other, 0))
	wantRejected(t, "a draft with a bad ID", r, shared.EINVALID, "tree.bad_id")
}

// TestTreeSaveOfASeededTree: a tree stored without a revision record (the
// demo trees) is at revision 1.
func TestTreeSaveOfASeededTree(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	putTree(t, db) // "printer", no revision record
	tr, _ := storedTree(t, db, "printer")
	tr.Title, tr.Category = "Printer trouble", "devices"
	if r := push(t, s, agentAna, 1, shared.OpTreePublish, treeSave(t, *tr, 1)); !r.OK {
		t.Fatalf("publishing an edit of a seeded tree = %+v; want OK", r)
	}
	if tr, rev := storedTree(t, db, "printer"); tr.Title != "Printer trouble" || rev.Revision != 2 {
		t.Errorf("seeded tree after an edit: %q at %d; want revision 2", tr.Title, rev.Revision)
	}
}

// TestTreeRevisionsAreStaffOnly: requesters never pull revision records,
// nor draft trees.
func TestTreeRevisionsAreStaffOnly(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	push(t, s, agentAna, 1, shared.OpTreeSave, treeSave(t, editedTree("vpn"), 0))
	count := func(a outsync.Actor) (trees, revs int) {
		page, err := s.PullAs(context.Background(), a, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			switch {
			case c.Deleted:
			case c.Type == wire.TypeTree:
				trees++
			case c.Type == tree.TypeRevision:
				revs++
			}
		}
		return trees, revs
	}
	if trees, revs := count(agentBo); trees != 1 || revs != 1 {
		t.Errorf("staff pull: %d trees, %d revisions; want 1, 1", trees, revs)
	}
	if trees, revs := count(requester); trees != 0 || revs != 0 {
		t.Errorf("requester pull: %d trees, %d revisions; want 0, 0", trees, revs)
	}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
