package seed

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

//go:embed trees/*.json
var treeFiles embed.FS

// Trees stores each embedded demo troubleshooting tree that the store does
// not have yet, as a "tree" record (ID: the tree ID), and reports how many
// it stored. A tree already there is left alone, so an edited tree is never
// overwritten. Each new tree must decode and be publishable (tree.Validate), with every
// solution's article in the store in the tree's language; a tree that is
// not is skipped and its error, naming the file, is returned with the
// others, while the good ones are stored. cats is the category tree in
// use.
//
// Call it after IfEmpty, which seeds the articles the trees link to.
func Trees(ctx context.Context, s store.Store, cats shared.CategoryTree) (int, error) {
	names, err := fs.Glob(treeFiles, "trees/*.json")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	stored := 0
	var errs []error
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, name := range names {
			ok, problem, err := seedTree(tx, name, cats)
			if err != nil {
				return err
			}
			if problem != nil {
				errs = append(errs, problem)
			}
			if ok {
				stored++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return stored, errors.Join(errs...)
}

// seedTree stores the tree in file name if the store lacks it, and reports
// whether it did. problem says, in English and naming the file, what is
// wrong with the tree; err is a failure of the store.
func seedTree(tx store.Tx, name string, cats shared.CategoryTree) (stored bool, problem, err error) {
	data, err := treeFiles.ReadFile(name)
	if err != nil {
		return false, nil, fmt.Errorf("%s: %w", name, err)
	}
	t, err := tree.Decode(data)
	if err != nil {
		return false, describe(name, []error{err}), nil
	}
	switch _, err := tx.Get(wire.TypeTree, t.ID); shared.ErrorCode(err) {
	case "":
		return false, nil, nil // there already: keep it as it is
	case shared.ENOTFOUND:
	default:
		return false, nil, fmt.Errorf("%s: read tree %s: %w", name, t.ID, err)
	}
	problems, err := CheckTree(tx, t, cats)
	if err != nil {
		return false, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(problems) > 0 {
		return false, describe(name, problems), nil
	}
	b, err := json.Marshal(t)
	if err != nil {
		return false, nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := tx.Put(wire.TypeTree, t.ID, b); err != nil {
		return false, nil, fmt.Errorf("%s: store tree %s: %w", name, t.ID, err)
	}
	return true, nil, nil
}

// CheckTree returns every problem tree.Validate finds with t, a solution's
// article counting only if it is stored in t's language, and categories
// against cats, the tree in use. err is a failure of the store. Seeding,
// the editor's mutations and `outpost tree import` all check trees with
// it.
func CheckTree(tx store.ReadTx, t *tree.Tree, cats shared.CategoryTree) (problems []error, err error) {
	var storeErr error
	articleExists := func(id string) bool {
		b, err := tx.Get(wire.TypeArticle, id)
		if err != nil {
			if shared.ErrorCode(err) != shared.ENOTFOUND {
				storeErr = err
			}
			return false
		}
		var a struct{ Lang string }
		return json.Unmarshal(b, &a) == nil && a.Lang == t.Lang
	}
	problems = tree.Validate(t, cats, articleExists)
	if storeErr != nil {
		return nil, fmt.Errorf("read articles: %w", storeErr)
	}
	return problems, nil
}

// TreeRevision returns the revision of tree id: 0 if there is no such
// tree, 1 for a tree stored without a revision record (seeded).
func TreeRevision(tx store.ReadTx, id string) (tree.Revision, error) {
	rev := tree.Revision{Tree: id}
	switch _, err := tx.Get(wire.TypeTree, id); shared.ErrorCode(err) {
	case "":
	case shared.ENOTFOUND:
		return rev, nil
	default:
		return rev, fmt.Errorf("read tree %s: %w", id, err)
	}
	b, err := tx.Get(tree.TypeRevision, id)
	switch shared.ErrorCode(err) {
	case "":
		if err := json.Unmarshal(b, &rev); err != nil {
			return rev, fmt.Errorf("read revision of tree %s: %w", id, err)
		}
	case shared.ENOTFOUND:
	default:
		return rev, fmt.Errorf("read revision of tree %s: %w", id, err)
	}
	rev.Revision = max(rev.Revision, 1)
	return rev, nil
}

// PutTree stores t as the next revision of its tree, by the author named
// by, at now (Unix milliseconds), and returns that revision. It does not
// check t: call CheckTree first.
func PutTree(tx store.Tx, t *tree.Tree, by string, now int64) (tree.Revision, error) {
	rev, err := TreeRevision(tx, t.ID)
	if err != nil {
		return rev, err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return rev, err
	}
	if _, err := tx.Put(wire.TypeTree, t.ID, b); err != nil {
		return rev, fmt.Errorf("store tree %s: %w", t.ID, err)
	}
	rev = tree.Revision{Tree: t.ID, Revision: rev.Revision + 1, UpdatedAt: now, UpdatedBy: by}
	if b, err = json.Marshal(rev); err != nil {
		return rev, err
	}
	if _, err := tx.Put(tree.TypeRevision, t.ID, b); err != nil {
		return rev, fmt.Errorf("store revision of tree %s: %w", t.ID, err)
	}
	return rev, nil
}

// describe says in English what is wrong with the tree in file name.
func describe(name string, problems []error) error {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		key, args := shared.ErrorKey(p)
		msgs[i] = i18n.T("en", key, args...)
	}
	return fmt.Errorf("%s: %s", name, strings.Join(msgs, " "))
}
