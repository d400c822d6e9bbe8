package search

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Related words widen a query with words that readers use for what the
// knowledge base calls otherwise ("lines" → "streak", "radio" →
// "airplane"): per language, a query stem maps to a few stems of the
// knowledge base with a similarity in tenths (1–9). The server derives the
// table from a general source (GloVe nearest words, a thesaurus) restricted
// to the knowledge base's own vocabulary (BuildRelated), and every device
// gets it as the config record shared.ConfigRelated.
//
// An added word scores relatedWeight × its similarity of what the reader's
// own word would (so about 0.3), after the exact, typo and prefix matches
// and the admin's synonyms: a page with the reader's words still ranks
// first.
type Related struct {
	byLang map[string]map[string][]relTarget
}

type relTarget struct {
	stem   string
	weight float64
}

// Limits and weights of the related words.
const (
	relatedWeight = 0.5 // score factor per unit of similarity: 0.3 for a similarity of 6 tenths
	// MaxRelated is how many knowledge-base stems one query stem maps to.
	MaxRelated = 3
	// relatedMin is the lowest similarity kept, in tenths (after
	// RelatedSource.Scale).
	relatedMin = 4
	// relatedMaxShare drops a related stem found in more than this share
	// of the language's pages: it says nothing about any of them.
	relatedMaxShare = 0.2
)

// NewRelated parses a related-words table: language → query stem →
// "stem:tenths stem:tenths…" (as BuildRelated makes and the config record
// holds). Malformed entries are skipped. A nil *Related has none.
func NewRelated(table map[string]map[string]string) *Related {
	r := &Related{byLang: map[string]map[string][]relTarget{}}
	for lang, m := range table {
		l := normLang(lang)
		out := r.byLang[l]
		if out == nil {
			out = map[string][]relTarget{}
			r.byLang[l] = out
		}
		for key, list := range m {
			for _, f := range strings.Fields(list) {
				stem, w, ok := strings.Cut(f, ":")
				n, err := strconv.Atoi(w)
				if !ok || err != nil || n < 1 || n > 9 || stem == "" || len(out[key]) >= MaxRelated {
					continue
				}
				out[key] = append(out[key], relTarget{stem, float64(n) / 10})
			}
		}
	}
	return r
}

// Len returns the number of query stems with related words in lang.
func (r *Related) Len(lang string) int {
	if r == nil {
		return 0
	}
	return len(r.byLang[normLang(lang)])
}

// expand adds to each query word's expansions its related stems that are
// in vocab (and no query word of their own).
func (r *Related) expand(vocab vocab, lang string, stems []string, exps [][]expansion) {
	if r == nil {
		return
	}
	m := r.byLang[lang]
	maxDF := int32(max(1, relatedMaxShare*float64(vocab.n)))
	for i, stem := range stems {
		if vocab.freq(stem) > maxDF {
			continue // a word on most pages: its neighbours are noise ("make" → "come")
		}
		for _, t := range m[stem] {
			id, ok := vocab.ids[t.stem]
			if !ok || int(id) >= len(vocab.df) || vocab.df[id] <= 0 || slices.Contains(stems, t.stem) ||
				slices.ContainsFunc(exps[i], func(x expansion) bool { return x.id == id }) {
				continue
			}
			exps[i] = append(exps[i], expansion{t.stem, id, relatedWeight * t.weight, KindRelated})
		}
	}
}

// RelatedSource is a general related-words table of one language, before
// it is restricted to a knowledge base: words, most common first, each
// with related words and their similarity in tenths, strongest first.
type RelatedSource struct {
	Lang  string
	Words []SourceWord
	// Scale multiplies the similarities (0 means 1): a general source
	// (nearest words of an embedding) is noisier than a curated one, so
	// its words count less.
	Scale float64
}

// SourceWord is one row of a RelatedSource.
type SourceWord struct {
	Word    string
	Related []SourceRelated
}

// SourceRelated is a related word and its similarity in tenths (1–9).
type SourceRelated struct {
	Word   string
	Weight int
}

// sourceTerm returns the index term of a source table's word: folded
// ("líneas" is the term of "lineas") and, if hyphenated, joined as the
// index joins it ("two-sided" → "twosided"); "" for a stop word.
func sourceTerm(a *analyzer, w string) string {
	return a.term(strings.ReplaceAll(Fold(w), "-", ""))
}

