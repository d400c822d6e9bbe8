package search

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/rankings.golden")

// loadArticles parses the demo articles in ../../server/seed/articles: YAML
// front matter between "---" lines (id, title, summary, category, lang and
// tags as [a, b]) followed by a Markdown body.
func loadArticles(tb testing.TB) []Doc {
	tb.Helper()
	paths, err := filepath.Glob("../../server/seed/articles/*.md")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no demo articles found: %v", err)
	}
	sort.Strings(paths)
	var docs []Doc
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		d, err := parseArticle(string(data))
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// parseArticle parses one article file.
func parseArticle(s string) (Doc, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	rest, ok := strings.CutPrefix(s, "---\n")
	if !ok {
		return Doc{}, fmt.Errorf("no front matter")
	}
	front, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		return Doc{}, fmt.Errorf("unterminated front matter")
	}
	var d Doc
	for _, line := range strings.Split(front, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "id":
			d.ID = val
		case "title":
			d.Title = val
		case "summary":
			d.Summary = val
		case "category":
			d.Category = val
		case "lang":
			d.Lang = val
		case "tags":
			val = strings.TrimSuffix(strings.TrimPrefix(val, "["), "]")
			for _, t := range strings.Split(val, ",") {
				if t = strings.TrimSpace(t); t != "" {
					d.Tags = append(d.Tags, t)
				}
			}
		}
	}
	if d.ID == "" || d.Lang == "" {
		return Doc{}, fmt.Errorf("missing id or lang")
	}
	d.Body = strings.TrimSpace(body)
	return d, nil
}

// demoIndex indexes the demo articles.
func demoIndex(tb testing.TB) *Index {
	tb.Helper()
	ix := NewIndex()
	for _, d := range loadArticles(tb) {
		ix.Add(d)
	}
	return ix
}

// goldenQueries are the ranking checks: what a user types, and the article
// they want on top.
var goldenQueries = []struct{ lang, text, want string }{
	{"en", "password reset", "password-reset"},
	{"en", "pasword reset", "password-reset"},
	{"en", "forgot my password", "password-reset"},
	{"en", "pass", "password-reset"},
	{"en", "account locked out", "account-locked"},
	{"en", "priner jam", "printer-jam"},
	{"en", "printer not printing", "printer-jam"},
	{"en", "add a network printer", "printer-add"},
	{"en", "wfi slow", "wifi-slow"},
	{"en", "wifi keeps dropping", "wifi-slow"},
	{"en", "connect to wi-fi", "wifi-connect"},
	{"en", "vpn won't connect", "vpn-troubleshoot"},
	{"en", "install vpn", "vpn-setup"},
	{"en", "battery not charging", "laptop-battery"},
	{"en", "email not arriving", "email-not-syncing"},
	{"en", "outlook on iphone", "email-outlook-setup"},
	{"en", "new phone authenticator", "mfa-new-phone"},
	{"en", "laptop batery", "laptop-battery"},
	{"en", "unlock account", "account-locked"},
	{"en", "outlok", "email-outlook-setup"},
	{"en", "paper ja", "printer-jam"},
	{"es", "contrasena", "password-reset-es"},
	{"es", "restablecer contraseña", "password-reset-es"},
	{"es", "cuenta bloqueada", "account-locked-es"},
	{"es", "impresora atascada", "printer-jam-es"},
	{"es", "atasco de papel", "printer-jam-es"},
	{"es", "añadir impresora", "printer-add-es"},
	{"es", "bateria portatil", "laptop-battery-es"},
	{"es", "la batería no carga", "laptop-battery-es"},
	{"es", "vpn no conecta", "vpn-troubleshoot-es"},
	{"es", "instalar vpn", "vpn-setup-es"},
	{"es", "correo no llega", "email-not-syncing-es"},
	{"es", "configurar correo en el movil", "email-outlook-setup-es"},
	{"es", "wifi lento", "wifi-slow-es"},
	{"es", "conectarse al wifi", "wifi-connect-es"},
	{"es", "telefono nuevo autenticacion", "mfa-new-phone-es"},
	{"es", "impresra", "printer-add-es"},
	{"es", "desbloquear cuenta", "account-locked-es"},
	{"es", "contraseña caducada", "password-reset-es"},
	{"es", "autenticacion en dos pasos", "mfa-new-phone-es"},
	{"es", "sincronizacion del correo", "email-not-syncing-es"},
	{"es", "red inalambrica oficina", "wifi-connect-es"},
	{"es", "conexion lenta", "wifi-slow-es"},
}

