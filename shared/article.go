package shared

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Languages the portal speaks.
var Languages = []string{"en", "es"}

// ValidLang reports whether lang is one of Languages.
func ValidLang(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Article visibility.
const (
	Public   = "public"
	Internal = "internal" // agents only
)

// Article statuses. Only published articles are for readers; a draft is
// being written and an archived article is kept for its history.
const (
	ArticleDraft     = "draft"
	ArticlePublished = "published"
	ArticleArchived  = "archived"
)

// ValidArticleStatus reports whether s is one of the article statuses.
func ValidArticleStatus(s string) bool {
	return s == ArticleDraft || s == ArticlePublished || s == ArticleArchived
}

// AuthorImport is Article.UpdatedBy for a version written by `outpost kb
// import` (and the demo seed, which goes through the same code).
const AuthorImport = "import"

// Article is a knowledge-base article in one language. Articles are made on
// the server (seeded or imported) and are read-only for users. Body is the
// Markdown source; HTML is the body rendered and sanitized by the server.
//
// Every change of content makes a new Revision (1, 2, …), and the server keeps
// each one as a Revision record. Records written before revisions existed
// have Status "" and Revision 0; read them as published, revision 1 (see
// IsPublished).
type Article struct {
	ID            string   `json:"id"`
	TranslationOf string   `json:"translation_of,omitempty"`
	Lang          string   `json:"lang"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary,omitempty"`
	Category      string   `json:"category"`
	Subcategory   string   `json:"subcategory,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Visibility    string   `json:"visibility"`
	Status        string   `json:"status,omitempty"`
	Body          string   `json:"body"`
	HTML          string   `json:"html"`
	Revision      int      `json:"revision,omitempty"`
	UpdatedAt     int64    `json:"updated_at"` // Unix milliseconds
	UpdatedBy     string   `json:"updated_by,omitempty"`
}

// IsPublished reports whether a is published: readers may see it if its
// visibility allows. A record from before statuses existed (Status "") is
// published.
func (a *Article) IsPublished() bool {
	return a.Status == ArticlePublished || a.Status == ""
}

// Field limits for articles.
const (
	MaxTitle   = 200
	MaxSummary = 300
	MaxBody    = 200_000
	MaxTags    = 20
	MaxTag     = 50
	MaxAuthor  = 100
	// MaxTime is the last millisecond of the year 9999: later times have
	// no RFC 3339 form (article files write times that way), and it is
	// below 2^53, so times survive JavaScript numbers.
	MaxTime = 253402300799999
)

// Validate returns an EINVALID *Error naming the first thing wrong with a,
// whose category and subcategory must be in cats, the tree in use.
func (a *Article) Validate(cats CategoryTree) error {
	switch {
	case !ValidSlug(a.ID):
		return Errorf(EINVALID, "article.bad_id", a.ID)
	case a.TranslationOf != "" && !ValidSlug(a.TranslationOf):
		return Errorf(EINVALID, "article.bad_translation_of", a.TranslationOf)
	case !ValidLang(a.Lang):
		return Errorf(EINVALID, "article.bad_lang", a.Lang)
	case strings.TrimSpace(a.Title) == "":
		return Errorf(EINVALID, "article.title_required")
	case utf8.RuneCountInString(a.Title) > MaxTitle:
		return Errorf(EINVALID, "field.too_long", "title", MaxTitle)
	case utf8.RuneCountInString(a.Summary) > MaxSummary:
		return Errorf(EINVALID, "field.too_long", "summary", MaxSummary)
	case !cats.Has(a.Category):
		return Errorf(EINVALID, "category.unknown", a.Category)
	case a.Subcategory != "" && !cats.HasSubcategory(a.Category, a.Subcategory):
		return Errorf(EINVALID, "subcategory.unknown", a.Subcategory, a.Category)
	case len(a.Tags) > MaxTags:
		return Errorf(EINVALID, "article.too_many_tags", MaxTags)
	case a.Visibility != Public && a.Visibility != Internal:
		return Errorf(EINVALID, "article.bad_visibility", a.Visibility)
	case !ValidArticleStatus(a.Status):
		return Errorf(EINVALID, "article.bad_status", a.Status)
	case len(a.Body) > MaxBody:
		return Errorf(EINVALID, "field.too_long", "body", MaxBody)
	case a.Revision < 1:
		return Errorf(EINVALID, "article.bad_revision", a.Revision)
	case a.UpdatedAt < 0 || a.UpdatedAt > MaxTime:
		return Errorf(EINVALID, "article.bad_time")
	case strings.TrimSpace(a.UpdatedBy) == "" || utf8.RuneCountInString(a.UpdatedBy) > MaxAuthor:
		return Errorf(EINVALID, "article.bad_updated_by", MaxAuthor)
	}
	for _, t := range a.Tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > MaxTag || strings.ContainsAny(t, "\n\r") {
			return Errorf(EINVALID, "article.bad_tag", t, MaxTag)
		}
	}
	return nil
}

// RevisionType is the record type under which the server keeps Revisions.
const RevisionType = "revision"

// Revision is one version of an article, kept whole so a later version can
// be compared with it or replaced by it.
type Revision struct {
	ArticleID string  `json:"article_id"`
	Number    int     `json:"number"`
	Author    string  `json:"author"`
	Time      int64   `json:"time"` // Unix milliseconds
	Article   Article `json:"article"`
}

// RevisionID returns the record ID of an article's revision n: the article ID,
// a dot and n in ten digits, so that a record listing in ID order is each
// article's revisions oldest first. (A dot never occurs in an article ID.)
func RevisionID(articleID string, n int) string {
	return fmt.Sprintf("%s.%010d", articleID, n)
}

// NewRevision returns the revision record for a's current version.
func NewRevision(a Article) Revision {
	return Revision{ArticleID: a.ID, Number: a.Revision, Author: a.UpdatedBy, Time: a.UpdatedAt, Article: a}
}
