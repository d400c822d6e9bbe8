package sync

import (
	"encoding/json"
	"time"

	"outpost/server/seed"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// Troubleshooting-tree authoring: agents write trees in the outline editor
// on their devices, offline too, and these mutations store them. Every
// write goes through seed.PutTree, so a tree and its revision record change
// together, exactly as `outpost tree import` writes them.

// mayEditTrees returns nil if a may write trees: staff only. A signed-out
// push waits for a sign-in (the save stays in the outbox); a requester is
// refused.
func mayEditTrees(a Actor) error {
	switch {
	case a.User == nil:
		return ErrSignIn
	case !a.staff():
		return shared.Errorf(shared.EFORBIDDEN, "treeedit.staff_only")
	}
	return nil
}

// treeSave returns the handler that stores the tree of a tree.Save with
// status: a draft may be unfinished (tree.DraftProblems only), a published
// tree must be tree.Publishable against the stored articles, and is
// refused with its first problem otherwise. Each save is a new revision;
// a save made against another revision than the stored one is refused.
func treeSave(status string) handler {
	return func(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
		var s tree.Save
		if err := json.Unmarshal(args, &s); err != nil {
			return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
		}
		if err := mayEditTrees(a); err != nil {
			return err
		}
		t, err := s.Decode()
		if err != nil {
			return err
		}
		t.Status = status
		cur, err := seed.TreeRevision(tx, t.ID)
		switch {
		case err != nil:
			return err
		case s.Base == 0 && cur.Revision > 0:
			return shared.Errorf(shared.ECONFLICT, "treeedit.exists", t.ID)
		case s.Base != 0 && cur.Revision == 0:
			return shared.Errorf(shared.ENOTFOUND, "treeedit.no_tree", t.ID)
		case s.Base != 0 && cur.Revision != s.Base:
			return staleTree(cur)
		}
		problems, err := seed.CheckTree(tx, t, cats)
		if err != nil {
			return err
		}
		if status == tree.StatusDraft {
			problems = tree.DraftProblems(problems)
		}
		if len(problems) > 0 {
			return problems[0]
		}
		if err := checkTreeTranslation(tx, t); err != nil {
			return err
		}
		_, err = seed.PutTree(tx, t, shared.EditAuthor(*a.User), now.UnixMilli())
		return err
	}
}

// treeUnpublish makes a published tree a draft again: devices of users
// drop it at their next pull. Its content is kept, as a new revision.
func treeUnpublish(tx store.Tx, a Actor, args json.RawMessage, now time.Time, _ shared.CategoryTree) error {
	var c tree.Change
	if err := json.Unmarshal(args, &c); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := mayEditTrees(a); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	cur, err := seed.TreeRevision(tx, c.TreeID)
	switch {
	case err != nil:
		return err
	case cur.Revision == 0:
		return shared.Errorf(shared.ENOTFOUND, "treeedit.no_tree", c.TreeID)
	case c.Base != 0 && cur.Revision != c.Base:
		return staleTree(cur)
	}
	data, err := tx.Get(wire.TypeTree, c.TreeID)
	if err != nil {
		return err
	}
	t, err := tree.Decode(data)
	if err != nil {
		return err
	}
	if t.Status == tree.StatusDraft {
		return nil // already hidden: nothing to record
	}
	t.Status = tree.StatusDraft
	_, err = seed.PutTree(tx, t, shared.EditAuthor(*a.User), now.UnixMilli())
	return err
}

// staleTree is the refusal of a change made against an older revision
// than the stored one: someone else saved in between.
func staleTree(cur tree.Revision) error {
	return shared.Errorf(shared.ECONFLICT, "treeedit.stale", cur.Revision, cur.UpdatedBy)
}

// checkTreeTranslation applies the rules across trees to t, as articles
// have them (checkTranslationOf).
func checkTreeTranslation(tx store.ReadTx, t *tree.Tree) error {
	return checkTranslationOf(tx, wire.TypeTree, t.ID, t.TranslationOf, t.Lang, "treeedit")
}
