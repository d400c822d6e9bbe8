package shared

import "unicode/utf8"

// ArticleSave is the argument of the "article.save" mutation: an agent's new
// version of an article, written on a device, perhaps offline.
//
// The server takes the article's content (ID, language, title, summary,
// category, tags, visibility, translation_of, body) and sets the rest: the
// HTML (rendered and sanitized there), the revision, the time and the
// author. A new article starts as a draft; saving an existing one keeps its
// status.
type ArticleSave struct {
	Article Article `json:"article"`
	// Base is the revision the edit started from, 0 for a new article. A
	// save whose base is not the stored revision is refused with ECONFLICT:
	// someone else saved in between, and their words must not be lost.
	Base int `json:"base"`
}

// MaxRevision bounds revision numbers on the wire, far above any real
// article's history.
const MaxRevision = 1 << 30

// Validate returns an EINVALID *Error naming the first thing wrong with the
// content of s, against cats, the category tree in use; the fields the
// server sets are not checked.
func (s *ArticleSave) Validate(cats CategoryTree) error {
	if s.Base < 0 || s.Base >= MaxRevision {
		return Errorf(EINVALID, "article.bad_revision", s.Base)
	}
	a := s.Article
	a.Status, a.Revision, a.UpdatedAt = ArticleDraft, s.Base+1, 0
	if a.UpdatedBy == "" || utf8.RuneCountInString(a.UpdatedBy) > MaxAuthor {
		a.UpdatedBy = "-"
	}
	return a.Validate(cats)
}

// ArticleChange is the argument of "article.publish", "article.archive" and
// "article.restore".
type ArticleChange struct {
	ArticleID string `json:"article_id"`
	// Base is the revision the change is meant for: the one the agent
	// looked at (or will have saved, for a save still queued). If another
	// revision is stored the change is refused with ECONFLICT. 0 skips
	// the check.
	Base int `json:"base,omitempty"`
	// Restore is, for "article.restore", the revision whose content
	// becomes the next revision.
	Restore int `json:"restore,omitempty"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with c.
// restore says whether c is an "article.restore".
func (c *ArticleChange) Validate(restore bool) error {
	switch {
	case !ValidSlug(c.ArticleID):
		return Errorf(EINVALID, "article.bad_id", c.ArticleID)
	case c.Base < 0 || c.Base >= MaxRevision:
		return Errorf(EINVALID, "article.bad_revision", c.Base)
	case restore && (c.Restore < 1 || c.Restore >= MaxRevision):
		return Errorf(EINVALID, "article.bad_revision", c.Restore)
	case !restore && c.Restore != 0:
		return Errorf(EINVALID, "kbedit.restore_unexpected")
	}
	return nil
}

// EditAuthor is how an article's UpdatedBy names the user who saved it:
// their name, or their email, cut to MaxAuthor characters.
func EditAuthor(who Identity) string {
	s := who.Name
	if s == "" {
		s = who.Email
	}
	if s == "" {
		s = who.UserID
	}
	if utf8.RuneCountInString(s) > MaxAuthor {
		s = string([]rune(s)[:MaxAuthor])
	}
	return s
}
