package shared

import (
	"strings"
	"unicode/utf8"
)

// Where a reader came to an article from. An article that solved the
// problem of a reader who came from a search or a troubleshooter is a
// deflected ticket: they were looking for help and did not need to file one.
const (
	FromSearch = "search"
	FromTree   = "tree"
	FromBrowse = "browse"
	// FromTicket: the article was suggested on the new-ticket form while
	// the reader described the problem (issue 16). A helpful answer is
	// the clearest deflection there is: they were about to file a ticket.
	FromTicket = "ticket"
)

// MaxFeedbackComment is the longest comment on an article, in characters.
const MaxFeedbackComment = 2000

// Feedback is an answer to "Did this solve your problem?" on an article: the
// argument of the "kb.feedback" mutation.
type Feedback struct {
	ID        string `json:"id"` // UUIDv7 made by the device
	ArticleID string `json:"article_id"`
	Helpful   bool   `json:"helpful"`
	Comment   string `json:"comment,omitempty"`
	From      string `json:"from,omitempty"` // FromSearch, FromTree, FromBrowse, FromTicket or ""
	// Query is the search the reader came from (From is FromSearch): a
	// helpful answer teaches search that the query means this article.
	Query     string `json:"query,omitempty"`
	CreatedAt int64  `json:"created_at"` // Unix milliseconds, as the device saw it
}

// Validate returns an EINVALID *Error naming the first thing wrong with f.
func (f *Feedback) Validate() error {
	switch {
	case !ValidUUID(f.ID):
		return Errorf(EINVALID, "feedback.bad_id", f.ID)
	case !ValidSlug(f.ArticleID):
		return Errorf(EINVALID, "article.bad_id", f.ArticleID)
	case utf8.RuneCountInString(f.Comment) > MaxFeedbackComment:
		return Errorf(EINVALID, "field.too_long", "comment", MaxFeedbackComment)
	case f.From != "" && f.From != FromSearch && f.From != FromTree && f.From != FromBrowse && f.From != FromTicket:
		return Errorf(EINVALID, "feedback.bad_from", f.From)
	case utf8.RuneCountInString(f.Query) > MaxSearchQuery:
		return Errorf(EINVALID, "field.too_long", "query", MaxSearchQuery)
	case f.Query != "" && f.From != FromSearch:
		return Errorf(EINVALID, "feedback.query_not_from_search")
	case f.CreatedAt < 0 || f.CreatedAt > 1<<53:
		return Errorf(EINVALID, "feedback.bad_time")
	}
	return nil
}

// Deflects reports whether f counts as a ticket deflected by self-service.
func (f *Feedback) Deflects() bool {
	return f.Helpful && (f.From == FromSearch || f.From == FromTree || f.From == FromTicket)
}

// ArticleStats counts the feedback on one article, for agents.
type ArticleStats struct {
	ArticleID  string `json:"article_id"`
	Helpful    int    `json:"helpful"`
	NotHelpful int    `json:"not_helpful"`
	Deflected  int    `json:"deflected"` // helpful answers from a search or troubleshooter
	UpdatedAt  int64  `json:"updated_at"`
}

// Add counts f.
func (s *ArticleStats) Add(f *Feedback, now int64) {
	if f.Helpful {
		s.Helpful++
	} else {
		s.NotHelpful++
	}
	if f.Deflects() {
		s.Deflected++
	}
	s.UpdatedAt = now
}

// HelpfulRate is the share of answers that said the article helped, from 0
// to 1, or -1 if nobody answered yet.
func (s *ArticleStats) HelpfulRate() float64 {
	n := s.Helpful + s.NotHelpful
	if n == 0 {
		return -1
	}
	return float64(s.Helpful) / float64(n)
}

// MaxSearchQuery is the longest search recorded, in characters.
const MaxSearchQuery = 200

// SearchMiss reports a search that found nothing: the argument of the
// "search.miss" mutation. Agents read the counts as a content-gap report.
type SearchMiss struct {
	Query string `json:"query"`
	Lang  string `json:"lang"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with m.
func (m *SearchMiss) Validate() error {
	q := strings.TrimSpace(m.Query)
	switch {
	case q == "":
		return Errorf(EINVALID, "search.query_required")
	case utf8.RuneCountInString(q) > MaxSearchQuery:
		return Errorf(EINVALID, "field.too_long", "query", MaxSearchQuery)
	case !ValidLang(m.Lang):
		return Errorf(EINVALID, "article.bad_lang", m.Lang)
	}
	return nil
}

// SearchMissStats counts the searches for one query (folded, spaces
// collapsed) in one language that found nothing.
type SearchMissStats struct {
	Query   string `json:"query"`
	Lang    string `json:"lang"`
	Count   int    `json:"count"`
	FirstAt int64  `json:"first_at"` // Unix milliseconds, server time
	LastAt  int64  `json:"last_at"`
}

// ConfigLearned is the ID of the configuration record (type "config",
// synced to every device, signed out too) holding what search learned from
// its readers, as the JSON of a LearnedSearches.
const ConfigLearned = "learned"

// LearnedSearches are, per language, the searches that enough different
// devices followed by saying an article solved their problem: the search
// ranks that article first for the same words. Strongest first.
type LearnedSearches map[string][]LearnedSearch

// LearnedSearch is one query → article association.
type LearnedSearch struct {
	Key       string `json:"key"` // search.QueryKey of the query: its stems, sorted
	ArticleID string `json:"article_id"`
	Support   int    `json:"support"` // devices that said it solved their problem
}

// ByKey returns the articles of every query key, by language, strongest
// first: what search.NewLearned takes.
func (l LearnedSearches) ByKey() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for lang, list := range l {
		m := map[string][]string{}
		for _, s := range list {
			m[s.Key] = append(m[s.Key], s.ArticleID)
		}
		out[lang] = m
	}
	return out
}
