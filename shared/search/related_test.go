package search

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// relatedIndex is a small English knowledge base: printer pages, screen
// pages, and a word ("computer") on most pages.
func relatedIndex() *Index {
	ix := NewIndex()
	for _, d := range []Doc{
		{ID: "streaks", Lang: "en", Title: "Printer streaks", Body: "Streaks on the page mean a dirty drum in the computer printer."},
		{ID: "lines", Lang: "en", Title: "Draw lines", Body: "Draw straight lines with the computer."},
		{ID: "font", Lang: "en", Title: "Change the font size", Body: "Make the computer text larger."},
		{ID: "airplane", Lang: "en", Title: "Airplane mode", Body: "Turn off wireless and bluetooth on the computer."},
		{ID: "battery", Lang: "en", Title: "Battery life", Body: "Dim the computer screen."},
		{ID: "disk", Lang: "en", Title: "Disk full", Body: "Delete old files from the computer."},
		{ID: "es", Lang: "es", Title: "Rayas al imprimir", Body: "Rayas en el papel."},
	} {
		ix.Add(d)
	}
	return ix
}

const relatedSourceText = "lines\tstreaks:7 stripes:6 computer:6\n" +
	"letters\tfont:6 characters:5 words:4\n" +
	"radios\twireless:6 bluetooth:5 airplane:4 radio:9\n" +
	"plane\tairplane:8 aircraft:7\n" +
	"small\tlarger:5 tiny:6\n" +
	"laptop\tcomputer:8\n"

// TestBuildRelated is the builder's golden test: a source table
// restricted to the vocabulary of relatedIndex, strongest first, without
// words missing from the pages, on most pages (computer), the word's own
// stem (radio), or blocked.
func TestBuildRelated(t *testing.T) {
	src, err := ReadRelatedSource("en", strings.NewReader(relatedSourceText))
	if err != nil {
		t.Fatal(err)
	}
	ix := relatedIndex()
	got := BuildRelated(src, ix, func(from, to string) bool { return from == "plane" && to == "airplan" })
	want := map[string]string{
		"line":   "streak:7",
		"letter": "font:6",
		"radio":  "wireless:6 bluetooth:5 airplan:4",
		"small":  "larger:5",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BuildRelated = %v; want %v", got, want)
	}
	// The same input gives the same table.
	if again := BuildRelated(src, ix, func(from, to string) bool { return from == "plane" && to == "airplan" }); !reflect.DeepEqual(again, got) {
		t.Errorf("second build = %v; want %v", again, got)
	}
	// No Spanish source: nothing for Spanish pages.
	if es := BuildRelated(&RelatedSource{Lang: "es", Words: src.Words}, ix, nil); len(es) != 0 {
		t.Errorf("BuildRelated(es) = %v; want none (no Spanish page uses those words)", es)
	}
	for _, bad := range []string{"lines streaks:7\n", "lines\tstreaks:x\n", "lines\tstreaks:10\n", "\tstreaks:7\n"} {
		if _, err := ReadRelatedSource("en", strings.NewReader(bad)); err == nil {
			t.Errorf("ReadRelatedSource(%q) = nil error; want one", bad)
		}
	}
}

// TestRelated ranks with related words: they find pages that do not use
// the reader's word, below pages that do, and only in their language.
func TestRelated(t *testing.T) {
	rel := NewRelated(map[string]map[string]string{
		"en": {"line": "streak:7", "letter": "font:6", "radio": "wireless:6 bluetooth:5 airplan:4", "small": "larger:5 bad:x"},
	})
	ix := relatedIndex()
	ids := func(rs []Result) string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return fmt.Sprint(out)
	}
	tests := []struct {
		q            Query
		want, before string
	}{
		// The page using the word ranks above the one found through a
		// related word.
		{Query{Text: "lines", Lang: "en"}, "[lines streaks]", "[lines]"},
		// "printer" and "streak" together beat "lines" in a title.
		{Query{Text: "printer lines", Lang: "en"}, "[streaks lines]", "[lines streaks]"},
		{Query{Text: "letters too small", Lang: "en"}, "[font]", "[]"},
		{Query{Text: "turn off all radios", Lang: "en"}, "[airplane]", "[airplane]"},
		{Query{Text: "radios", Lang: "en"}, "[airplane]", "[]"},
		// English related words do not touch Spanish searches.
		{Query{Text: "lines", Lang: "es"}, "[]", "[]"},
	}
	for _, tt := range tests {
		before := tt.q
		tt.q.Related = rel
		if got := ids(ix.Search(tt.q)); got != tt.want {
			t.Errorf("Search(%q) with related words = %s; want %s", tt.q.Text, got, tt.want)
		}
		if got := ids(ix.Search(before)); got != tt.before {
			t.Errorf("Search(%q) without = %s; want %s", before.Text, got, tt.before)
		}
	}
	// A related word scores well below the reader's own word.
	rs := ix.Search(Query{Text: "lines", Lang: "en", Related: rel})
	if len(rs) != 2 || rs[1].Score > rs[0].Score*0.6 {
		t.Errorf("scores %+v; want the related page well below", rs)
	}
	if rel.Len("en") != 4 || rel.Len("es") != 0 {
		t.Errorf("Len = %d, %d; want 4, 0", rel.Len("en"), rel.Len("es"))
	}
	var none *Related
	if none.Len("en") != 0 || ids(ix.Search(Query{Text: "radios", Lang: "en", Related: none})) != "[]" {
		t.Error("a nil *Related must add nothing")
	}
}
