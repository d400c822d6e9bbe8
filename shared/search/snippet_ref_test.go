package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// refSnippet is how snippets were made before token streams: re-analyzing
// the doc's plain body (and summary) for every result of every query. It
// is kept as the reference the stored-stream snippets must equal byte for
// byte.
func refSnippet(an *analyzer, plain, summary string, terms map[string]bool) (string, [][2]int) {
	text := plain
	hits := refHitsIn(an, text, terms)
	if len(hits) == 0 && summary != "" {
		text = summary
		hits = refHitsIn(an, text, terms)
	}
	if len(text) <= snippetLen {
		return text, refSpans(hits, 0, len(text), 0)
	}
	start, bestD, bestN := 0, 0, 0
	for i, h := range hits {
		seen := make(map[string]bool)
		cnt := 0
		for _, g := range hits[i:] {
			if g.end > h.start+snippetLen-snippetLead {
				break
			}
			seen[g.term] = true
			cnt++
		}
		if len(seen) > bestD || (len(seen) == bestD && cnt > bestN) {
			start, bestD, bestN = h.start, len(seen), cnt
		}
	}
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
	return b.String(), refSpans(hits, start, start+len(body), off-start)
}

func refHitsIn(an *analyzer, text string, terms map[string]bool) []token {
	var hits []token
	for _, t := range an.analyze(text) {
		if terms[t.term] {
			hits = append(hits, t)
		}
	}
	byStart := func(a, b token) int { return a.start - b.start }
	if !slices.IsSortedFunc(hits, byStart) {
		slices.SortStableFunc(hits, byStart)
	}
	return hits
}

func refSpans(hits []token, from, to, delta int) [][2]int {
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

// TestSnippetsMatchReference compares every snippet and highlight of the
// results check's queries (demo articles and a generated corpus) with
// refSnippet's.
func TestSnippetsMatchReference(t *testing.T) {
	gix, gdocs := resultsCorpus(t)
	demoQs, genQs := resultsQueries(gdocs)
	byID := map[string]Doc{}
	for _, d := range gdocs {
		byID[d.ID] = d
	}
	docs := loadArticles(t)
	for _, d := range docs {
		byID["demo/"+d.ID] = d
	}
	n := 0
	check := func(ix *Index, prefix string, qs []Query) {
		for _, q := range qs {
			terms := map[string]bool{}
			for _, exps := range ix.queryExpansions(q) {
				for _, x := range exps {
					terms[x.term] = true
				}
			}
			for _, r := range ix.Search(q) {
				d, ok := byID[prefix+r.ID]
				if !ok {
					t.Fatalf("no doc %s", r.ID)
				}
				snip, hl := refSnippet(newAnalyzer(normLang(d.Lang)), plainText(d.Body), d.Summary, terms)
				if snip != r.Snippet || !slices.Equal(hl, r.Highlights) {
					t.Errorf("Search(%+v) %s: snippet %q %v; want %q %v", q, r.ID, r.Snippet, r.Highlights, snip, hl)
				}
				n++
			}
		}
	}
	check(demoIndex(t), "demo/", demoQs)
	check(gix, "", genQs)
	if n < 5000 {
		t.Errorf("only %d snippets compared", n)
	}
}
