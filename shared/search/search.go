package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Query is a search request.
type Query struct {
	Text     string // what the user typed; the last word also matches as a prefix
	Lang     string // only docs in this language, and analyze Text with it; "" = all docs, English analysis
	Category string // only docs in this category; "" = all
	Limit    int    // maximum number of results; 0 or less means 10, capped at 100
	// Synonyms, if set, add to each query word the terms of its synonyms
	// (in Lang, English for ""), after exact, typo and prefix matches.
	Synonyms *Synonyms
	// Learned, if set, puts first the articles readers said solved their
	// problem after the same search (QueryKey), if the filters keep them.
	Learned *Learned
	// Related, if set, adds to each query word a few related words of
	// the knowledge base (in Lang) at a much lower weight, after the
	// exact, typo and prefix matches and the synonyms.
	Related *Related
}

// Result is one matching doc.
type Result struct {
	ID         string
	Score      float64  // BM25F relevance, higher is better
	Snippet    string   // about 160 characters of plain text around the best match
	Highlights [][2]int // byte ranges [start, end) in Snippet of matched words, ascending
}

// Search limits and penalties.
const (
	defaultLimit  = 10
	maxLimit      = 100
	snippetLen    = 160
	snippetLead   = 40  // bytes of context kept before the first hit
	maxExpansions = 32  // vocabulary terms one query word may expand to
	prefixWeight  = 0.8 // score factor for search-as-you-type prefix matches
	// prefixAfterExact is the factor of a prefix match when the last
	// word is itself a word of the pages, and a more common one than the
	// match: "back" is more likely meant than "backup", whose rarer term
	// would otherwise outscore it, while "pass" is likely "password" being
	// typed.
	prefixAfterExact = 0.3
	typo1Weight      = 0.7 // score factor for a match at edit distance 1
	typo2Weight      = 0.5 // score factor for a match at edit distance 2
	minPrefixLen     = 2   // shortest last word that is expanded as a prefix
	maxQueryWords    = 32  // words beyond this are ignored, except the last
	ellipsis         = "…"
	titleBoost       = 0.5 // extra score factor for a title matching every query word
)

// expansion is a vocabulary term that a query word matches, with a score
// factor.
type expansion struct {
	term   string
	id     int32 // term ID
	weight float64
	kind   ExpansionKind // why the query word matches it
}

// vocab is the vocabulary that queries in one language match against: the
// index's terms and their document frequencies among the docs in that
// language.
type vocab struct {
	ids   map[string]int32 // term → ID
	terms []string         // by ID
	df    []int32          // by ID; 0 for terms no doc (in the language) has
	n     int              // docs (in the language)
}

// vocab returns the vocabulary of queries in the language whose langKey is
// key, or of all docs for "".
func (ix *Index) vocab(key string) vocab {
	n := ix.all.n
	if key != "" {
		n = 0
		if st := ix.byLang[key]; st != nil {
			n = st.n
		}
	}
	return vocab{ix.termID, ix.terms, ix.df[key], n}
}

// freq returns the document frequency of term.
func (v vocab) freq(term string) int32 {
	if id, ok := v.ids[term]; ok && int(id) < len(v.df) {
		return v.df[id]
	}
	return 0
}

// Search returns the docs matching q, best first (ties by ID ascending).
// Query words are folded, stop-worded and stemmed with q.Lang. A word with no
// exact match in the vocabulary also matches terms within Damerau-Levenshtein
// distance 1 (words of 4+ letters) or 2 (8+ letters), at a lower score, and
// the last word also matches terms it is a prefix of. Docs score with BM25F
// over title, summary, tags and body (each field saturating on its own),
// and are boosted by the share of query words found in their title.
//
// It runs in four steps: prepare (the query's words and the statistics of
// the docs in scope), score (ranking.scoreWords and ranking.rankLearned,
// with the formula in bm25f), select the best Limit (topK) and build the
// results with their snippets.
func (ix *Index) Search(q Query) []Result {
	pq, ok := ix.prepare(q)
	if !ok {
		return nil
	}
	// Per-slot arrays rather than maps: a common word's postings cover
	// much of the index, and every map operation counts in the browser.
	// They come from a pool, so that a query makes little garbage.
	sc := getScratch(len(ix.docs))
	defer sc.put()
	r := ranking{ix: ix, pq: &pq, sc: sc}
	r.scoreWords()
	r.rankLearned()
	return ix.results(r.best(), pq.highlight())
}

// preparedQuery is a Query made ready to score: its limit, its words'
// expansions in the vocabulary of the docs in scope, and those docs'
// collection statistics.
type preparedQuery struct {
	Query
	limit   int
	words   [][]expansion      // per distinct query word that matches something, the terms it matches
	stems   []string           // those words' stems
	learned []string           // article IDs confirmed for this search, best first
	df      []int32            // document frequency in scope, by term ID
	n       float64            // docs in scope
	avgLen  [numFields]float64 // average field length in scope; at least 1
}

