package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"outpost/app/kbsearch"
	"outpost/app/store"
	"outpost/server/seed"
	"outpost/shared"
	"outpost/shared/wire"
)

// TestSuggest runs the ticket form's suggestions over the demo knowledge
// base in a real index: the article that answers a typed title comes
// first, in the page's language; Spanish words in the English form find
// the Spanish articles and say so; words that match nothing suggest
// nothing.
func TestSuggest(t *testing.T) {
	arts, err := seed.Articles(1)
	if err != nil {
		t.Fatal(err)
	}
	var changes []wire.Change
	for i, a := range arts {
		data, _ := json.Marshal(a)
		changes = append(changes, wire.Change{V: uint64(i + 1), Type: wire.TypeArticle, ID: a.ID, Data: data})
	}
	trees, _ := filepath.Glob("../server/seed/trees/*.json")
	for _, name := range trees {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var tr struct{ ID string }
		json.Unmarshal(data, &tr)
		changes = append(changes, wire.Change{V: uint64(len(changes) + 1), Type: wire.TypeTree, ID: tr.ID, Data: data})
	}
	ix, err := kbsearch.Open(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(changes, uint64(len(changes))); err != nil {
		t.Fatal(err)
	}
	c := &Client{Store: ix, Index: ix}
	tests := []struct {
		text, lang, first, hitsLang string
	}{
		{"The printer has a paper jam", "en", "printer-jam", ""},
		{"La impresora tiene un atasco de papel", "es", "printer-jam-es", ""},
		{"contraseña olvidada", "en", "password-reset-es", "es"},
		{"zzzqx", "en", "", ""},
	}
	for _, tt := range tests {
		hits, lang := c.suggest(tt.text, tt.lang)
		first := ""
		if len(hits) > 0 {
			first = hits[0].ID
		}
		if first != tt.first || lang != tt.hitsLang || len(hits) > suggestArticles+suggestGuides {
			t.Errorf("suggest(%q, %q) = %+v, %q; want %q first, in %q", tt.text, tt.lang, hits, lang, tt.first, tt.hitsLang)
		}
	}
	if text := suggestText(string(make([]rune, 300)), "more"); len([]rune(text)) > shared.MaxSearchQuery {
		t.Errorf("suggestText is %d runes; want at most %d", len([]rune(text)), shared.MaxSearchQuery)
	}
}
