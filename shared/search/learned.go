package search

import (
	"slices"
	"strings"
)

// QueryKey is what a query means to the learned searches: its words'
// stems in lang, without stop words, each once, sorted; "" for a query with
// none. "Printer makes lines on paper" and "lines on paper, printer" have
// the same key.
func QueryKey(lang, text string) string {
	a := newAnalyzer(normLang(lang))
	var stems []string
	for _, t := range a.analyze(text) {
		if !t.alias {
			stems = append(stems, t.term)
		}
	}
	slices.Sort(stems)
	return strings.Join(slices.Compact(stems), " ")
}

// Learned are the searches that readers followed by saying an article
// solved their problem (shared.LearnedSearches): a query with the same key
// ranks those articles first, even when it shares no word with them. A nil
// *Learned has none. It is read-only once made, so searches may share it.
type Learned struct {
	byKey map[string][]string // normLang + "\x00" + key → article IDs, strongest first
}

// NewLearned makes Learned from article IDs by query key (QueryKey), by
// language, strongest first.
func NewLearned(byLang map[string]map[string][]string) *Learned {
	l := &Learned{byKey: map[string][]string{}}
	for lang, keys := range byLang {
		for key, ids := range keys {
			k := normLang(lang) + "\x00" + key
			l.byKey[k] = append(l.byKey[k], ids...)
		}
	}
	return l
}

// articles returns the learned articles of a query in lang, strongest
// first.
func (l *Learned) articles(lang, text string) []string {
	if l == nil || len(l.byKey) == 0 {
		return nil
	}
	return l.byKey[normLang(lang)+"\x00"+QueryKey(lang, text)]
}
