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
// others, while the good ones are stored.
//
// Call it after IfEmpty, which seeds the articles the trees link to.
func Trees(ctx context.Context, s store.Store) (int, error) {
	names, err := fs.Glob(treeFiles, "trees/*.json")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	stored := 0
	var errs []error
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, name := range names {
			ok, problem, err := seedTree(tx, name)
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
func seedTree(tx store.Tx, name string) (stored bool, problem, err error) {
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
	problems := tree.Validate(t, articleExists)
	if storeErr != nil {
		return false, nil, fmt.Errorf("%s: read articles: %w", name, storeErr)
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

// describe says in English what is wrong with the tree in file name.
func describe(name string, problems []error) error {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		key, args := shared.ErrorKey(p)
		msgs[i] = i18n.T("en", key, args...)
	}
	return fmt.Errorf("%s: %s", name, strings.Join(msgs, " "))
}