// MergeRelatedSources joins sources of one language into one, each
// source's similarities multiplied by its Scale (those that round below 1
// dropped), in the order given: a query stem gets the strongest related
// words of all of them (BuildRelated keeps the best weight of a pair).
func MergeRelatedSources(lang string, srcs ...*RelatedSource) *RelatedSource {
	out := &RelatedSource{Lang: normLang(lang)}
	for _, src := range srcs {
		if src == nil {
			continue
		}
		for _, row := range src.Words {
			w := SourceWord{Word: row.Word}
			for _, r := range row.Related {
				if src.Scale > 0 {
					r.Weight = int(math.Round(float64(r.Weight) * src.Scale))
				}
				if r.Weight >= 1 {
					w.Related = append(w.Related, r)
				}
			}
			out.Words = append(out.Words, w)
		}
	}
	return out
}

// ReadRelatedSource reads a source table: one word a line,
// "word<TAB>other:tenths other:tenths…" (server/sync/relatedgen's output).
func ReadRelatedSource(lang string, r io.Reader) (*RelatedSource, error) {
	src := &RelatedSource{Lang: normLang(lang)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		word, list, ok := strings.Cut(sc.Text(), "\t")
		if !ok || word == "" {
			return nil, fmt.Errorf("related words line %d: want word<TAB>related words", n)
		}
		row := SourceWord{Word: word}
		for _, f := range strings.Fields(list) {
			other, w, ok := strings.Cut(f, ":")
			t, err := strconv.Atoi(w)
			if !ok || err != nil || t < 1 || t > 9 {
				return nil, fmt.Errorf("related words line %d: bad entry %q", n, f)
			}
			row.Related = append(row.Related, SourceRelated{other, t})
		}
		src.Words = append(src.Words, row)
	}
	return src, sc.Err()
}

// BuildRelated restricts src to the vocabulary of the docs of ix in
// src.Lang: each query stem (a source word's, whether or not the docs use
// it) maps to at most MaxRelated stems that some but at most
// relatedMaxShare of those docs contain, strongest first (ties: rarer
// first, then alphabetical). blocked, if set, drops a query stem → stem
// pair an admin blocked. The same src, docs and blocks give the same
// table.
func BuildRelated(src *RelatedSource, ix *Index, blocked func(from, to string) bool) map[string]string {
	out := map[string]string{}
	if src == nil || ix == nil {
		return out
	}
	key := langKey(src.Lang)
	st := ix.byLang[key]
	if st == nil || st.n == 0 {
		return out
	}
	v := ix.vocab(key)
	maxDF := int32(math.Max(1, math.Floor(relatedMaxShare*float64(st.n))))
	a := newAnalyzer(src.Lang)
	type cand struct {
		stem   string
		weight int
		df     int32
	}
	best := map[string][]cand{} // query stem → candidates
	var order []string
	for _, row := range src.Words {
		from := sourceTerm(a, row.Word)
		if from == "" {
			continue
		}
		for _, r := range row.Related {
			weight := r.Weight
			if src.Scale > 0 {
				weight = int(math.Round(float64(weight) * src.Scale))
			}
			to := sourceTerm(a, r.Word)
			if to == "" || to == from || weight < relatedMin || (blocked != nil && blocked(from, to)) {
				continue
			}
			df := v.freq(to)
			if df <= 0 || df > maxDF {
				continue
			}
			cs, seen := best[from]
			if !seen {
				order = append(order, from)
			}
			if i := slices.IndexFunc(cs, func(c cand) bool { return c.stem == to }); i >= 0 {
				cs[i].weight = max(cs[i].weight, weight)
				continue
			}
			best[from] = append(cs, cand{to, weight, df})
		}
	}
	for _, from := range order {
		cs := best[from]
		slices.SortFunc(cs, func(a, b cand) int {
			switch {
			case a.weight != b.weight:
				return b.weight - a.weight
			case a.df != b.df:
				return int(a.df - b.df)
			}
			return strings.Compare(a.stem, b.stem)
		})
		var b strings.Builder
		for i, c := range cs[:min(len(cs), MaxRelated)] {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s:%d", c.stem, c.weight)
		}
		out[from] = b.String()
	}
	return out
}