// prepare returns q ready to score, or false if nothing can match: an empty
// index, no doc in q.Lang, or neither a query word in the vocabulary nor a
// learned article.
func (ix *Index) prepare(q Query) (preparedQuery, bool) {
	if ix == nil || len(ix.byID) == 0 {
		return preparedQuery{}, false
	}
	st, vocab, ok := ix.scope(q.Lang)
	if !ok {
		return preparedQuery{}, false
	}
	pq := preparedQuery{
		Query:   q,
		limit:   clampLimit(q.Limit),
		learned: q.Learned.articles(q.Lang, q.Text),
		df:      vocab.df,
		n:       float64(st.n),
	}
	stems, all := parseWords(vocab, q.Text, normLang(q.Lang), q.Synonyms, q.Related)
	for i, exps := range all {
		if len(exps) > 0 {
			pq.words, pq.stems = append(pq.words, exps), append(pq.stems, stems[i])
		}
	}
	if len(pq.words) == 0 && len(pq.learned) == 0 {
		return preparedQuery{}, false
	}
	for f := range numFields {
		pq.avgLen[f] = float64(st.lenSum[f]) / pq.n
		if pq.avgLen[f] <= 0 {
			pq.avgLen[f] = 1
		}
	}
	return pq, true
}

// clampLimit returns the number of results a Query.Limit asks for:
// defaultLimit for 0 or less, at most maxLimit.
func clampLimit(limit int) int {
	if limit <= 0 {
		limit = defaultLimit
	}
	return min(limit, maxLimit)
}

// scope returns the collection statistics and the vocabulary of the docs a
// query in lang matches: every doc for "", else the docs in lang. It
// returns false if no doc is in lang.
func (ix *Index) scope(lang string) (*stats, vocab, bool) {
	if lang == "" {
		return &ix.all, ix.vocab(""), true
	}
	key := langKey(lang) // only a map key: it does not escape, so no garbage
	st := ix.byLang[key]
	if st == nil {
		return nil, vocab{}, false
	}
	return st, ix.vocab(key), true
}

// highlight returns the IDs of every term the query's words matched, which
// snippets highlight.
func (pq *preparedQuery) highlight() []int32 {
	var ids []int32
	for _, exps := range pq.words {
		for _, x := range exps {
			ids = append(ids, x.id)
		}
	}
	return ids
}

// results builds the Results of the ranked candidates, in order: each doc's
// ID, final score and a snippet highlighting the terms in highlight.
func (ix *Index) results(top []cand, highlight []int32) []Result {
	results := make([]Result, len(top))
	sn := newSnippeter(highlight)
	for i, c := range top {
		e := ix.docs[c.slot]
		results[i] = Result{ID: e.id, Score: c.score}
		results[i].Snippet, results[i].Highlights = sn.snippet(e)
	}
	return results
}

// parseQuery turns query text into one list of expansions in vocab (term →
// document frequency) per distinct query word, in query order, with the
// terms of their synonyms in syn and their related words in rel. Words
// that match nothing are left out.
func parseQuery(vocab vocab, text, lang string, syn *Synonyms, rel *Related) [][]expansion {
	_, all := parseWords(vocab, text, lang, syn, rel)
	var out [][]expansion
	for _, exps := range all {
		if len(exps) > 0 {
			out = append(out, exps)
		}
	}
	return out
}

// parseWords is parseQuery keeping every distinct query word: their stems,
// and each one's expansions (none for a word that matches nothing).
func parseWords(vocab vocab, text, lang string, syn *Synonyms, rel *Related) (stems []string, all [][]expansion) {
	toks := joinCompounds(vocab, text, lang, tokenize(text))
	type word struct {
		folded, stem string
		last         bool
	}
	var ws []word
	index := make(map[string]int)
	for i, t := range toks {
		if IsStopWord(lang, t.term) {
			continue
		}
		last := i == len(toks)-1
		if len(ws) >= maxQueryWords && !last {
			continue
		}
		stem := Stem(lang, t.term)
		if j, dup := index[stem]; dup {
			ws[j].last = ws[j].last || last
			continue
		}
		index[stem] = len(ws)
		ws = append(ws, word{t.term, stem, last})
	}
	all = make([][]expansion, len(ws))
	stems = make([]string, len(ws))
	for i, w := range ws {
		exps := expand(vocab, w.folded, w.stem, w.last)
		// A term that another query word names exactly counts for that
		// word only: "printer printing" must not score "printer" twice.
		all[i] = slices.DeleteFunc(exps, func(x expansion) bool {
			j, ok := index[x.term]
			return ok && ws[j].stem != w.stem
		})
		stems[i] = w.stem
	}
	syn.expand(vocab, lang, stems, all)
	rel.expand(vocab, lang, stems, all)
	return stems, all
}