// goldenTop3 lists, by "lang text", a second article that belongs in the
// top three.
var goldenTop3 = map[string]string{
	"en password reset":       "account-locked",
	"en printer not printing": "printer-add",
	"en vpn won't connect":    "vpn-setup",
	"en wifi keeps dropping":  "wifi-connect",
	"en email not arriving":   "email-outlook-setup",
	"es vpn no conecta":       "vpn-setup-es",
	"es impresora atascada":   "printer-add-es",
	"es wifi lento":           "wifi-connect-es",
	"es correo no llega":      "email-outlook-setup-es",
	"es contrasena":           "account-locked-es",
	"es cuenta bloqueada":     "password-reset-es",
}

// searchIDs returns the IDs of the results of q, in order.
func searchIDs(ix *Index, q Query) []string {
	var ids []string
	for _, r := range ix.Search(q) {
		ids = append(ids, r.ID)
	}
	return ids
}

// top3 returns the IDs of the first three results of q.
func top3(ix *Index, q Query) []string {
	q.Limit = 3
	return searchIDs(ix, q)
}

func TestGoldenRankings(t *testing.T) {
	ix := demoIndex(t)
	var buf bytes.Buffer
	for _, g := range goldenQueries {
		ids := top3(ix, Query{Text: g.text, Lang: g.lang})
		fmt.Fprintf(&buf, "%s\t%s\t%s\n", g.lang, g.text, strings.Join(ids, ","))
		if len(ids) == 0 || ids[0] != g.want {
			t.Errorf("Search(%q, %s) top = %v; want %v first", g.text, g.lang, ids, g.want)
		}
		if also, ok := goldenTop3[g.lang+" "+g.text]; ok && !slices.Contains(ids, also) {
			t.Errorf("Search(%q, %s) top = %v; want %v among them", g.text, g.lang, ids, also)
		}
	}
	golden := filepath.Join("testdata", "rankings.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	wantLines := readLines(want)
	gotLines := readLines(buf.Bytes())
	for i := range max(len(wantLines), len(gotLines)) {
		var w, g string
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if w != g {
			t.Errorf("ranking line %d = %q; want %q", i+1, g, w)
		}
	}
}

// readLines splits data into lines.
func readLines(data []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestSearchFilters(t *testing.T) {
	ix := demoIndex(t)
	tests := []struct {
		q    Query
		want []string // exact top IDs, in order
	}{
		{Query{Text: "vpn setup", Lang: "en", Category: "network", Limit: 1}, []string{"vpn-setup"}},
		{Query{Text: "atasco", Lang: "es", Category: "accounts"}, nil},
		{Query{Text: "atasco", Lang: "en"}, nil},
		{Query{Text: "printer", Lang: "fr"}, nil},
		{Query{Text: "", Lang: "en"}, nil},
		{Query{Text: "the and of", Lang: "en"}, nil},
		{Query{Text: "zzzzqqq"}, nil},
		{Query{Text: "paper jam", Lang: "EN", Category: "DEVICES", Limit: 1}, []string{"printer-jam"}},
	}
	for _, tt := range tests {
		if got := searchIDs(ix, tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Search(%+v) = %v; want %v", tt.q, got, tt.want)
		}
	}
	for _, r := range ix.Search(Query{Text: "vpn", Lang: "es", Limit: 100}) {
		if !strings.HasSuffix(r.ID, "-es") {
			t.Errorf("Search(%q, es) returned %s", "vpn", r.ID)
		}
	}
}

func TestSearchLimit(t *testing.T) {
	ix := NewIndex()
	for i := range 150 {
		ix.Add(Doc{ID: fmt.Sprintf("d%03d", i), Lang: "en", Title: "printer"})
	}
	tests := []struct{ limit, want int }{{0, 10}, {-5, 10}, {3, 3}, {100, 100}, {1000, 100}}
	for _, tt := range tests {
		res := ix.Search(Query{Text: "printer", Limit: tt.limit})
		if len(res) != tt.want {
			t.Errorf("Search(limit %d) = %d results; want %d", tt.limit, len(res), tt.want)
		}
		for i := 1; i < len(res); i++ {
			if res[i-1].ID >= res[i].ID {
				t.Errorf("Search(limit %d): equal scores not sorted by ID: %s, %s", tt.limit, res[i-1].ID, res[i].ID)
			}
		}
	}
}

func TestAddRemoveReplace(t *testing.T) {
	ix := NewIndex()
	ix.Add(Doc{ID: "a", Lang: "en", Title: "Printer jam"})
	ix.Add(Doc{ID: "b", Lang: "en", Title: "Wi-Fi slow"})
	ix.Add(Doc{ID: "a", Lang: "en", Title: "Battery drain"}) // replaces
	tests := []struct {
		text string
		want []string
	}{
		{"printer", nil},
		{"battery", []string{"a"}},
		{"wifi", []string{"b"}},
		{"wi-fi", []string{"b"}},
	}
	check := func() {
		t.Helper()
		for _, tt := range tests {
			if got := searchIDs(ix, Query{Text: tt.text}); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Search(%q) = %v; want %v", tt.text, got, tt.want)
			}
		}
	}
	check()
	if ix.Len() != 2 {
		t.Errorf("Len() = %d; want 2", ix.Len())
	}
	ix.Remove("b")
	ix.Remove("missing")
	tests[2].want, tests[3].want = nil, nil
	check()
	if ix.Len() != 1 {
		t.Errorf("Len() = %d; want 1", ix.Len())
	}
	ix.Remove("a")
	if ix.Len() != 0 || len(ix.terms) != 0 || ix.all != (stats{}) || len(ix.byLang) != 0 {
		t.Errorf("empty index keeps state: len %d, %d terms, stats %v, %d langs", ix.Len(), len(ix.terms), ix.all, len(ix.byLang))
	}
	var zero Index
	zero.Add(Doc{ID: "z", Title: "zero value"})
	if got := zero.Search(Query{Text: "zero"}); len(got) != 1 {
		t.Errorf("zero Index Search(%q) = %v; want 1 result", "zero", got)
	}
	var nilIx *Index
	if nilIx.Len() != 0 || nilIx.Search(Query{Text: "x"}) != nil {
		t.Errorf("nil Index is not empty")
	}
}

func TestIncrementalMatchesFresh(t *testing.T) {
	docs := loadArticles(t)
	inc := NewIndex()
	for _, d := range docs {
		inc.Add(Doc{ID: d.ID, Lang: d.Lang, Title: "placeholder", Body: "temporary text"})
	}
	inc.Add(Doc{ID: "extra", Lang: "en", Title: "Printer password"})
	for _, d := range docs {
		inc.Add(d)
	}
	inc.Remove("extra")
	fresh := demoIndex(t)
	for _, g := range goldenQueries {
		q := Query{Text: g.text, Lang: g.lang}
		if got, want := inc.Search(q), fresh.Search(q); !reflect.DeepEqual(got, want) {
			t.Errorf("Search(%q) incremental = %v; want %v", g.text, got, want)
		}
	}
}

func TestTypoAndPrefix(t *testing.T) {
	ix := NewIndex()
	ix.Add(Doc{ID: "pw", Lang: "en", Title: "Reset your password"})
	ix.Add(Doc{ID: "pr", Lang: "en", Title: "Printing troubleshooting"})
	ix.Add(Doc{ID: "dev", Lang: "en", Title: "Configuration management"})
	tests := []struct {
		text string
		want []string
	}{
		{"pass", []string{"pw"}},
		{"pasword", []string{"pw"}},
		{"passwrod", []string{"pw"}},       // transposition
		{"pswd", nil},                      // distance 2 on a short word
		{"cnofgiuration", []string{"dev"}}, // distance 2, 8+ letters
		{"printin", []string{"pr"}},
		{"pass reset", []string{"pw"}},
		{"pass xyz", nil}, // only the last word is a prefix
		{"p", nil},
	}
	for _, tt := range tests {
		if got := searchIDs(ix, Query{Text: tt.text}); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Search(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
	exact := ix.Search(Query{Text: "password"})
	typo := ix.Search(Query{Text: "pasword"})
	if len(exact) != 1 || len(typo) != 1 || !(typo[0].Score < exact[0].Score) {
		t.Errorf("Search(%q) = %v; want a lower score than Search(%q) = %v", "pasword", typo, "password", exact)
	}
}

func TestSnippet(t *testing.T) {
	ix := demoIndex(t)
	for _, g := range goldenQueries {
		for _, r := range ix.Search(Query{Text: g.text, Lang: g.lang}) {
			if n := len([]rune(r.Snippet)); n > snippetLen+2 || r.Snippet == "" {
				t.Errorf("Search(%q) %s snippet has %d runes: %q", g.text, r.ID, n, r.Snippet)
			}
			if strings.ContainsAny(r.Snippet, "*`|#") {
				t.Errorf("Search(%q) %s snippet keeps Markdown: %q", g.text, r.ID, r.Snippet)
			}
			prev := -1
			for _, h := range r.Highlights {
				if h[0] <= prev || h[0] >= h[1] || h[1] > len(r.Snippet) {
					t.Fatalf("Search(%q) %s highlights = %v; bad for snippet %q", g.text, r.ID, r.Highlights, r.Snippet)
				}
				prev = h[1]
			}
		}
	}
	res := ix.Search(Query{Text: "paper jam", Lang: "en", Limit: 1})
	if len(res) != 1 || len(res[0].Highlights) == 0 {
		t.Fatalf("Search(%q) = %v; want a highlighted hit", "paper jam", res)
	}
	for _, h := range res[0].Highlights {
		if w := strings.ToLower(res[0].Snippet[h[0]:h[1]]); !strings.HasPrefix(w, "paper") && !strings.HasPrefix(w, "jam") {
			t.Errorf("Search(%q) highlight %v = %q; want paper or jam", "paper jam", h, w)
		}
	}
	ix2 := NewIndex()
	ix2.Add(Doc{ID: "s", Lang: "es", Summary: "Cambia tu contraseña.", Title: "Contraseña"})
	res = ix2.Search(Query{Text: "contrasena", Lang: "es"})
	want := []Result{{ID: "s", Snippet: "Cambia tu contraseña.", Highlights: [][2]int{{10, 21}}}}
	if len(res) == 1 {
		want[0].Score = res[0].Score
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("Search(%q) = %v; want %v", "contrasena", res, want)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"## 1. Look at the **printer** screen", "Look at the printer screen"},
		{"- item one\n* item `two`\n3. three", "item one item two three"},
		{"| Message | What |\n|---|---|\n| **Jam** | Fix |", "Message What Jam Fix"},
		{"See [the portal](https://x.example/a) and ![logo](l.png) <br> <https://a.example>", "See the portal and logo https://a.example"},
		{"```\ncode here\n```", "code here"},
		{"> quoted __bold__", "quoted bold"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	ix := demoIndex(t)
	ix.Remove("wifi-slow") // leave a free slot
	data, err := ix.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ix.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Errorf("MarshalBinary is not deterministic")
	}
	var got Index
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatalf("UnmarshalBinary: %v", err)
	}
	if got.Len() != ix.Len() {
		t.Errorf("Len() = %d; want %d", got.Len(), ix.Len())
	}
	queries := append([]string{"printer", "pass", "wfi", "contrasena", "vpn conect"}, func() []string {
		var qs []string
		for _, g := range goldenQueries {
			qs = append(qs, g.text)
		}
		return qs
	}()...)
	for _, text := range queries {
		for _, lang := range []string{"", "en", "es"} {
			q := Query{Text: text, Lang: lang, Limit: 100}
			if a, b := got.Search(q), ix.Search(q); !reflect.DeepEqual(a, b) {
				t.Errorf("Search(%q, %q) after round trip = %v; want %v", text, lang, a, b)
			}
		}
	}
	// The restored index keeps working incrementally.
	got.Add(Doc{ID: "new", Lang: "en", Title: "Quantum teleporter"})
	got.Remove("printer-jam")
	if res := got.Search(Query{Text: "teleporter"}); len(res) != 1 || res[0].ID != "new" {
		t.Errorf("Search(%q) after Add = %v; want [new]", "teleporter", res)
	}
	for _, r := range got.Search(Query{Text: "printer", Limit: 100}) {
		if r.ID == "printer-jam" {
			t.Errorf("Search(%q) after Remove still returns printer-jam", "printer")
		}
	}
}

func TestUnmarshalCorrupt(t *testing.T) {
	ix := demoIndex(t)
	data, _ := ix.MarshalBinary()
	before := ix.Search(Query{Text: "printer"})
	for _, bad := range [][]byte{nil, []byte("OPSX"), []byte("OPSX\x03"), []byte("nope!"), data[:len(data)/2], append(append([]byte{}, data...), 0)} {
		if err := ix.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%d bytes) = nil; want error", len(bad))
		}
	}
	// Flipping any byte must not panic.
	for i := 0; i < len(data); i += 1 + len(data)/500 {
		mut := append([]byte{}, data...)
		mut[i] ^= 0xff
		var x Index
		_ = x.UnmarshalBinary(mut)
		x.Search(Query{Text: "printer pass"})
	}
	if after := ix.Search(Query{Text: "printer"}); !reflect.DeepEqual(before, after) {
		t.Errorf("failed UnmarshalBinary changed the index")
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"password", "pasword", 2, 1}, {"password", "passwrod", 2, 1}, {"printer", "priner", 1, 1},
		{"abc", "abc", 1, 0}, {"abc", "xyz", 2, 3}, {"ca", "abc", 3, 3}, {"ca", "abc", 2, 3}, {"", "ab", 2, 2}, {"wifi", "wfi", 1, 1},
	}
	for _, tt := range tests {
		if got := editDistance([]rune(tt.a), []rune(tt.b), tt.max); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d; want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func FuzzSearch(f *testing.F) {
	ix := demoIndex(f)
	for _, g := range goldenQueries {
		f.Add(g.text, g.lang)
	}
	f.Add("", "")
	f.Add("\xff\xfe a-b-c ñ e\u0301", "es")
	f.Fuzz(func(t *testing.T, text, lang string) {
		res := ix.Search(Query{Text: text, Lang: lang, Limit: 20})
		for i, r := range res {
			if i > 0 && (res[i-1].Score < r.Score || (res[i-1].Score == r.Score && res[i-1].ID >= r.ID)) {
				t.Fatalf("Search(%q) not sorted at %d: %v", text, i, res)
			}
			for _, h := range r.Highlights {
				if h[0] < 0 || h[0] >= h[1] || h[1] > len(r.Snippet) {
					t.Fatalf("Search(%q) %s highlight %v outside snippet %q", text, r.ID, h, r.Snippet)
				}
			}
		}
		_ = Stem(lang, Fold(text))
	})
}

func FuzzUnmarshal(f *testing.F) {
	ix := NewIndex()
	ix.Add(Doc{ID: "a", Lang: "en", Title: "Printer jam", Tags: []string{"printer"}, Body: "Clear the **paper** jam."})
	ix.Add(Doc{ID: "b", Lang: "es", Title: "Contraseña", Summary: "Restablecer la contraseña"})
	data, _ := ix.MarshalBinary()
	f.Add(data)
	f.Add([]byte("OPSX\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var x Index
		if err := x.UnmarshalBinary(data); err != nil {
			return
		}
		x.Search(Query{Text: "printer contrasena pap"})
		x.Add(Doc{ID: "a", Title: "replaced"})
		x.Remove("b")
		if _, err := x.MarshalBinary(); err != nil {
			t.Fatalf("MarshalBinary after UnmarshalBinary: %v", err)
		}
	})
}

func TestUnmarshalOldVersion(t *testing.T) {
	data, _ := demoIndex(t).MarshalBinary()
	old := append([]byte{}, data...)
	old[len(codecMagic)] = 1 // format 1: nested maps, no token streams
	var x Index
	if err := x.UnmarshalBinary(old); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("UnmarshalBinary(version 1) = %v; want a version error (so that kbsearch rebuilds)", err)
	}
}

func TestRemoveCompacts(t *testing.T) {
	ix, docs := resultsCorpus(t)
	fresh := NewIndex()
	for i, d := range docs {
		if i%23 != 4 && i%3 != 1 {
			fresh.Add(d)
		}
	}
	for i := 1; i < len(docs); i += 3 {
		ix.Remove(docs[i].ID)
		if ix.dead*10 > len(ix.docs) {
			t.Fatalf("%d of %d slots dead after Remove", ix.dead, len(ix.docs))
		}
	}
	if ix.Len() != fresh.Len() {
		t.Errorf("Len() = %d; want %d", ix.Len(), fresh.Len())
	}
	_, qs := resultsQueries(docs)
	for _, q := range qs {
		if got, want := ix.Search(q), fresh.Search(q); !reflect.DeepEqual(got, want) {
			t.Fatalf("Search(%+v) after removals = %v; want %v", q, got, want)
		}
	}
}
