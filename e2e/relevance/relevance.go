// Package relevance measures whether search finds the article that answers
// a worried user's words: a corpus (GNOME Help in English and Spanish,
// imported by cmd/importhelp, plus the demo knowledge base of
// server/seed), two sets of symptom-style queries with the articles that
// answer them (a development set, and a held-out set nobody tunes on), and
// hit@1, hit@3 and MRR over a ranking. `make bench` prints the figures
// (TestRelevanceBench); TestSets keeps the sets from rotting.
package relevance

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"outpost/app/kbsearch"
	"outpost/server/seed"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/search"
)

// Article is one article of the corpus, in the JSON both engines index.
type Article struct {
	ID            string   `json:"id"`
	TranslationOf string   `json:"translation_of,omitempty"`
	Lang          string   `json:"lang"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary"`
	Category      string   `json:"category"`
	Tags          []string `json:"tags"`
	Body          string   `json:"body"` // plain text (GNOME Help) or Markdown (demo KB)
}

// Doc is the article as shared/search indexes it.
func (a Article) Doc() search.Doc {
	return search.Doc{ID: a.ID, Lang: a.Lang, Title: a.Title, Summary: a.Summary, Category: a.Category, Tags: a.Tags, Body: a.Body}
}

// HelpCorpus is the file cmd/importhelp writes (testdata/gnome-help.json.gz).
type HelpCorpus struct {
	Source   string    `json:"source"`
	License  string    `json:"license"`
	Articles []Article `json:"articles"`
}

// HelpID is the corpus ID of the GNOME Help page pageID in lang:
// "gh-printing-streaks", and "gh-printing-streaks-es" for its Spanish
// translation (the demo KB's convention).
func HelpID(pageID, lang string) string {
	if lang == "en" {
		return "gh-" + pageID
	}
	return "gh-" + pageID + "-" + lang
}

var (
	//go:embed testdata/gnome-help.json.gz
	helpGz []byte
	//go:embed testdata/dev.txt
	devTxt string
	//go:embed testdata/heldout.txt
	heldoutTxt string
	//go:embed testdata/synonyms.json
	synonymsJSON []byte
	//go:embed testdata/learned.json
	learnedJSON []byte
)

// Help returns the imported GNOME Help corpus.
func Help() (HelpCorpus, error) {
	var c HelpCorpus
	zr, err := gzip.NewReader(bytes.NewReader(helpGz))
	if err != nil {
		return c, fmt.Errorf("gnome-help.json.gz: %w", err)
	}
	if err := json.NewDecoder(zr).Decode(&c); err != nil {
		return c, fmt.Errorf("gnome-help.json.gz: %w", err)
	}
	return c, nil
}

// Corpus returns every article both engines search: the demo knowledge
// base as the server seeds it (public ones), then GNOME Help.
func Corpus() ([]Article, error) {
	demo, err := seed.Articles(0)
	if err != nil {
		return nil, err
	}
	var out []Article
	for _, a := range demo {
		if a.Visibility != shared.Public || !a.IsPublished() {
			continue
		}
		out = append(out, Article{ID: a.ID, TranslationOf: a.TranslationOf, Lang: a.Lang, Title: a.Title,
			Summary: a.Summary, Category: a.Category, Tags: a.Tags, Body: a.Body})
	}
	help, err := Help()
	if err != nil {
		return nil, err
	}
	return append(out, help.Articles...), nil
}

// Data is everything a measurement reads.
type Data struct {
	Articles []Article  // Corpus
	Help     HelpCorpus // its GNOME Help part, with source and license
	Dev      []Query    // Dev
	HeldOut  []Query    // HeldOut
}

// Load reads the corpus and both query sets.
func Load() (Data, error) {
	var d Data
	var err error
	if d.Articles, err = Corpus(); err != nil {
		return d, err
	}
	if d.Help, err = Help(); err != nil {
		return d, err
	}
	if d.Dev, err = Dev(); err != nil {
		return d, err
	}
	d.HeldOut, err = HeldOut()
	return d, err
}

// Query is one query of a set, typed in Lang, and the articles that
// answer it (any of them counts).
type Query struct {
	Text string   `json:"text"`
	Lang string   `json:"lang"`
	Want []string `json:"want"`
	Line int      `json:"-"` // in its file, for messages
}

// Dev returns the development set: queries one may look at while tuning.
func Dev() ([]Query, error) { return ParseQueries("dev.txt", devTxt) }

