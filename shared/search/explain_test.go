package search

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestPrefixAfterExact: a last word that is itself a word of the pages
// ranks its own pages above those of a rarer word it starts ("back" above
// "backup"), while a prefix of a more common word still finds it at full
// weight as it is typed ("pass" → password, below the page with the word).
func TestPrefixAfterExact(t *testing.T) {
	ix := NewIndex()
	for _, d := range []Doc{
		{ID: "recover", Lang: "en", Title: "Recover a deleted file", Body: "Get it back from the trash."},
		{ID: "backup", Lang: "en", Title: "Backup", Body: "Copy your files."},
		{ID: "other", Lang: "en", Title: "Go back", Body: "Press back."},
		{ID: "pw1", Lang: "en", Title: "Reset your password", Body: "Forgot it?"},
		{ID: "pw2", Lang: "en", Title: "Choose a password", Body: "Long ones."},
		{ID: "pass", Lang: "en", Title: "Boarding pass", Body: "Print it."},
	} {
		ix.Add(d)
	}
	for _, tt := range []struct{ text, want string }{
		{"deleted file back", "[recover other backup]"},
		{"file back", "[other recover backup]"}, // with 0.8 for "backup": [backup other recover]
		{"pass", "[pass pw1 pw2]"},
	} {
		var got []string
		for _, r := range ix.Search(Query{Text: tt.text, Lang: "en"}) {
			got = append(got, r.ID)
		}
		if fmt.Sprint(got) != tt.want {
			t.Errorf("Search(%q) = %v; want %s", tt.text, got, tt.want)
		}
	}
}

// TestExpand shows what each query word matches, and why, with the code
// Search runs: the word itself, a typo, a prefix, a synonym, a related
// word; a word on most pages gets no related words.
func TestExpand(t *testing.T) {
	ix := relatedIndex()
	syn := NewSynonyms(map[string][][]string{"en": {{"lines", "stripes"}}})
	rel := NewRelated(map[string]map[string]string{"en": {"line": "streak:7", "radio": "wireless:6", "comput": "font:9"}})
	q := Query{Text: "the lines radios computer printr", Lang: "en", Synonyms: syn, Related: rel}
	got := ix.Expand(q)
	want := []WordExpansions{
		{"line", []Expansion{{"line", KindExact, 1, 1}, {"streak", KindRelated, relatedWeight * 0.7, 1}}},
		{"radio", []Expansion{{"wireless", KindRelated, relatedWeight * 0.6, 1}}},
		{"comput", []Expansion{{"comput", KindExact, 1, 6}}}, // on 6 of 6 pages: no related words
		{"printr", []Expansion{{"printer", KindTypo, typo1Weight, 1}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Expand(%q) =\n%+v; want\n%+v", q.Text, got, want)
	}
	q.Text = "stripes"
	if got := ix.Expand(q); len(got) != 1 || len(got[0].Terms) != 1 || got[0].Terms[0].Term != "line" || got[0].Terms[0].Kind != KindSynonym {
		t.Errorf("Expand(stripes) = %+v; want the synonym line", got)
	}
	if got := ix.Expand(Query{Text: "lines", Lang: "fr"}); got != nil {
		t.Errorf("Expand in a language with no pages = %+v; want nil", got)
	}
	if got := (*Index)(nil).Expand(q); got != nil {
		t.Errorf("nil index: %+v", got)
	}
	for k, name := range map[ExpansionKind]string{KindExact: "exact", KindTypo: "typo", KindPrefix: "prefix", KindSynonym: "synonym", KindRelated: "related", 9: "?"} {
		if k.String() != name {
			t.Errorf("ExpansionKind(%d) = %q; want %q", k, k, name)
		}
	}
}

// TestExplain says which expansion each query word scored with in a doc,
// and the scores add up to the doc's score before its title boost.
func TestExplain(t *testing.T) {
	ix := relatedIndex()
	rel := NewRelated(map[string]map[string]string{"en": {"line": "streak:7"}})
	q := Query{Text: "printer lines", Lang: "en", Related: rel}
	cs := ix.Explain(q, "streaks")
	if len(cs) != 2 || cs[0].Stem != "printer" || cs[0].Kind != KindExact || !cs[0].Title ||
		cs[1].Stem != "line" || cs[1].Term != "streak" || cs[1].Kind != KindRelated {
		t.Fatalf("Explain = %+v; want printer exact in the title, line → streak related", cs)
	}
	sum := cs[0].Score + cs[1].Score
	for _, r := range ix.Search(q) {
		if r.ID == "streaks" && (r.Score < sum || r.Score > sum*(1+titleBoost)+1e-9) {
			t.Errorf("score %v; want between %v and %v", r.Score, sum, sum*(1+titleBoost))
		}
	}
	if got := ix.Explain(q, "nope"); got != nil {
		t.Errorf("Explain(unknown doc) = %+v", got)
	}
}

// TestMergeRelatedSources: sources are scaled, then joined in order, and
// BuildRelated reads accented and hyphenated words as the index does.
func TestMergeRelatedSources(t *testing.T) {
	a, _ := ReadRelatedSource("en", strings.NewReader("lines\tstreaks:8\n"))
	b, _ := ReadRelatedSource("en", strings.NewReader("lines\tstripes:9 font:1\nsmall\tlarger:5\n"))
	b.Scale = 0.5
	m := MergeRelatedSources("en", a, nil, b)
	if got := fmt.Sprint(m.Words); got != "[{lines [{streaks 8}]} {lines [{stripes 5} {font 1}]} {small [{larger 3}]}]" {
		t.Errorf("MergeRelatedSources = %s", got)
	}
	ix := NewIndex()
	ix.Add(Doc{ID: "1", Lang: "es", Title: "Líneas en la página"})
	ix.Add(Doc{ID: "2", Lang: "es", Title: "Impresión a doble-cara"})
	for i := range 8 {
		ix.Add(Doc{ID: fmt.Sprint("x", i), Lang: "es", Title: "Otra cosa"})
	}
	src, _ := ReadRelatedSource("es", strings.NewReader("rayas\tlíneas:7\ndúplex\tdoble-cara:7\n"))
	got := BuildRelated(src, ix, nil)
	want := map[string]string{"ray": "lin:7", "duplex": Stem("es", "doblecara") + ":7"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BuildRelated = %v; want %v", got, want)
	}
}
