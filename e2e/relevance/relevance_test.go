package relevance

import (
	"slices"
	"strings"
	"testing"

	"outpost/app/kbsearch"
	"outpost/shared/search"
)

// TestSets loads the corpus and both query sets and checks that every
// article a query wants exists, in the query's language, so the sets
// cannot rot when articles are renamed or removed.
func TestSets(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	arts, help, dev, held := d.Articles, d.Help, d.Dev, d.HeldOut
	byID := map[string]Article{}
	for _, a := range arts {
		if _, dup := byID[a.ID]; dup {
			t.Errorf("article %q twice in the corpus", a.ID)
		}
		if a.Title == "" || a.Body == "" {
			t.Errorf("article %q has no title or no body", a.ID)
		}
		byID[a.ID] = a
	}
	langs := map[string]int{}
	for _, a := range help.Articles {
		langs[a.Lang]++
	}
	if langs["en"] < 200 || langs["es"] < 200 {
		t.Errorf("GNOME Help pages by language: %v, want a few hundred in en and es", langs)
	}
	if !strings.Contains(help.License, "CC-BY-SA") {
		t.Errorf("GNOME Help license %q, want its CC-BY-SA notice", help.License)
	}

	if len(dev) < 60 || len(held) < 40 {
		t.Errorf("%d development and %d held-out queries, want at least 60 and 40", len(dev), len(held))
	}
	seen := map[string]string{}
	for name, qs := range map[string][]Query{"dev.txt": dev, "heldout.txt": held} {
		perLang := map[string]int{}
		for _, q := range qs {
			perLang[q.Lang]++
			key := q.Lang + "|" + strings.ToLower(q.Text)
			if other, ok := seen[key]; ok {
				t.Errorf("%s:%d: %q is also in %s", name, q.Line, q.Text, other)
			}
			seen[key] = name
			for _, id := range q.Want {
				a, ok := byID[id]
				switch {
				case !ok:
					t.Errorf("%s:%d: %q wants %q, which is not in the corpus", name, q.Line, q.Text, id)
				case a.Lang != q.Lang:
					t.Errorf("%s:%d: %q (%s) wants %q, which is in %s", name, q.Line, q.Text, q.Lang, id, a.Lang)
				}
			}
		}
		if perLang["en"] == 0 || perLang["es"] == 0 {
			t.Errorf("%s: queries by language %v, want English and Spanish", name, perLang)
		}
	}
	if _, err := Expansions(nil); err != nil {
		t.Error(err)
	}
}

// TestParseQueries names the line of each malformed query.
func TestParseQueries(t *testing.T) {
	qs, err := ParseQueries("x.txt", "# comment\n\nen | printer makes lines | a b\nfr | bonjour | c\nes | sin artículo |\nen | only two\n")
	if len(qs) != 1 || qs[0].Text != "printer makes lines" || !slices.Equal(qs[0].Want, []string{"a", "b"}) || qs[0].Line != 3 {
		t.Errorf("parsed %+v, want the query of line 3", qs)
	}
	for _, want := range []string{`x.txt:4: language "fr"`, "x.txt:5: no article answers", "x.txt:6: want"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to hold %q", err, want)
		}
	}
}

// TestMeasure checks hit@1, hit@3 and MRR on rankings worked by hand.
func TestMeasure(t *testing.T) {
	qs := []Query{{Want: []string{"a"}}, {Want: []string{"b", "c"}}, {Want: []string{"d"}}, {Want: []string{"e"}}}
	ranked := [][]string{
		{"a", "x"},           // rank 1
		{"x", "y", "c", "b"}, // rank 3 (c)
		{"x", "y", "z", "d"}, // rank 4: not a hit@3
		nil,                  // not found
	}
	s := Measure(qs, ranked)
	if s.N != 4 || s.Hit1 != 0.25 || s.Hit3 != 0.5 || len(s.Misses) != 1 {
		t.Errorf("got %+v, want N 4, hit@1 0.25, hit@3 0.5, one miss", s)
	}
	if want := (1 + 1.0/3 + 1.0/4) / 4; s.MRR != want {
		t.Errorf("MRR %v, want %v", s.MRR, want)
	}
}

// TestOutpostExpansions checks that the figures "with expansions" search
// with what they are given: a learned search puts its article first.
func TestOutpostExpansions(t *testing.T) {
	arts, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	ix := Index(arts)
	qs := []Query{{Text: "banana telescope", Lang: "en", Want: []string{"gh-look-resolution"}}}
	learned := search.NewLearned(map[string]map[string][]string{"en": {search.QueryKey("en", qs[0].Text): {"gh-look-resolution"}}})
	if s := Measure(qs, Outpost(ix, qs, kbsearch.Expansions{Learned: learned})); s.Hit1 != 1 {
		t.Errorf("with the learned search: %+v, want the article first", s)
	}
	if s := Measure(qs, Outpost(ix, qs, kbsearch.Expansions{})); s.Hit1 == 1 {
		t.Errorf("without it: %+v, want a query that only the learned search answers", s)
	}
}