// joinCompounds merges words joined by a single hyphen or slash ("wi-fi")
// into one token when the joined word is an indexed term, as Add indexes
// such compounds as a whole.
func joinCompounds(vocab vocab, text, lang string, toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i+1 < len(toks) && toks[i+1].start == t.end+1 && (text[t.end] == '-' || text[t.end] == '/') {
			joined := t.term + toks[i+1].term
			if vocab.freq(Stem(lang, joined)) > 0 {
				out = append(out, token{term: joined, start: t.start, end: toks[i+1].end})
				i++
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// expand lists the vocabulary terms matching a query word: its stem, or
// near misses when the stem is not in the vocabulary, plus, for the last
// word, the terms it is a prefix of.
func expand(vocab vocab, folded, stem string, last bool) []expansion {
	weights := make(map[int32]float64)
	kinds := make(map[int32]ExpansionKind)
	add := func(id int32, w float64, k ExpansionKind) {
		if w > weights[id] {
			weights[id], kinds[id] = w, k
		}
	}
	stemID, exact := vocab.ids[stem]
	exact = exact && int(stemID) < len(vocab.df) && vocab.df[stemID] > 0
	if exact {
		add(stemID, 1, KindExact)
	} else if n := utf8.RuneCountInString(folded); n >= 4 {
		maxD := 1
		if n >= 8 {
			maxD = 2
		}
		qs := []rune(stem)
		var dist distance
		for id, df := range vocab.df {
			if df <= 0 {
				continue
			}
			term := vocab.terms[id]
			if d := abs(utf8.RuneCountInString(term) - len(qs)); d > maxD {
				continue
			}
			switch d := dist.betweenString(qs, term, maxD); {
			case d > maxD:
			case d == 1:
				add(int32(id), typo1Weight, KindTypo)
			case d == 2:
				add(int32(id), typo2Weight, KindTypo)
			}
		}
	}
	if last && utf8.RuneCountInString(folded) >= minPrefixLen {
		exactDF := int32(0)
		if exact {
			exactDF = vocab.df[stemID]
		}
		for id, df := range vocab.df {
			if df <= 0 {
				continue
			}
			switch term := vocab.terms[id]; {
			case term == stem:
			case strings.HasPrefix(term, folded), strings.HasPrefix(term, stem):
				pw := prefixWeight
				if df <= exactDF {
					pw = prefixAfterExact
				}
				add(int32(id), pw, KindPrefix)
			case !exact && len(term) >= 3 && len(folded)-len(term) <= 3 && strings.HasPrefix(folded, term):
				// A stem the word is still growing into: "printin" → "print".
				add(int32(id), prefixWeight, KindPrefix)
			}
		}
	}
	exps := make([]expansion, 0, len(weights))
	for id, w := range weights {
		exps = append(exps, expansion{vocab.terms[id], id, w, kinds[id]})
	}
	slices.SortFunc(exps, func(a, b expansion) int {
		switch {
		case a.weight != b.weight:
			if a.weight > b.weight {
				return -1
			}
			return 1
		case vocab.df[a.id] != vocab.df[b.id]:
			return int(vocab.df[b.id] - vocab.df[a.id])
		}
		return strings.Compare(a.term, b.term)
	})
	if len(exps) > maxExpansions {
		exps = exps[:maxExpansions]
	}
	return exps
}

// abs returns |x|.
func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance returns the optimal-string-alignment Damerau-Levenshtein
// distance between a and b (insertions, deletions, substitutions and
// transpositions of adjacent letters), or maxD+1 if it exceeds maxD.
func editDistance(a, b []rune, maxD int) int {
	var d distance
	return d.between(a, b, maxD)
}

// distance computes editDistance reusing its rows, as expand compares a
// query word with much of the vocabulary.
type distance struct {
	rows [3][]int
	b    []rune
}

// between is editDistance(a, b, maxD).
func (d *distance) between(a, b []rune, maxD int) int {
	if abs(len(a)-len(b)) > maxD {
		return maxD + 1
	}
	for i := range d.rows {
		if cap(d.rows[i]) < len(b)+1 {
			d.rows[i] = make([]int, len(b)+1)
		}
		d.rows[i] = d.rows[i][:len(b)+1]
	}
	prev2, prev, cur := d.rows[0], d.rows[1], d.rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > maxD {
			return maxD + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], maxD+1)
}

// betweenString is between(a, []rune(b), maxD) without allocating.
func (d *distance) betweenString(a []rune, b string, maxD int) int {
	d.b = d.b[:0]
	for _, r := range b {
		d.b = append(d.b, r)
	}
	return d.between(a, d.b, maxD)
}

// snippeter makes the snippets of one query's results.
type snippeter struct {
	terms []int32  // the query's matched term IDs, ascending, distinct
	bits  []uint64 // terms as a bit set
	hits  []hit    // scratch
	stamp []int    // scratch: by index in terms, the last window counting it
}

// hit is a token of a snippet's text whose term the query matched.
type hit struct {
	term       int // index in snippeter.terms
	start, end int
}

// newSnippeter returns a snippeter highlighting the given term IDs.
func newSnippeter(ids []int32) *snippeter {
	terms := slices.Clone(ids)
	slices.Sort(terms)
	terms = slices.Compact(terms)
	s := &snippeter{terms: terms, stamp: make([]int, len(terms))}
	if len(terms) > 0 {
		s.bits = make([]uint64, terms[len(terms)-1]/64+1)
	}
	for _, id := range terms {
		s.bits[id/64] |= 1 << (id % 64)
	}
	return s
}

// hitsIn returns the tokens of the token stream toks, of a text of n
// bytes, whose term the query matched, by start offset.
func (s *snippeter) hitsIn(toks string, n int) []hit {
	s.hits = s.hits[:0]
	r := streamReader{s: toks, n: n}
	for {
		id, start, end, ok := r.next()
		if !ok {
			return s.hits
		}
		if id/64 < uint64(len(s.bits)) && s.bits[id/64]&(1<<(id%64)) != 0 {
			k, _ := slices.BinarySearch(s.terms, int32(id))
			s.hits = append(s.hits, hit{k, start, end})
		}
	}
}

// snippet picks about snippetLen bytes of e's plain body text around the
// region with the most distinct matched terms, or its summary when the body
// has no match, and returns it with the byte ranges of the matched words.
func (s *snippeter) snippet(e *entry) (string, [][2]int) {
	text := e.plain
	hits := s.hitsIn(e.plainToks, len(text))
	if len(hits) == 0 && e.summary != "" {
		text = e.summary
		hits = s.hitsIn(e.summaryToks, len(text))
	}
	if len(text) <= snippetLen {
		return text, spans(hits, 0, len(text), 0)
	}
	// Choose the window start (a hit) covering the most distinct terms,
	// then the most hits; earliest wins ties.
	start, bestD, bestN := 0, 0, 0
	for i, h := range hits {
		distinct, cnt := 0, 0
		for _, g := range hits[i:] {
			if g.end > h.start+snippetLen-snippetLead {
				break
			}
			if s.stamp[g.term] != i+1 {
				s.stamp[g.term] = i + 1
				distinct++
			}
			cnt++
		}
		if distinct > bestD || (distinct == bestD && cnt > bestN) {
			start, bestD, bestN = h.start, distinct, cnt
		}
	}
	clear(s.stamp)
	if start > 0 {
		from := max(0, start-snippetLead)
		if k := strings.IndexByte(text[from:start], ' '); k >= 0 && from > 0 {
			start = from + k + 1
		} else if from == 0 {
			start = 0
		}
	}
	end := min(len(text), start+snippetLen)
	if end < len(text) {
		if k := strings.LastIndexByte(text[start:end], ' '); k > snippetLen/2 {
			end = start + k
		}
		for end > start && !utf8.RuneStart(text[end]) {
			end--
		}
	}
	for start < end && !utf8.RuneStart(text[start]) {
		start++
	}
	var b strings.Builder
	off := 0
	if start > 0 {
		b.WriteString(ellipsis)
		off = len(ellipsis)
	}
	body := strings.TrimRight(text[start:end], " ,;:")
	b.WriteString(body)
	if end < len(text) {
		b.WriteString(ellipsis)
	}
	return b.String(), spans(hits, start, start+len(body), off-start)
}

// spans returns the merged ranges of hits lying within [from, to), shifted
// by delta.
func spans(hits []hit, from, to, delta int) [][2]int {
	var out [][2]int
	for _, h := range hits {
		if h.start < from || h.end > to {
			continue
		}
		s, e := h.start+delta, h.end+delta
		if n := len(out); n > 0 && s <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], e)
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return out
}

// queryExpansions returns the expansions of q's words as Search matches
// them, or nil.
func (ix *Index) queryExpansions(q Query) [][]expansion {
	if ix == nil || len(ix.byID) == 0 {
		return nil
	}
	_, vocab, ok := ix.scope(q.Lang)
	if !ok {
		return nil
	}
	return parseQuery(vocab, q.Text, normLang(q.Lang), q.Synonyms, q.Related)
}
