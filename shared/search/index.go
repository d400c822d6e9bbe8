package search

import (
	"strings"
)

// Doc is a knowledge-base article as the search index sees it.
type Doc struct {
	ID       string   // unique key; Add replaces a doc with the same ID
	Lang     string   // "en" or "es": picks stop words and stemmer
	Title    string   // plain text
	Summary  string   // plain text
	Category string   // filter for Query.Category (case-insensitive)
	Tags     []string // plain-text keywords
	Body     string   // Markdown
}

// Indexed fields, in order, and their BM25F weights.
const (
	fieldTitle = iota
	fieldSummary
	fieldTags
	fieldBody
	numFields
)

var fieldWeights = [numFields]float64{4, 2, 1.5, 1}

// BM25 parameters.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// freqs holds a term's frequency in each field of one doc.
type freqs [numFields]uint16

// entry is one indexed doc.
type entry struct {
	id, lang, category string
	title, summary     string
	tags               []string
	plain              string // Body without Markdown
	lens               [numFields]uint32
	terms              []string // distinct terms, for Remove
}

// Index is an incrementally updated inverted index of Docs, searched with
// Search. The zero value is an empty index ready to use. Concurrent Search
// and MarshalBinary calls are safe; Add, Remove and UnmarshalBinary need
// exclusive access.
type Index struct {
	docs     []*entry          // by slot; nil when free
	free     []uint32          // free slots
	byID     map[string]uint32 // ID → slot
	postings map[string]map[uint32]freqs
	all      stats             // over all live docs
	byLang   map[string]*stats // by langKey(Doc.Lang)
	// df maps langKey(Doc.Lang), or "" for all docs, to the document
	// frequency of each term: the vocabulary that queries in that language
	// match against.
	df map[string]map[string]int32
}

// stats are the BM25 collection statistics of a set of docs.
type stats struct {
	n      int               // number of docs
	lenSum [numFields]uint64 // total field lengths
}

// langKey is the statistics key of a doc language: never "".
func langKey(lang string) string {
	return "=" + strings.ToLower(lang)
}

// account adds (sign 1) or subtracts (sign -1) e to the statistics.
func (ix *Index) account(e *entry, sign int) {
	key := langKey(e.lang)
	st := ix.byLang[key]
	if st == nil {
		st = &stats{}
		ix.byLang[key] = st
	}
	for _, s := range []*stats{&ix.all, st} {
		s.n += sign
		for f := range numFields {
			s.lenSum[f] += uint64(int64(sign) * int64(e.lens[f]))
		}
	}
	if st.n == 0 {
		delete(ix.byLang, key)
	}
	for _, k := range []string{"", key} {
		m := ix.df[k]
		if m == nil {
			m = make(map[string]int32)
			ix.df[k] = m
		}
		for _, term := range e.terms {
			if m[term] += int32(sign); m[term] <= 0 {
				delete(m, term)
			}
		}
		if len(m) == 0 {
			delete(ix.df, k)
		}
	}
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{
		byID:     make(map[string]uint32),
		postings: make(map[string]map[uint32]freqs),
		byLang:   make(map[string]*stats),
		df:       make(map[string]map[string]int32),
	}
}

// init makes the zero Index usable.
func (ix *Index) init() {
	if ix.byID == nil {
		ix.byID = make(map[string]uint32)
	}
	if ix.postings == nil {
		ix.postings = make(map[string]map[uint32]freqs)
	}
	if ix.byLang == nil {
		ix.byLang = make(map[string]*stats)
	}
	if ix.df == nil {
		ix.df = make(map[string]map[string]int32)
	}
}

// Len returns the number of docs in the index.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.byID)
}

