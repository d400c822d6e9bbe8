package search

import (
	"slices"
)

// ExpansionKind says why a query word matches a term.
type ExpansionKind uint8

// Kinds of expansion, in the order Search adds them.
const (
	KindExact   ExpansionKind = iota // the word's own stem
	KindTypo                         // a term within a typo or two
	KindPrefix                       // the last word, typed on: a term it starts
	KindSynonym                      // an admin's synonym (Query.Synonyms)
	KindRelated                      // a related word (Query.Related)
)

// String names k as the admin screens and benchmark logs do.
func (k ExpansionKind) String() string {
	switch k {
	case KindExact:
		return "exact"
	case KindTypo:
		return "typo"
	case KindPrefix:
		return "prefix"
	case KindSynonym:
		return "synonym"
	case KindRelated:
		return "related"
	}
	return "?"
}

// Expansion is one term a query word matches, as Search weighs it.
type Expansion struct {
	Term   string        // the index term (a stem)
	Kind   ExpansionKind // why the word matches it
	Weight float64       // score factor: 1 for the word itself
	Pages  int           // docs in the query's scope that contain Term
}

// WordExpansions is one distinct query word and the terms it matches.
type WordExpansions struct {
	Stem  string      // the word as analyzed
	Terms []Expansion // best first; none when the word matches nothing
}

// Expand returns what each distinct word of q.Text (stop words left out)
// matches in the docs of q.Lang, computed by the code Search runs, with
// q's synonyms and related words: what an admin sees on asking "what does
// this word expand to". It returns nil for an empty index or a language
// with no docs.
func (ix *Index) Expand(q Query) []WordExpansions {
	if ix == nil || len(ix.byID) == 0 {
		return nil
	}
	_, vocab, ok := ix.scope(q.Lang)
	if !ok {
		return nil
	}
	stems, all := parseWords(vocab, q.Text, normLang(q.Lang), q.Synonyms, q.Related)
	out := make([]WordExpansions, len(stems))
	for i, stem := range stems {
		out[i].Stem = stem
		for _, x := range all[i] {
			out[i].Terms = append(out[i].Terms, Expansion{x.term, x.kind, x.weight, int(vocab.df[x.id])})
		}
	}
	return out
}

// Contribution is what one query word adds to one doc's score.
type Contribution struct {
	Stem  string        // the query word, as analyzed
	Term  string        // its best expansion in the doc
	Kind  ExpansionKind // why it matches
	Score float64       // the BM25F score it adds, before the title boost
	Title bool          // some expansion of the word is in the doc's title
}

// Explain returns how the doc with the given ID scores for q: one
// Contribution per query word that matches it, in query order. It is for
// tuning and diagnosis; Search does not call it.
func (ix *Index) Explain(q Query, id string) []Contribution {
	pq, ok := ix.prepare(q)
	if !ok {
		return nil
	}
	slot, found := ix.byID[id]
	if !found {
		return nil
	}
	e := ix.docs[slot]
	var out []Contribution
	for w, exps := range pq.words {
		best := Contribution{Stem: pq.stems[w]}
		for _, x := range exps {
			p := &ix.post[x.id]
			i, hit := slices.BinarySearch(p.slots, slot)
			if !hit {
				continue
			}
			if p.freqs[i][fieldTitle] > 0 {
				best.Title = true
			}
			s := bm25f(x.weight, idf(pq.n, float64(pq.df[x.id])), &p.freqs[i], &e.lens, &pq.avgLen)
			if s > best.Score {
				best.Term, best.Kind, best.Score = x.term, x.kind, s
			}
		}
		if best.Score > 0 {
			out = append(out, best)
		}
	}
	return out
}
