package search

import (
	"encoding/binary"
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
	terms              []int32 // distinct term IDs, for Remove
	// The analyzed plain body and summary as token streams (see
	// appendStream), which snippets scan instead of re-analyzing text.
	plainToks, summaryToks string
}

// postingList holds the docs (slots, ascending) that contain a term and the
// term's frequencies in them. It may list removed slots until the index is
// compacted.
type postingList struct {
	slots []int32
	freqs []freqs
}

// Index is an incrementally updated inverted index of Docs, searched with
// Search. The zero value is an empty index ready to use. Concurrent Search
// and MarshalBinary calls are safe; Add, Remove and UnmarshalBinary need
// exclusive access.
//
// Docs live in slots, assigned in the order they are added; a removed doc's
// slot stays empty (its postings are skipped) until more than a tenth of
// the slots are empty, and then the index is compacted.
type Index struct {
	docs   []*entry         // by slot; nil when removed
	dead   int              // nil slots in docs
	byID   map[string]int32 // ID → slot
	termID map[string]int32 // term → term ID
	terms  []string         // by term ID
	post   []postingList    // by term ID
	all    stats            // over all live docs
	byLang map[string]*stats
	// df maps langKey(Doc.Lang), or "" for all docs, to the document
	// frequency of each term ID among live docs: the vocabulary that
	// queries in that language match against.
	df map[string][]int32
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
	for _, s := range [2]*stats{&ix.all, st} {
		s.n += sign
		for f := range numFields {
			s.lenSum[f] += uint64(int64(sign) * int64(e.lens[f]))
		}
	}
	for _, k := range [2]string{"", key} {
		df := ix.df[k]
		if n := len(ix.terms); len(df) < n {
			df = append(df, make([]int32, n-len(df))...)
			ix.df[k] = df
		}
		for _, id := range e.terms {
			df[id] += int32(sign)
		}
	}
	if st.n == 0 {
		delete(ix.byLang, key)
		delete(ix.df, key)
	}
	if ix.all.n == 0 {
		delete(ix.df, "")
	}
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	ix := &Index{}
	ix.init()
	return ix
}

// init makes the zero Index usable.
func (ix *Index) init() {
	if ix.byID == nil {
		ix.byID = make(map[string]int32)
	}
	if ix.termID == nil {
		ix.termID = make(map[string]int32)
	}
	if ix.byLang == nil {
		ix.byLang = make(map[string]*stats)
	}
	if ix.df == nil {
		ix.df = make(map[string][]int32)
	}
}

// Len returns the number of docs in the index.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.byID)
}

// intern returns the ID of term, adding it to the dictionary if new.
func (ix *Index) intern(term string) int32 {
	id, ok := ix.termID[term]
	if !ok {
		id = int32(len(ix.terms))
		ix.termID[term] = id
		ix.terms = append(ix.terms, term)
		ix.post = append(ix.post, postingList{})
	}
	return id
}

// Add indexes d with the stop words and stemmer of d.Lang, replacing any
// doc with the same ID. d's postings are appended to those of its terms,
// and its analyzed body and summary are kept as token streams for snippets.
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
	type termFreqs struct {
		id int32
		fr freqs
	}
	var counts []termFreqs // by first occurrence
	at := make(map[int32]int)
	var ids []int32 // scratch: the term IDs of one text's tokens
	count := func(f int, toks []token) {
		ids = ids[:0]
		for _, t := range toks {
			id := ix.intern(t.term)
			ids = append(ids, id)
			k, ok := at[id]
			if !ok {
				k = len(counts)
				at[id] = k
				counts = append(counts, termFreqs{id: id})
			}
			if fr := &counts[k].fr; fr[f] < ^uint16(0) {
				fr[f]++
			}
			if !t.alias {
				e.lens[f]++
			}
		}
	}
	count(fieldTitle, an.analyze(d.Title))
	toks := an.analyze(d.Summary)
	count(fieldSummary, toks)
	e.summaryToks = string(appendStream(nil, toks, ids))
	for _, tag := range d.Tags {
		count(fieldTags, an.analyze(tag))
	}
	toks = an.analyze(e.plain)
	count(fieldBody, toks)
	e.plainToks = string(appendStream(nil, toks, ids))

	slot := int32(len(ix.docs))
	ix.docs = append(ix.docs, e)
	ix.byID[d.ID] = slot
	e.terms = make([]int32, len(counts))
	for i, c := range counts {
		e.terms[i] = c.id
		p := &ix.post[c.id]
		p.slots = append(p.slots, slot)
		p.freqs = append(p.freqs, c.fr)
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
	ix.account(ix.docs[slot], -1)
	ix.docs[slot] = nil
	ix.dead++
	delete(ix.byID, id)
	if ix.dead*10 > len(ix.docs) {
		ix.compact()
	}
}

// compact drops removed slots, and terms that no live doc has, by a round
// trip through the binary format (which stores live docs and terms only).
func (ix *Index) compact() {
	data, err := ix.MarshalBinary()
	if err != nil {
		return
	}
	var nix Index
	if nix.UnmarshalBinary(data) == nil {
		*ix = nix
	}
}

// A token stream is a text's analyzed tokens, in order, as three unsigned
// varints each: term ID, start offset minus the previous token's start,
// and length in bytes.

// appendStream appends the token stream of toks, whose term IDs are ids,
// to b.
func appendStream(b []byte, toks []token, ids []int32) []byte {
	prev := 0
	for i, t := range toks {
		b = binary.AppendUvarint(b, uint64(ids[i]))
		b = binary.AppendUvarint(b, uint64(t.start-prev))
		b = binary.AppendUvarint(b, uint64(t.end-t.start))
		prev = t.start
	}
	return b
}

// streamReader reads a token stream of a text of n bytes. It stops at the
// first token that is malformed or does not fit in the text.
type streamReader struct {
	s        string
	i, start int
	n        int // text length
}

// next returns the next token's term ID and byte span.
func (r *streamReader) next() (id uint64, start, end int, ok bool) {
	if r.i >= len(r.s) {
		return 0, 0, 0, false
	}
	var delta, length uint64
	i := r.i
	id, i = uvarintAt(r.s, i)
	delta, i = uvarintAt(r.s, i)
	length, i = uvarintAt(r.s, i)
	if i < 0 || delta > uint64(r.n-r.start) || length == 0 || length > uint64(r.n-r.start)-delta {
		r.i = len(r.s)
		return 0, 0, 0, false
	}
	r.i = i
	r.start += int(delta)
	return id, r.start, r.start + int(length), true
}

// uvarintAt decodes an unsigned varint at s[i:], returning it and the
// position after it; the position is -1 if i is -1 or the varint is
// malformed.
func uvarintAt(s string, i int) (uint64, int) {
	if i < 0 {
		return 0, -1
	}
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= len(s) {
			return 0, -1
		}
		c := s[i]
		i++
		if c < 0x80 {
			return x | uint64(c)<<shift, i
		}
		x |= uint64(c&0x7f) << shift
	}
	return 0, -1
}

// analyzer turns text into index terms for one language, memoizing stems.
type analyzer struct {
	lang  string
	stems map[string]string // folded word → stem, "" for a stop word
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