// Add indexes d with the stop words and stemmer of d.Lang, replacing any
// doc with the same ID. Only d's own postings are touched.
func (ix *Index) Add(d Doc) {
	if ix == nil {
		return
	}
	ix.init()
	ix.Remove(d.ID)
	e := &entry{
		id: d.ID, lang: d.Lang, category: d.Category,
		title: d.Title, summary: d.Summary,
		tags:  append([]string(nil), d.Tags...),
		plain: plainText(d.Body),
	}
	an := newAnalyzer(normLang(d.Lang))
	counts := make(map[string]freqs)
	count := func(f int, text string) {
		for _, t := range an.analyze(text) {
			fr := counts[t.term]
			if fr[f] < ^uint16(0) {
				fr[f]++
			}
			counts[t.term] = fr
			if !t.alias {
				e.lens[f]++
			}
		}
	}
	count(fieldTitle, d.Title)
	count(fieldSummary, d.Summary)
	for _, tag := range d.Tags {
		count(fieldTags, tag)
	}
	count(fieldBody, e.plain)

	var slot uint32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.docs[slot] = e
	} else {
		slot = uint32(len(ix.docs))
		ix.docs = append(ix.docs, e)
	}
	ix.byID[d.ID] = slot
	e.terms = make([]string, 0, len(counts))
	for term, fr := range counts {
		e.terms = append(e.terms, term)
		p := ix.postings[term]
		if p == nil {
			p = make(map[uint32]freqs)
			ix.postings[term] = p
		}
		p[slot] = fr
	}
	ix.account(e, 1)
}

// Remove deletes the doc with the given ID, if any.
func (ix *Index) Remove(id string) {
	if ix == nil || ix.byID == nil {
		return
	}
	slot, ok := ix.byID[id]
	if !ok {
		return
	}
	e := ix.docs[slot]
	for _, term := range e.terms {
		p := ix.postings[term]
		delete(p, slot)
		if len(p) == 0 {
			delete(ix.postings, term)
		}
	}
	ix.account(e, -1)
	ix.docs[slot] = nil
	ix.free = append(ix.free, slot)
	delete(ix.byID, id)
}

// analyzer turns text into index terms for one language, memoizing stems.
type analyzer struct {
	lang  string
	stems map[string]string // folded word → stem, "" for a stop word

	words, terms []token // scratch of hitsIn, reused from one text to the next
}

// newAnalyzer returns an analyzer for lang ("en" or "es").
func newAnalyzer(lang string) *analyzer {
	return &analyzer{lang: lang, stems: make(map[string]string)}
}

// term returns the index term of the folded word w, or "" for a stop word.
func (a *analyzer) term(w string) string {
	s, ok := a.stems[w]
	if !ok {
		if !IsStopWord(a.lang, w) {
			s = Stem(a.lang, w)
		}
		a.stems[w] = s
	}
	return s
}

// analyze returns the terms of text: folded words minus stop words,
// stemmed. Words joined by a single hyphen or slash ("Wi-Fi", "sign-in")
// also yield their concatenation ("wifi", "signin"), spanning both words
// and marked as an alias (not counted in field lengths).
func (a *analyzer) analyze(text string) []token {
	toks := tokenize(text)
	return a.appendTerms(make([]token, 0, len(toks)), text, toks)
}

// appendTerms appends the terms of text, whose tokens are toks, to out (see
// analyze).
func (a *analyzer) appendTerms(out []token, text string, toks []token) []token {
	for i, t := range toks {
		if term := a.term(t.term); term != "" {
			out = append(out, token{term: term, start: t.start, end: t.end})
		}
		if i+1 < len(toks) && toks[i+1].start == t.end+1 &&
			(text[t.end] == '-' || text[t.end] == '/') {
			next := toks[i+1]
			// Only join a chain's first pair, and not number ranges.
			if (i == 0 || toks[i-1].end+1 != t.start || (text[t.start-1] != '-' && text[t.start-1] != '/')) &&
				!isDigits(t.term) {
				if term := a.term(t.term + next.term); term != "" {
					out = append(out, token{term: term, start: t.start, end: next.end, alias: true})
				}
			}
		}
	}
	return out
}

// isDigits reports whether s is all ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
