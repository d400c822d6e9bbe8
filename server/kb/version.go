package kb

import (
	"encoding/json"
	"fmt"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Get returns the stored article id in tx, read as an import reads it: a
// record from before statuses and revisions existed is published, revision
// 1, by "import".
func Get(tx store.ReadTx, id string) (shared.Article, bool, error) {
	return getArticle(tx, id)
}

// SameContent reports whether a and b differ only in revision, update time
// and author: saving one over the other changes nothing.
func SameContent(a, b shared.Article) bool { return sameContent(a, b) }

// Put writes a as the current version of its article in tx, and keeps it
// as the shared.Revision record of its revision number, as an import does.
// The caller has set a's Revision, UpdatedAt and UpdatedBy and validated it.
func Put(tx store.Tx, a shared.Article) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := tx.Put(wire.TypeArticle, a.ID, data); err != nil {
		return err
	}
	rev, err := json.Marshal(shared.NewRevision(a))
	if err != nil {
		return err
	}
	_, err = tx.Put(shared.RevisionType, shared.RevisionID(a.ID, a.Revision), rev)
	return err
}

// GetRevision returns revision n of article id. Returns ENOTFOUND if the
// store does not keep it (an article from before revisions, say).
func GetRevision(tx store.ReadTx, id string, n int) (shared.Revision, error) {
	data, err := tx.Get(shared.RevisionType, shared.RevisionID(id, n))
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return shared.Revision{}, shared.Errorf(shared.ENOTFOUND, "kbedit.no_revision", n, id)
	}
	if err != nil {
		return shared.Revision{}, err
	}
	var r shared.Revision
	if err := json.Unmarshal(data, &r); err != nil {
		return shared.Revision{}, fmt.Errorf("decode revision %d of %s: %w", n, id, err)
	}
	return r, nil
}
