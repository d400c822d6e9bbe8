package app

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// The troubleshooting-tree editor, for staff: an outline of the nodes with
// every problem tree.Validate finds shown beside the node it names, and a
// preview that runs the tree being edited (tree_edit_outline.go draws the
// outline, tree_edit_preview.go the preview). It works offline: the edit
// is kept in local storage on every change, "Save draft" queues tree.save
// and "Publish" tree.publish, each naming the revision it was edited from.

// treeDraft is the edit as the device keeps it, under treeEditKey.
type treeDraft struct {
	Tree tree.Tree `json:"tree"`
	// Base is the revision the edit started from (0: a new tree).
	Base int `json:"base"`
	// Dirty: the edit has changes not queued yet.
	Dirty bool `json:"dirty"`
	// Sent is the revision the last queued change will make, until the
	// device sees it arrive (or not: then the server refused it).
	Sent int `json:"sent,omitempty"`
	// Created: the change in flight creates the tree.
	Created bool `json:"created,omitempty"`
}

func treeEditKey(id string) string { return "treeedit/" + id }

// treeState is a tree as this device sees it: the replica's copy with the
// tree changes still in the outbox counted on top.
type treeState struct {
	tree    *tree.Tree
	pending int // tree.* mutations for it in the outbox
	// revision is the revision the tree will have once the queue is
	// through: what the next change must name as its base (0: no tree).
	revision int
	by       string // who saved the stored revision
}