// HeldOut returns the held-out set: never tune on it.
func HeldOut() ([]Query, error) { return ParseQueries("heldout.txt", heldoutTxt) }

// ParseQueries reads a query set: one query a line, "lang | text | id id…";
// blank lines and lines starting with # are comments.
func ParseQueries(name, text string) ([]Query, error) {
	var out []Query
	var errs []error
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			errs = append(errs, fmt.Errorf("%s:%d: want \"lang | query | article IDs\", got %q", name, n, line))
			continue
		}
		q := Query{Lang: strings.TrimSpace(parts[0]), Text: strings.TrimSpace(parts[1]), Want: strings.Fields(parts[2]), Line: n}
		switch {
		case q.Lang != "en" && q.Lang != "es":
			errs = append(errs, fmt.Errorf("%s:%d: language %q, want en or es", name, n, q.Lang))
		case q.Text == "":
			errs = append(errs, fmt.Errorf("%s:%d: empty query", name, n))
		case len(q.Want) == 0:
			errs = append(errs, fmt.Errorf("%s:%d: no article answers %q", name, n, q.Text))
		default:
			out = append(out, q)
		}
	}
	return out, errors.Join(append(errs, sc.Err())...)
}

// Expansions returns what the "with expansions" figures search with: the
// synonyms of testdata/synonyms.json (as the synonyms config record holds
// them), the learned searches of testdata/learned.json (as the learned
// config record), and the related-words table the server would derive for
// ix's articles (server/sync.BuildRelatedWords; nil ix: none).
func Expansions(ix *search.Index) (kbsearch.Expansions, error) {
	var e kbsearch.Expansions
	var syn shared.Synonyms
	if err := json.Unmarshal(synonymsJSON, &syn); err != nil {
		return e, fmt.Errorf("synonyms.json: %w", err)
	}
	if err := syn.Validate(); err != nil {
		return e, fmt.Errorf("synonyms.json: %w", err)
	}
	var learned shared.LearnedSearches
	if err := json.Unmarshal(learnedJSON, &learned); err != nil {
		return e, fmt.Errorf("learned.json: %w", err)
	}
	e.Synonyms, e.Learned = search.NewSynonyms(syn), search.NewLearned(learned.ByKey())
	if ix != nil {
		rel, err := outsync.BuildRelatedWords(ix, nil)
		if err != nil {
			return e, err
		}
		e.Related = search.NewRelated(rel)
	}
	return e, nil
}

// Cutoff is how many results count: a wanted article below it scores 0 in
// MRR.
const Cutoff = 10

// Score is how well one engine answered one set.
type Score struct {
	N               int
	Hit1, Hit3, MRR float64
	Misses          []Query // wanted article not in the top Cutoff
}

// Measure scores rankings (article IDs, best first) of qs: hit@1 and hit@3
// are the shares of queries with a wanted article first or in the top
// three, MRR the mean of 1/rank of the first wanted article in the top
// Cutoff.
func Measure(qs []Query, ranked [][]string) Score {
	s := Score{N: len(qs)}
	if len(qs) == 0 {
		return s
	}
	for i, q := range qs {
		var r []string
		if i < len(ranked) {
			r = ranked[i]
		}
		rank := slices.IndexFunc(r[:min(len(r), Cutoff)], func(id string) bool { return slices.Contains(q.Want, id) })
		switch {
		case rank < 0:
			s.Misses = append(s.Misses, q)
			continue
		case rank == 0:
			s.Hit1++
		}
		if rank < 3 {
			s.Hit3++
		}
		s.MRR += 1 / float64(rank+1)
	}
	n := float64(len(qs))
	s.Hit1, s.Hit3, s.MRR = s.Hit1/n, s.Hit3/n, s.MRR/n
	return s
}

// Outpost ranks each query with shared/search over ix, as the browser
// and GET /api/search do, with the expansions of exp.
func Outpost(ix *search.Index, qs []Query, exp kbsearch.Expansions) [][]string {
	out := make([][]string, len(qs))
	for i, q := range qs {
		for _, r := range ix.Search(exp.Query(search.Query{Text: q.Text, Lang: q.Lang, Limit: Cutoff})) {
			out[i] = append(out[i], r.ID)
		}
	}
	return out
}

// Index builds shared/search's index over arts.
func Index(arts []Article) *search.Index {
	ix := search.NewIndex()
	for _, a := range arts {
		ix.Add(a.Doc())
	}
	return ix
}
