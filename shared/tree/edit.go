package tree

import (
	"encoding/json"

	"outpost/shared"
)

// Authoring: agents write trees on their devices, offline too, and send
// them as mutations. The tree travels as JSON that the server decodes with
// Decode, so a save is held to the same rules as an imported file.

// TypeRevision is the record type (ID: the tree ID) that numbers a tree's
// saves: Revision. Only staff pull it. It is a record of its own rather
// than a field of Tree, so a device running an older app, whose Decode
// refuses unknown fields, still reads every tree.
const TypeRevision = "treerev"

// MaxRevision bounds revision numbers on the wire, far above any real
// tree's history.
const MaxRevision = 1 << 30

// Revision is how many times a tree was saved, and the latest save. A tree
// stored without one (seeded before revisions existed) is at revision 1.
type Revision struct {
	Tree      string `json:"tree"`
	Revision  int    `json:"revision"`
	UpdatedAt int64  `json:"updated_at"` // Unix milliseconds, server time
	UpdatedBy string `json:"updated_by"`
}

// Save is the argument of "tree.save" (the tree is stored as a draft) and
// "tree.publish" (it is stored published, if Publishable).
type Save struct {
	// Tree is the tree's JSON, decoded on the server with Decode.
	Tree json.RawMessage `json:"tree"`
	// Base is the revision the edit started from, 0 for a new tree. A save
	// whose base is not the stored revision is refused with ECONFLICT:
	// someone else saved in between.
	Base int `json:"base"`
}

// Change is the argument of "tree.unpublish".
type Change struct {
	TreeID string `json:"tree_id"`
	// Base is the revision the change is meant for; 0 skips the check.
	Base int `json:"base,omitempty"`
}

// Validate returns an EINVALID *shared.Error naming the first thing wrong
// with c.
func (c *Change) Validate() error {
	switch {
	case !shared.ValidSlug(c.TreeID):
		return invalid("tree.bad_id", c.TreeID)
	case c.Base < 0 || c.Base >= MaxRevision:
		return invalid("treeedit.bad_revision", c.Base)
	}
	return nil
}

// Decode decodes the tree of s, and checks its base.
func (s *Save) Decode() (*Tree, error) {
	if s.Base < 0 || s.Base >= MaxRevision {
		return nil, invalid("treeedit.bad_revision", s.Base)
	}
	return Decode(s.Tree)
}

// DraftProblems returns the problems Validate finds that even a draft may
// not have: those that would make it impossible to list, link or store
// (its ID, language, translation_of, category, size). A draft may be
// unfinished in every other way.
func DraftProblems(problems []error) []error {
	var out []error
	for _, p := range problems {
		switch key, _ := shared.ErrorKey(p); key {
		case "tree.bad_id", "tree.bad_lang", "tree.bad_translation_of", "category.unknown", "tree.too_many_nodes", "tree.bad_status":
			out = append(out, p)
		}
	}
	return out
}
