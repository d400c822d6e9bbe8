package search

import (
	"fmt"
	"testing"
)

func synonymIndex() *Index {
	ix := NewIndex()
	for _, d := range []Doc{
		{ID: "connect", Lang: "en", Title: "Set up Outpost Connect", Body: "Outpost Connect links your laptop to the office network from home."},
		{ID: "vpn-faq", Lang: "en", Title: "VPN questions", Body: "Why the VPN drops on hotel wifi."},
		{ID: "printer", Lang: "en", Title: "Printer streaks", Body: "Lines on the paper mean a dirty drum."},
		{ID: "movil", Lang: "es", Title: "Configurar el móvil", Body: "El correo en tu móvil de empresa."},
		{ID: "portatil", Lang: "es", Title: "Portátil lento", Body: "Cierra programas."},
	} {
		ix.Add(d)
	}
	return ix
}

func TestSynonyms(t *testing.T) {
	syn := NewSynonyms(map[string][][]string{
		"en": {{"VPN", "Outpost Connect"}, {"streaks", "lines on paper"}, {"the", "a"}},
		"es": {{"móvil", "celular", "teléfono"}},
	})
	ix := synonymIndex()
	tests := []struct {
		q        Query
		want     string // result IDs in order
		withoutQ string // the same query without synonyms
	}{
		// A word the page does not use finds it through its synonym, below
		// the page that uses the word itself.
		{Query{Text: "vpn", Lang: "en"}, "[vpn-faq connect]", "[vpn-faq]"},
		// A phrase finds the pages of its group's other terms.
		{Query{Text: "outpost connect", Lang: "en"}, "[connect vpn-faq]", "[connect]"},
		// Only the whole phrase: "connect" alone is not "VPN".
		{Query{Text: "connect", Lang: "en"}, "[connect]", "[connect]"},
		{Query{Text: "celular", Lang: "es"}, "[movil]", "[]"},
		// Spanish synonyms stay in Spanish.
		{Query{Text: "celular", Lang: "en"}, "[]", "[]"},
		// With no language, English analysis and English synonyms.
		{Query{Text: "vpn"}, "[vpn-faq connect]", "[vpn-faq]"},
		// A group of stop words adds nothing.
		{Query{Text: "the drum", Lang: "en"}, "[printer]", "[printer]"},
	}
	ids := func(rs []Result) string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return fmt.Sprint(out)
	}
	for _, tt := range tests {
		without := tt.q
		tt.q.Synonyms = syn
		if got := ids(ix.Search(tt.q)); got != tt.want {
			t.Errorf("Search(%q, %s) with synonyms = %s; want %s", tt.q.Text, tt.q.Lang, got, tt.want)
		}
		if got := ids(ix.Search(without)); got != tt.withoutQ {
			t.Errorf("Search(%q, %s) without synonyms = %s; want %s", without.Text, without.Lang, got, tt.withoutQ)
		}
	}
	// The synonym's words are highlighted in the snippet.
	rs := ix.Search(Query{Text: "vpn", Lang: "en", Synonyms: syn})
	if len(rs) != 2 || len(rs[1].Highlights) == 0 {
		t.Fatalf("Search(vpn) = %+v; want the Outpost Connect page with highlights", rs)
	}
	if h := rs[1].Highlights[0]; rs[1].Snippet[h[0]:h[1]] != "Outpost" {
		t.Errorf("first highlight = %q; want Outpost", rs[1].Snippet[h[0]:h[1]])
	}
	if n := syn.Len("en"); n != 4 {
		t.Errorf("Len(en) = %d; want 4 (two groups of two terms; stop words dropped)", n)
	}
	var none *Synonyms
	if none.Len("en") != 0 || len(ix.Search(Query{Text: "vpn", Lang: "en", Synonyms: none})) != 1 {
		t.Error("a nil *Synonyms must add nothing")
	}
}
