package search

import (
	"testing"
)

func TestQueryKey(t *testing.T) {
	tests := []struct{ lang, a, b string }{
		{"en", "Printer makes lines on paper", "lines on the paper, printer makes"},
		{"en", "printers", "printer"},
		{"es", "La impresora deja rayas", "rayas, deja la impresora"},
	}
	for _, tt := range tests {
		if ka, kb := QueryKey(tt.lang, tt.a), QueryKey(tt.lang, tt.b); ka != kb || ka == "" {
			t.Errorf("QueryKey(%s, %q) = %q, QueryKey(%q) = %q; want the same, not empty", tt.lang, tt.a, ka, tt.b, kb)
		}
	}
	if k := QueryKey("en", "the of and"); k != "" {
		t.Errorf("QueryKey(stop words only) = %q; want \"\"", k)
	}
}

func TestLearned(t *testing.T) {
	ix := synonymIndex()
	ix.Add(Doc{ID: "printer-es", Lang: "es", Title: "Rayas al imprimir", Body: "El tambor está sucio."})
	learned := NewLearned(map[string]map[string][]string{
		"en": {
			QueryKey("en", "my pages come out striped"): {"printer"},
			QueryKey("en", "vpn"):                       {"connect", "movil"},
		},
		"es": {QueryKey("es", "hojas con líneas"): {"printer-es"}},
	})
	first := func(q Query) string {
		q.Learned = learned
		if rs := ix.Search(q); len(rs) > 0 {
			return rs[0].ID
		}
		return ""
	}
	tests := []struct {
		q    Query
		want string // the first result
	}{
		// No word of the query names the page: the learned page first.
		{Query{Text: "my pages come out striped", Lang: "en"}, "printer"},
		// Above the lexical match; an article of another language is
		// filtered out as any other would be.
		{Query{Text: "VPN", Lang: "en"}, "connect"},
		{Query{Text: "vpn", Lang: "en", Category: "email"}, ""},
		{Query{Text: "hojas con líneas", Lang: "es"}, "printer-es"},
		// Another language's association does not apply.
		{Query{Text: "hojas con lineas", Lang: "en"}, "printer"},
		// Only the same words: a longer query is another question.
		{Query{Text: "my pages come out striped and torn", Lang: "en"}, "connect"},
	}
	for _, tt := range tests {
		if got := first(tt.q); got != tt.want {
			t.Errorf("Search(%q, %s, category %q) with learned: first %q; want %q", tt.q.Text, tt.q.Lang, tt.q.Category, got, tt.want)
		}
	}
	if rs := ix.Search(Query{Text: "my pages come out striped", Lang: "en", Learned: learned}); len(rs) == 0 || rs[0].Snippet == "" {
		t.Errorf("learned result = %+v; want a snippet", rs)
	}
	if rs := ix.Search(Query{Text: "VPN", Lang: "en", Learned: learned}); len(rs) != 2 || rs[1].ID != "vpn-faq" {
		t.Errorf("VPN with learned = %+v; want connect, then the lexical match vpn-faq", rs)
	}
}
