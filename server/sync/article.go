package sync

import (
	"encoding/json"
	"strings"
	"time"

	"outpost/server/kb"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Knowledge-base authoring: agents write articles on their devices, offline
// too, and these mutations turn that into revisions. Every write goes
// through kb.Put, so an article and its revision record change together,
// exactly as an import writes them.

// mayEdit returns nil if a may write articles: staff only. A signed-out
// push waits for a sign-in (the save stays in the outbox); a requester is
// refused.
func mayEdit(a Actor) error {
	switch {
	case a.User == nil:
		return ErrSignIn
	case !a.staff():
		return shared.Errorf(shared.EFORBIDDEN, "kbedit.staff_only")
	}
	return nil
}

// current reads the article a change is for and checks that the change was
// made against its current revision (base 0: no check).
func current(tx store.ReadTx, id string, base int) (shared.Article, error) {
	cur, found, err := kb.Get(tx, id)
	switch {
	case err != nil:
		return cur, err
	case !found:
		return cur, shared.Errorf(shared.ENOTFOUND, "kbedit.no_article", id)
	case base != 0 && cur.Revision != base:
		return cur, stale(cur)
	}
	return cur, nil
}

// stale is the refusal of a change made against an older revision than the
// stored one: someone else saved in between.
func stale(cur shared.Article) error {
	return shared.Errorf(shared.ECONFLICT, "kbedit.stale", cur.Revision, cur.UpdatedBy)
}

// stamp makes a the next revision after cur (0 for a new article), by a's
// actor at now, with its HTML rendered and sanitized from its body; then
// validates it against cats, the category tree in use.
func stamp(a *shared.Article, cur int, who Actor, now time.Time, cats shared.CategoryTree) error {
	html, err := kb.Render(a.Body)
	if err != nil {
		return shared.Errorf(shared.EINVALID, "kb.render", err.Error())
	}
	a.HTML, a.Revision = html, cur+1
	a.UpdatedAt, a.UpdatedBy = now.UnixMilli(), shared.EditAuthor(*who.User)
	return a.Validate(cats)
}

// write stores a unless it has the same content as cur (a save that
// changed nothing makes no revision).
func write(tx store.Tx, a, cur shared.Article, found bool) error {
	if found && kb.SameContent(cur, a) {
		return nil
	}
	return kb.Put(tx, a)
}

// articleSave writes a new article as a draft, or a new revision of an
// existing one keeping its status. The save names the revision it was
// edited from; if another is stored it is refused (ECONFLICT kbedit.stale)
// and the device keeps the text.
func articleSave(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
	var s shared.ArticleSave
	if err := json.Unmarshal(args, &s); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := mayEdit(a); err != nil {
		return err
	}
	in := s.Article
	in.Tags = nil
	for _, tag := range s.Article.Tags {
		if tag = strings.TrimSpace(tag); tag != "" {
			in.Tags = append(in.Tags, tag)
		}
	}
	s.Article = in
	if err := s.Validate(cats); err != nil {
		return err
	}
	cur, found, err := kb.Get(tx, in.ID)
	switch {
	case err != nil:
		return err
	case s.Base == 0 && found:
		return shared.Errorf(shared.ECONFLICT, "kbedit.exists", in.ID)
	case s.Base != 0 && !found:
		return shared.Errorf(shared.ENOTFOUND, "kbedit.no_article", in.ID)
	case found && cur.Revision != s.Base:
		return stale(cur)
	}
	art := shared.Article{
		ID: in.ID, TranslationOf: in.TranslationOf, Lang: in.Lang,
		Title: strings.TrimSpace(in.Title), Summary: strings.TrimSpace(in.Summary),
		Category: in.Category, Subcategory: in.Subcategory, Visibility: in.Visibility,
		Tags: in.Tags, Body: strings.TrimSpace(in.Body), Status: shared.ArticleDraft,
	}
	if found {
		art.Status = cur.Status
	}
	if err := stamp(&art, s.Base, a, now, cats); err != nil {
		return err
	}
	if err := checkTranslation(tx, art); err != nil {
		return err
	}
	return write(tx, art, cur, found)
}

// articleStatus returns the handler that moves an article to status to
// (published or archived), as a new revision.
func articleStatus(to string) handler {
	return func(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
		var c shared.ArticleChange
		if err := json.Unmarshal(args, &c); err != nil {
			return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
		}
		if err := mayEdit(a); err != nil {
			return err
		}
		if err := c.Validate(false); err != nil {
			return err
		}
		cur, err := current(tx, c.ArticleID, c.Base)
		if err != nil {
			return err
		}
		art := cur
		art.Status = to
		if err := stamp(&art, cur.Revision, a, now, cats); err != nil {
			return err
		}
		return write(tx, art, cur, true)
	}
}

// articleRestore makes an old revision's content the next revision. The
// article keeps its current status: restoring the text of a draft revision
// does not unpublish the article.
func articleRestore(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
	var c shared.ArticleChange
	if err := json.Unmarshal(args, &c); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := mayEdit(a); err != nil {
		return err
	}
	if err := c.Validate(true); err != nil {
		return err
	}
	cur, err := current(tx, c.ArticleID, c.Base)
	if err != nil {
		return err
	}
	old, err := kb.GetRevision(tx, c.ArticleID, c.Restore)
	if err != nil {
		return err
	}
	art := old.Article
	art.ID, art.Status = cur.ID, cur.Status
	if len(art.Tags) == 0 {
		art.Tags = nil
	}
	if err := stamp(&art, cur.Revision, a, now, cats); err != nil {
		return err
	}
	if err := checkTranslation(tx, art); err != nil {
		return err
	}
	return write(tx, art, cur, true)
}

// checkTranslation applies the import's rules across articles to a: its
// translation_of names a stored article (or itself), and no other article
// is already that original's translation in a's language.
func checkTranslation(tx store.ReadTx, a shared.Article) error {
	return checkTranslationOf(tx, wire.TypeArticle, a.ID, a.TranslationOf, a.Lang, "kbedit")
}

// checkTranslationOf applies the translation rules to record id of typ (an
// article or a tree) in lang: translationOf names a stored record of that
// type (or is id itself, or empty), and no other record is already that
// original's translation in lang. Errors use the catalog keys
// <prefix>.translation_missing and <prefix>.translation_taken.
func checkTranslationOf(tx store.ReadTx, typ, id, translationOf, lang, prefix string) error {
	group := translationOf
	if group == "" {
		group = id
	}
	if group != id {
		switch _, err := tx.Get(typ, group); shared.ErrorCode(err) {
		case "":
		case shared.ENOTFOUND:
			return shared.Errorf(shared.EINVALID, prefix+".translation_missing", group)
		default:
			return err
		}
	}
	return tx.Each(typ, func(other string, data []byte) error {
		if other == id {
			return nil
		}
		var o struct {
			TranslationOf string `json:"translation_of"`
			Lang          string `json:"lang"`
		}
		if json.Unmarshal(data, &o) != nil {
			return nil
		}
		og := o.TranslationOf
		if og == "" {
			og = other
		}
		if og == group && o.Lang == lang {
			return shared.Errorf(shared.EINVALID, prefix+".translation_taken", group, lang, other)
		}
		return nil
	})
}