// allTrees returns every tree of the replica, drafts too (staff pull
// them), in the order the store lists them.
func (c *Client) allTrees() ([]*tree.Tree, error) {
	recs, err := c.Store.List(wire.TypeTree)
	if err != nil {
		return nil, err
	}
	var out []*tree.Tree
	for _, r := range recs {
		if t, err := tree.Decode(r.Data); err == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// treeState reads tree id, its revision and the changes to it waiting to
// be sent.
func (c *Client) treeState(id string) (treeState, error) {
	var st treeState
	rec, found, err := c.Store.Get(wire.TypeTree, id)
	if err != nil {
		return st, err
	}
	if found {
		if t, err := tree.Decode(rec.Data); err == nil {
			st.tree, st.revision = t, 1
		}
	}
	if rec, ok, err := c.Store.Get(tree.TypeRevision, id); err == nil && ok && st.tree != nil {
		var r tree.Revision
		if json.Unmarshal(rec.Data, &r) == nil {
			st.revision, st.by = max(r.Revision, 1), r.UpdatedBy
		}
	}
	out, err := c.Store.Outbox()
	if err != nil {
		return st, err
	}
	for _, m := range out {
		switch m.Name {
		case shared.OpTreeSave, shared.OpTreePublish:
			var s tree.Save
			if json.Unmarshal(m.Args, &s) != nil {
				continue
			}
			t, err := s.Decode()
			if err != nil || t.ID != id {
				continue
			}
			t.Status = tree.StatusDraft
			if m.Name == shared.OpTreePublish {
				t.Status = tree.StatusPublished
			}
			st.tree = t
		case shared.OpTreeUnpublish:
			var ch tree.Change
			if json.Unmarshal(m.Args, &ch) != nil || ch.TreeID != id || st.tree == nil {
				continue
			}
			if st.tree.Status == tree.StatusDraft {
				continue // the server records nothing for it
			}
			st.tree.Status = tree.StatusDraft
		default:
			continue
		}
		st.pending++
		st.revision++
	}
	return st, nil
}

// treeEdit is the editor page.
type treeEdit struct {
	page
	id    string // the tree's ID; "" while a new tree has no save queued
	key   string // local-storage key of the draft
	d     treeDraft
	ready bool // d holds the edit (from the draft, the tree or a blank)
	cur   treeState
	// articles are the replica's articles, for the solutions' pickers and
	// for Validate (an article counts in the tree's language only, as on
	// the server).
	articles []shared.Article
	// problems is Validate's verdict on d.Tree, redone on every edit.
	problems []error
	// preview is the preview run's answers; previewOffline runs it as if
	// the device were offline.
	preview        []tree.Answer
	previewOffline bool
	notice, errMsg string
}

func (e *treeEdit) OnPreRender(ctx app.Context) {
	e.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(e.lang, "treeedit.title_edit") + " · " + t(e.lang, "app.name"))
}

func (e *treeEdit) OnMount(ctx app.Context) {
	path := ctx.Page().URL().Path
	if path == "/troubleshoot/new" {
		e.id, e.key = "", treeEditKey("new")
	} else {
		e.id = strings.TrimPrefix(path, "/troubleshoot/edit/")
		e.key = treeEditKey(e.id)
	}
	e.mountPage(ctx, e.load)
}

func (e *treeEdit) load(ctx app.Context) {
	if e.client.prerendering() {
		return
	}
	title := "treeedit.title_new"
	if e.id != "" {
		title = "treeedit.title_edit"
	}
	ctx.Page().SetTitle(t(e.lang, title) + " · " + t(e.lang, "app.name"))
	id := e.id
	ctx.Async(func() {
		var st treeState
		var err error
		if id != "" {
			st, err = e.client.treeState(id)
		}
		var arts []shared.Article
		if err == nil {
			arts, err = e.client.allArticles()
		}
		ctx.Dispatch(func(ctx app.Context) {
			if id != e.id {
				return
			}
			e.cur, e.articles = st, arts
			if err != nil {
				e.errMsg = storageErrText(e.lang, err)
				return
			}
			if !e.ready {
				e.start(ctx)
			}
			e.reconcile(ctx)
			e.check()
		})
	})
}

// allArticles returns the replica's articles in every language, sorted.
func (c *Client) allArticles() ([]shared.Article, error) {
	recs, err := c.Store.List(wire.TypeArticle)
	if err != nil {
		return nil, err
	}
	var out []shared.Article
	for _, r := range recs {
		var a shared.Article
		if json.Unmarshal(r.Data, &a) == nil {
			out = append(out, a)
		}
	}
	SortArticles(out, c.categories())
	return out, nil
}

// newTree is the start of a new tree in the first category of cats: a
// question with two answers, to be filled in.
func newTree(lang string, cats shared.CategoryTree) tree.Tree {
	return tree.Tree{
		Lang: lang, Category: cats[0].Slug, Status: tree.StatusDraft, Start: "start",
		Nodes: []tree.Node{{ID: "start", Kind: tree.KindQuestion, Answers: []tree.Choice{{ID: "yes"}, {ID: "no"}}}},
	}
}

// start fills the editor, once: the draft this device kept if there is
// one, else the tree, else a new tree.
func (e *treeEdit) start(ctx app.Context) {
	var kept treeDraft
	switch {
	case ctx.LocalStorage().Get(e.key, &kept) == nil && (kept.Tree.ID != "" || len(kept.Tree.Nodes) > 0):
		e.d = kept
		if kept.Dirty {
			e.notice = t(e.lang, "treeedit.restored")
		}
	case e.id != "" && e.cur.tree != nil:
		e.d = treeDraft{Tree: *e.cur.tree, Base: e.cur.revision}
	case e.id != "":
		e.errMsg = t(e.lang, "treeedit.not_found", e.id)
		if !e.status.Synced {
			return // the first sync may still bring it
		}
	default:
		e.d = treeDraft{Tree: newTree(e.lang, e.client.categories())}
	}
	e.ready, e.errMsg = true, ""
}

// reconcile follows what became of the last queued change once it left
// the outbox, and takes in others' changes while the edit is clean.
func (e *treeEdit) reconcile(ctx app.Context) {
	if !e.ready || e.id == "" || e.cur.pending > 0 {
		return
	}
	if e.d.Sent > 0 {
		rej, refused := takeRefusal(ctx.LocalStorage(), "tree/"+e.id)
		switch {
		case refused && e.d.Created:
			// Refused as a new tree (most likely its ID is taken): back to
			// a new tree, keeping the edit.
			e.errMsg = t(e.lang, "treeedit.not_created", e.id, rej.text(e.lang))
			e.d.Sent, e.d.Dirty, e.d.Base, e.d.Created = 0, true, 0, false
			e.id, e.key = "", treeEditKey("new")
			u := *ctx.Page().URL()
			u.Path = "/troubleshoot/new"
			ctx.Page().ReplaceURL(&u)
		case refused:
			// Someone else saved first, or the server found a problem (an
			// article it lacks): keep the edit; the next save replaces
			// what is there now.
			e.d.Sent, e.d.Dirty, e.d.Base = 0, true, e.cur.revision
			e.notice, e.errMsg = "", t(e.lang, "treeedit.not_saved", rej.text(e.lang))
		case e.cur.revision >= e.d.Sent:
			e.d.Sent, e.d.Created = 0, false
			e.d.Base = e.cur.revision
			e.notice = t(e.lang, "treeedit.sent", e.cur.revision)
		default:
			return // acknowledged; the pull has not brought it yet
		}
		e.keep(ctx)
		return
	}
	if !e.d.Dirty && e.cur.tree != nil && e.cur.revision != e.d.Base {
		e.d = treeDraft{Tree: *e.cur.tree, Base: e.cur.revision}
	}
}

// keep saves the edit to local storage, or drops it once the server has
// everything.
func (e *treeEdit) keep(ctx app.Context) {
	if !e.d.Dirty && e.d.Sent == 0 {
		ctx.LocalStorage().Del(e.key)
		return
	}
	if err := ctx.LocalStorage().Set(e.key, e.d); err != nil {
		e.errMsg = storageErrText(e.lang, err)
	}
}

// articleExists is Validate's view of the articles: stored on this
// device, in the tree's language (the server checks its own store again).
func (e *treeEdit) articleExists(id string) bool {
	for _, a := range e.articles {
		if a.ID == id && a.Lang == e.d.Tree.Lang {
			return true
		}
	}
	return false
}

// check validates the edit and keeps the preview run to the answers that
// still fit it.
func (e *treeEdit) check() {
	if !e.ready {
		return
	}
	e.problems = tree.Validate(&e.d.Tree, e.client.categories(), e.articleExists)
	if len(e.preview) > 0 {
		if _, kept, err := replay(&e.d.Tree, e.previewFacts(), e.preview); err != nil {
			e.preview = e.preview[:kept]
		}
	}
}

// edit applies a change to the tree, keeps it and validates it again.
func (e *treeEdit) edit(ctx app.Context, fn func(tr *tree.Tree)) {
	fn(&e.d.Tree)
	e.d.Dirty = true
	e.notice = ""
	e.keep(ctx)
	e.check()
}

// queue sends the edit: tree.save as a draft, or tree.publish. Both are
// refused here first if the server would refuse them.
func (e *treeEdit) queue(ctx app.Context, name string) {
	if e.client.prerendering() || !e.ready {
		return
	}
	tr := e.d.Tree
	tr.Status = tree.StatusDraft
	problems := tree.DraftProblems(e.problems)
	if name == shared.OpTreePublish {
		tr.Status, problems = tree.StatusPublished, e.problems
	}
	if len(problems) > 0 {
		e.errMsg = t(e.lang, "treeedit.refused", len(problems), errorText(e.lang, problems[0]))
		return
	}
	base := e.cur.revision
	if e.id == "" {
		base = 0
	}
	takeRefusal(ctx.LocalStorage(), "tree/"+tr.ID) // an older refusal is no news now
	data, err := json.Marshal(tr)
	if err == nil {
		err = e.client.Engine.Mutate(name, tree.Save{Tree: data, Base: base}, "")
	}
	if err != nil {
		e.errMsg = storageErrText(e.lang, err)
		return
	}
	e.d.Tree.Status = tr.Status
	e.d.Dirty, e.d.Sent, e.d.Created = false, base+1, base == 0
	e.errMsg, e.notice = "", t(e.lang, "treeedit.queued_"+tr.Status)
	if e.id == "" {
		ctx.LocalStorage().Del(e.key)
		e.id, e.key = tr.ID, treeEditKey(tr.ID)
		u := *ctx.Page().URL()
		u.Path = "/troubleshoot/edit/" + tr.ID
		ctx.Page().ReplaceURL(&u)
	}
	e.d.Base = base + 1
	e.cur.revision, e.cur.pending = base+1, e.cur.pending+1
	e.keep(ctx)
	e.client.Engine.Nudge()
}

// unpublish queues tree.unpublish: users' devices drop the tree.
func (e *treeEdit) unpublish(ctx app.Context, _ app.Event) {
	client := e.client
	if client.prerendering() || e.id == "" || e.cur.tree == nil || e.cur.tree.Status != tree.StatusPublished {
		return
	}
	takeRefusal(ctx.LocalStorage(), "tree/"+e.id)
	if err := client.Engine.Mutate(shared.OpTreeUnpublish, tree.Change{TreeID: e.id, Base: e.cur.revision}, ""); err != nil {
		e.errMsg = storageErrText(e.lang, err)
		return
	}
	e.notice = t(e.lang, "treeedit.queued_unpublish")
	if !e.d.Dirty {
		e.d.Base = e.cur.revision + 1
	}
	e.d.Tree.Status = tree.StatusDraft
	e.cur.revision, e.cur.pending = e.cur.revision+1, e.cur.pending+1
	e.cur.tree.Status = tree.StatusDraft
	client.Engine.Nudge()
}

// discard drops the edit in progress and goes back to the stored tree.
func (e *treeEdit) discard(ctx app.Context, _ app.Event) {
	ctx.LocalStorage().Del(e.key)
	e.notice, e.errMsg, e.preview = "", "", nil
	if e.cur.tree != nil {
		e.d = treeDraft{Tree: *e.cur.tree, Base: e.cur.revision}
	} else {
		e.d = treeDraft{Tree: newTree(e.lang, e.client.categories())}
	}
	e.check()
}
