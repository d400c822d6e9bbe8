package search

import (
	"slices"
)

// synonymWeight is the score factor of a term found through a synonym: an
// admin said it means the same, but the reader did not type it.
const synonymWeight = 0.8

// Synonyms are groups of words and phrases that mean the same to readers
// of one language (shared.Synonyms), analyzed as the index analyzes text:
// a query holding one of them also matches the terms of the others. A nil
// *Synonyms has none. It is read-only once made, so searches may share it.
type Synonyms struct {
	byLang map[string]map[string][]synPhrase // "en"/"es" → first stem → phrases, longest first
}

// synPhrase is one term of a group, as stems, with the other terms of its
// group.
type synPhrase struct {
	stems   []string
	targets [][]string
}

// NewSynonyms analyzes groups, keyed by language ("en", "es"). Terms that
// are only stop words are dropped.
func NewSynonyms(groups map[string][][]string) *Synonyms {
	s := &Synonyms{byLang: map[string]map[string][]synPhrase{}}
	for lang, gs := range groups {
		l := normLang(lang)
		a := newAnalyzer(l)
		m := s.byLang[l]
		if m == nil {
			m = map[string][]synPhrase{}
			s.byLang[l] = m
		}
		for _, g := range gs {
			var terms [][]string
			for _, term := range g {
				var stems []string
				for _, t := range a.analyze(term) {
					if !t.alias {
						stems = append(stems, t.term)
					}
				}
				if len(stems) > 0 && !slices.ContainsFunc(terms, func(u []string) bool { return slices.Equal(u, stems) }) {
					terms = append(terms, stems)
				}
			}
			for i, t := range terms {
				targets := slices.Concat(terms[:i], terms[i+1:])
				if len(targets) > 0 {
					m[t[0]] = append(m[t[0]], synPhrase{t, targets})
				}
			}
		}
		for _, ps := range m {
			slices.SortStableFunc(ps, func(a, b synPhrase) int { return len(b.stems) - len(a.stems) })
		}
	}
	return s
}

// Len returns the number of terms with synonyms in lang.
func (s *Synonyms) Len(lang string) int {
	if s == nil {
		return 0
	}
	n := 0
	for _, ps := range s.byLang[normLang(lang)] {
		n += len(ps)
	}
	return n
}

// expand adds, to the expansions of each query word that starts a phrase
// of a group, the vocabulary terms of the group's other phrases. stems are
// the query words' stems in order; exps[i] are word i's expansions. A term
// that is itself a query word is left to that word.
func (s *Synonyms) expand(vocab vocab, lang string, stems []string, exps [][]expansion) {
	if s == nil {
		return
	}
	phrases := s.byLang[lang]
	for i, stem := range stems {
		for _, p := range phrases[stem] {
			if i+len(p.stems) > len(stems) || !slices.Equal(stems[i:i+len(p.stems)], p.stems) {
				continue
			}
			for _, target := range p.targets {
				for _, term := range target {
					id, ok := vocab.ids[term]
					if !ok || int(id) >= len(vocab.df) || vocab.df[id] <= 0 || slices.Contains(stems, term) ||
						slices.ContainsFunc(exps[i], func(x expansion) bool { return x.id == id }) {
						continue
					}
					exps[i] = append(exps[i], expansion{term, id, synonymWeight, KindSynonym})
				}
			}
		}
	}
}
