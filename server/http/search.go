package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	outpost "outpost/app"
	"outpost/app/kbsearch"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// searcher answers searches over the articles anyone may see with the same
// code (shared/search) and the same synonyms the browser uses over its
// replica, so both rank alike. Its index follows the change log: each
// search first applies the article, synonym and learned-search changes since
// the version it last saw.
type searcher struct {
	store store.Store

	mu       sync.Mutex
	ix       *search.Index
	exp      kbsearch.Expansions // synonyms, learned searches, related words
	articles map[string]shared.Article
	version  uint64
}

func newSearcher(s store.Store) *searcher {
	return &searcher{store: s, ix: search.NewIndex(), articles: map[string]shared.Article{}}
}

// searchable reports whether everyone may find a: public and published.
func searchable(a *shared.Article) bool { return a.Visibility == shared.Public && a.IsPublished() }

// refresh applies the article and search config changes since the last call.
func (s *searcher) refresh(ctx context.Context) error {
	wanted := func(typ string, _ []byte) bool { return typ == wire.TypeArticle || typ == wire.TypeConfig }
	for {
		changes, cursor, more, err := s.store.Changes(ctx, s.version, wire.MaxPullLimit, 8<<20, wanted)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.Type == wire.TypeConfig {
				s.exp = s.exp.Apply(c)
			}
			if c.Type != wire.TypeArticle {
				continue // tombstones of other records
			}
			s.ix.Remove(c.ID)
			delete(s.articles, c.ID)
			var a shared.Article
			if c.Deleted || json.Unmarshal(c.Data, &a) != nil || !searchable(&a) {
				continue
			}
			s.articles[a.ID] = a
			s.ix.Add(search.Doc{ID: a.ID, Lang: a.Lang, Title: a.Title, Summary: a.Summary, Category: a.Category, Tags: a.Tags, Body: a.Body})
		}
		s.version = cursor
		if !more {
			return nil
		}
	}
}

// Search runs q and returns the hits with their articles.
func (s *searcher) Search(ctx context.Context, q search.Query) ([]outpost.SearchHit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	q = s.exp.Query(q)
	results := s.ix.Search(q)
	hits := make([]outpost.SearchHit, 0, len(results))
	for _, r := range results {
		hits = append(hits, outpost.SearchHit{Article: s.articles[r.ID], Result: r})
	}
	return hits, nil
}

// apiResult is one result of GET /api/search.
type apiResult struct {
	ID            string   `json:"id"`
	TranslationOf string   `json:"translation_of,omitempty"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary,omitempty"`
	Category      string   `json:"category"`
	Lang          string   `json:"lang"`
	Snippet       string   `json:"snippet"`
	Highlights    [][2]int `json:"highlights"` // byte ranges of matched words in snippet
	Score         float64  `json:"score"`
}

// handleSearch answers GET /api/search?q=…&lang=…&category=…&limit=… with
// {"results": [...]}, best first, or {"error": {...}} and status 400 for a
// bad request.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	bad := func(key string, args ...any) {
		Error(w, r, shared.Errorf(shared.EINVALID, key, args...))
	}
	q := search.Query{Text: strings.TrimSpace(p.Get("q")), Lang: p.Get("lang"), Category: p.Get("category"), Limit: 10}
	switch {
	case q.Text == "":
		bad("search.query_required")
		return
	case utf8.RuneCountInString(q.Text) > shared.MaxSearchQuery:
		bad("field.too_long", "query", shared.MaxSearchQuery)
		return
	case q.Lang != "" && !shared.ValidLang(q.Lang):
		bad("article.bad_lang", q.Lang)
		return
	case q.Category != "" && !s.Sync.Categories().Has(q.Category):
		bad("category.unknown", q.Category)
		return
	}
	if v := p.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad("search.bad_limit", v)
			return
		}
		q.Limit = n
	}
	hits, err := s.search.Search(r.Context(), q)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := struct {
		Results []apiResult `json:"results"`
	}{Results: make([]apiResult, 0, len(hits))}
	for _, h := range hits {
		a := h.Article
		out.Results = append(out.Results, apiResult{
			ID: a.ID, TranslationOf: a.TranslationOf, Title: a.Title, Summary: a.Summary,
			Category: a.Category, Lang: a.Lang, Snippet: h.Snippet, Highlights: h.Highlights, Score: h.Score,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
