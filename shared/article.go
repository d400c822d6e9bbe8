package shared

import (
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

// Category is a top-level knowledge-base category. Its display name is the
// catalog key "category.<Slug>".
type Category struct {
	Slug string
}

// Categories is the demo category tree. Issue 4 turns it into data an admin
// edits; until then it is fixed here so client and server agree.
var Categories = []Category{
	{Slug: "network"},
	{Slug: "accounts"},
	{Slug: "email"},
	{Slug: "devices"},
}

// ValidCategory reports whether slug names a category in Categories.
func ValidCategory(slug string) bool {
	for _, c := range Categories {
		if c.Slug == slug {
			return true
		}
	}
	return false
}

// Article is a knowledge-base article in one language. Articles are made on
// the server (seeded or imported) and are read-only for users. HTML is the
// body rendered from Markdown and sanitized by the server.
type Article struct {
	ID            string   `json:"id"`
	TranslationOf string   `json:"translation_of,omitempty"`
	Lang          string   `json:"lang"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary,omitempty"`
	Category      string   `json:"category"`
	Tags          []string `json:"tags,omitempty"`
	Visibility    string   `json:"visibility"`
	Body          string   `json:"body"`
	HTML          string   `json:"html"`
	UpdatedAt     int64    `json:"updated_at"` // Unix milliseconds
}

// Field limits for articles.
const (
	MaxTitle   = 200
	MaxSummary = 300
	MaxBody    = 200_000
	MaxTags    = 20
)

// Validate returns an EINVALID *Error naming the first thing wrong with a.
func (a *Article) Validate() error {
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
	case !ValidCategory(a.Category):
		return Errorf(EINVALID, "category.unknown", a.Category)
	case len(a.Tags) > MaxTags:
		return Errorf(EINVALID, "article.too_many_tags", MaxTags)
	case a.Visibility != Public && a.Visibility != Internal:
		return Errorf(EINVALID, "article.bad_visibility", a.Visibility)
	case len(a.Body) > MaxBody:
		return Errorf(EINVALID, "field.too_long", "body", MaxBody)
	}
	return nil
}
