package search

import (
	"math"
	"strings"
	"sync"
)

// The scoring step of Search: each query word adds to the docs it matches
// the BM25F score of its best expansion there (bm25f), learned articles go
// above every lexical match, and the title boost is applied as candidates
// enter the top-k selection (topK).

// bm25f returns the BM25F score of one vocabulary term in one doc, for a
// query word that expands to the term with the given weight: with fr the
// term's frequencies in the doc's fields, lens the doc's field lengths,
// avgLen the average field lengths in scope and idf from idf,
//
//	bm25f = weight · idf · Σ_f w_f · tf_f · (k1 + 1) / (tf_f + k1 · (1 − b + b · len_f / avgLen_f))
//
// over the fields f (title, summary, tags, body) where tf_f > 0, with
// field weights w_f = fieldWeights, k1 = bm25K1 and b = bm25B. Each field
// saturates on its own, so a word repeated in a long body cannot outweigh
// one title match. A query word scores in a doc the best bm25f of its
// expansions.
func bm25f(weight, idf float64, fr *freqs, lens *[numFields]uint32, avgLen *[numFields]float64) float64 {
	sum := 0.0
	for f := range numFields {
		if fr[f] > 0 {
			tf := float64(fr[f])
			norm := 1 - bm25B + bm25B*float64(lens[f])/avgLen[f]
			sum += fieldWeights[f] * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
	}
	return weight * idf * sum
}

// idf returns the inverse document frequency of a term found in df of n
// docs: ln(1 + (n − df + 0.5) / (df + 0.5)), never negative.
func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// ranking is one Search in progress: the prepared query, the index it runs
// on and the scratch its per-slot scores accumulate in.
type ranking struct {
	ix *Index
	pq *preparedQuery
	sc *scratch
}

// accepts reports whether the doc in slot passes the query's language and
// category filters. Each slot is checked once per search.
func (r *ranking) accepts(slot int32) bool {
	st := &r.sc.slots[slot]
	if st.accept == 0 {
		r.sc.checked = append(r.sc.checked, slot)
		st.accept = -1
		if e := r.ix.docs[slot]; e != nil && r.pq.keeps(e) {
			st.accept = 1
		}
	}
	return st.accept > 0
}

// keeps reports whether e is in the query's language (any for "") and
// category (any for "").
func (pq *preparedQuery) keeps(e *entry) bool {
	return (pq.Lang == "" || strings.EqualFold(e.lang, pq.Lang)) &&
		(pq.Category == "" || strings.EqualFold(e.category, pq.Category))
}

// scoreWords adds each query word's score to the docs it matches, and
// counts the words each doc has in its title.
func (r *ranking) scoreWords() {
	for _, exps := range r.pq.words {
		r.scoreWord(exps)
	}
}

// scoreWord adds one query word to the scores: in each doc, the best score
// of the word's expansions, so that a word counts once however many terms
// it expands to.
func (r *ranking) scoreWord(exps []expansion) {
	sc, state := r.sc, r.sc.slots
	sc.seen = sc.seen[:0]
	for _, x := range exps {
		p := &r.ix.post[x.id]
		termIDF := idf(r.pq.n, float64(r.pq.df[x.id]))
		for i, slot := range p.slots {
			if !r.accepts(slot) {
				continue
			}
			fr := &p.freqs[i]
			st := &state[slot]
			if !st.touched {
				st.touched = true
				sc.seen = append(sc.seen, slot)
			}
			if fr[fieldTitle] > 0 {
				st.title = true
			}
			if s := bm25f(x.weight, termIDF, fr, &r.ix.docs[slot].lens, &r.pq.avgLen); s > st.best {
				st.best = s
			}
		}
	}
	for _, slot := range sc.seen {
		st := &state[slot]
		if s := st.best; s > 0 {
			if st.score == 0 {
				sc.matched = append(sc.matched, slot)
			}
			st.score += s
		}
		if st.title {
			st.inTitle++
		}
		st.best, st.title, st.touched = 0, false, false
	}
}

// rankLearned puts the learned articles that pass the filters above every
// lexical match, in their learned order.
func (r *ranking) rankLearned() {
	learned, state := r.pq.learned, r.sc.slots
	if len(learned) == 0 {
		return
	}
	// Above every lexical match: a final score is at most its score
	// times 1+titleBoost.
	top := 0.0
	for _, slot := range r.sc.matched {
		top = max(top, state[slot].score*(1+titleBoost))
	}
	for i, id := range learned {
		slot, found := r.ix.byID[id]
		if !found || !r.accepts(slot) {
			continue
		}
		if state[slot].score == 0 {
			r.sc.matched = append(r.sc.matched, slot)
		}
		state[slot].score, state[slot].learned = top+float64(len(learned)-i), true
	}
}

// finalScore returns the score slot ranks by: its score, boosted by the
// share of query words in its title (a title is the best summary of what
// an article is about) unless it was learned.
func (r *ranking) finalScore(slot int32) float64 {
	st := &r.sc.slots[slot]
	s := st.score
	if len(r.pq.words) > 0 && !st.learned {
		s *= 1 + titleBoost*float64(st.inTitle)/float64(len(r.pq.words))
	}
	return s
}

// best returns the query's limit best matched docs, best first. The slice
// is the scratch's: valid until the scratch is put back.
func (r *ranking) best() []cand {
	matched := r.sc.matched
	t := topK{docs: r.ix.docs, limit: r.pq.limit, heap: r.sc.top[:0]}
	for _, slot := range matched {
		t.offer(cand{slot, r.finalScore(slot)})
	}
	r.sc.top = t.heap // keep a grown buffer
	return t.sorted()
}

// slotState is what Search keeps per slot.
type slotState struct {
	score   float64 // sum of the query words' scores
	best    float64 // the current query word's best score
	inTitle int32   // query words matched in the title
	accept  int8    // 0 not checked yet, 1 accepted, -1 filtered out
	title   bool    // the current query word is in the title
	touched bool    // best or title set for the current query word
	learned bool    // ranked by Query.Learned, above the lexical matches
}

// scratch is Search's working memory, reused through scratchPool.
type scratch struct {
	slots   []slotState // by slot; all zero between searches
	checked []int32     // slots whose accept is set
	seen    []int32     // slots touched by the current query word
	matched []int32     // slots with a score, in the order they got one
	top     []cand      // the top-k heap (topK)
}

var scratchPool sync.Pool

// getScratch returns a scratch for an index of n slots.
func getScratch(n int) *scratch {
	sc, _ := scratchPool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	if len(sc.slots) < n {
		sc.slots = make([]slotState, n)
	}
	return sc
}

// put zeroes the slots the search used and returns sc to the pool.
func (sc *scratch) put() {
	for _, slot := range sc.checked {
		sc.slots[slot] = slotState{}
	}
	sc.checked, sc.seen, sc.matched, sc.top = sc.checked[:0], sc.seen[:0], sc.matched[:0], sc.top[:0]
	scratchPool.Put(sc)
}
