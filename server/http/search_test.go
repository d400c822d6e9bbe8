package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

type apiResults struct {
	Results []struct {
		ID            string   `json:"id"`
		TranslationOf string   `json:"translation_of"`
		Title         string   `json:"title"`
		Lang          string   `json:"lang"`
		Snippet       string   `json:"snippet"`
		Highlights    [][2]int `json:"highlights"`
		Score         float64  `json:"score"`
	} `json:"results"`
	Error struct {
		Code, Key, Message string
	} `json:"error"`
}

func getSearch(t *testing.T, s *testServer, params url.Values, header ...string) (int, apiResults) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+"/api/search?"+params.Encode(), nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	var out apiResults
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// publicIndex builds, with shared/search, the index a browser would hold:
// the public articles.
func publicIndex(t *testing.T, db store.Store) *search.Index {
	ix := search.NewIndex()
	err := db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeArticle, func(id string, data []byte) error {
			var a shared.Article
			if err := json.Unmarshal(data, &a); err != nil || a.Visibility != shared.Public {
				return err
			}
			ix.Add(search.Doc{ID: a.ID, Lang: a.Lang, Title: a.Title, Summary: a.Summary, Category: a.Category, Tags: a.Tags, Body: a.Body})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSearchAPIRanksLikeTheBrowser(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ix := publicIndex(t, s.db)
	for _, q := range []search.Query{
		{Text: "vpn disconnects", Lang: "en"},
		{Text: "pasword", Lang: "en"},
		{Text: "contrasena", Lang: "es"},
		{Text: "impresora atascada", Lang: "es"},
		{Text: "wi", Lang: "en"},
		{Text: "printer"},
		{Text: "email", Lang: "en", Category: "email", Limit: 2},
	} {
		params := url.Values{"q": {q.Text}}
		if q.Lang != "" {
			params.Set("lang", q.Lang)
		}
		if q.Category != "" {
			params.Set("category", q.Category)
		}
		if q.Limit != 0 {
			params.Set("limit", "2")
		}
		status, got := getSearch(t, s, params)
		want := ix.Search(q)
		if status != 200 || len(got.Results) != len(want) || len(want) == 0 {
			t.Errorf("%+v: status %d, %d results; want 200 and the %d the browser finds", q, status, len(got.Results), len(want))
			continue
		}
		for i, w := range want {
			g := got.Results[i]
			if g.ID != w.ID || g.Snippet != w.Snippet || g.Score != w.Score || g.Title == "" {
				t.Errorf("%+v: result %d = %s %q %v; want %s %q %v", q, i, g.ID, g.Snippet, g.Score, w.ID, w.Snippet, w.Score)
			}
			if q.Lang != "" && g.Lang != q.Lang {
				t.Errorf("%+v: result %s in %s", q, g.ID, g.Lang)
			}
		}
	}
	// Spanish articles say which English article they translate.
	if _, got := getSearch(t, s, url.Values{"q": {"contraseña"}, "lang": {"es"}, "limit": {"1"}}); len(got.Results) != 1 || got.Results[0].TranslationOf == "" {
		t.Errorf("contraseña: %+v; want one result with translation_of", got.Results)
	}
}

func TestSearchAPIFollowsChanges(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	_, before := getSearch(t, s, url.Values{"q": {"vpn"}, "lang": {"en"}})
	if len(before.Results) == 0 {
		t.Fatal("no VPN articles to begin with")
	}
	first := before.Results[0].ID
	// Turn the best hit internal: it must leave the public results.
	err := s.db.Update(context.Background(), func(tx store.Tx) error {
		data, err := tx.Get(wire.TypeArticle, first)
		if err != nil {
			return err
		}
		var a shared.Article
		json.Unmarshal(data, &a)
		a.Visibility = shared.Internal
		data, _ = json.Marshal(a)
		_, err = tx.Put(wire.TypeArticle, first, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, after := getSearch(t, s, url.Values{"q": {"vpn"}, "lang": {"en"}})
	for _, r := range after.Results {
		if r.ID == first {
			t.Fatalf("internal article %s is still found by the public search", first)
		}
	}
	if len(after.Results) != len(before.Results)-1 {
		t.Errorf("after hiding one: %d results; want %d", len(after.Results), len(before.Results)-1)
	}
}

func TestSearchAPIRejectsBadRequests(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	long := make([]byte, shared.MaxSearchQuery+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, c := range []struct {
		params url.Values
		key    string
	}{
		{url.Values{}, "search.query_required"},
		{url.Values{"q": {"  "}}, "search.query_required"},
		{url.Values{"q": {string(long)}}, "field.too_long"},
		{url.Values{"q": {"vpn"}, "lang": {"fr"}}, "article.bad_lang"},
		{url.Values{"q": {"vpn"}, "limit": {"0"}}, "search.bad_limit"},
		{url.Values{"q": {"vpn"}, "limit": {"ten"}}, "search.bad_limit"},
		{url.Values{"q": {"vpn"}, "limit": {"101"}}, "search.bad_limit"},
		{url.Values{"q": {"vpn"}, "category": {"cooking"}}, "category.unknown"},
	} {
		status, got := getSearch(t, s, c.params)
		if status != 400 || got.Error.Code != shared.EINVALID || got.Error.Key != c.key || got.Error.Message == "" || got.Error.Message == c.key {
			t.Errorf("%v: %d %+v; want 400 with %s and a message", c.params, status, got.Error, c.key)
		}
	}
	// The message is in the asker's language.
	_, got := getSearch(t, s, url.Values{}, "Accept-Language", "es-ES,es;q=0.9")
	if got.Error.Message != "Escribe algo para buscar." {
		t.Errorf("Spanish error message = %q", got.Error.Message)
	}
}

// TestSearchAPIUsesSynonyms: once an admin's synonyms are stored, the API
// finds what the words' synonyms name, as the browser does with the same
// record; without them it does not.
func TestSearchAPIUsesSynonyms(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	q := url.Values{"q": {"tunnel"}, "lang": {"en"}}
	if _, before := getSearch(t, s, q); len(before.Results) != 0 {
		t.Fatalf("tunnel found %d articles before any synonym; pick a word the demo KB lacks", len(before.Results))
	}
	syn := shared.Synonyms{"en": {{"tunnel", "VPN"}}}
	data, _ := json.Marshal(syn)
	if err := s.db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeConfig, shared.ConfigSynonyms, data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, got := getSearch(t, s, q)
	want := publicIndex(t, s.db).Search(search.Query{Text: "tunnel", Lang: "en", Limit: 10, Synonyms: search.NewSynonyms(syn)})
	if len(want) == 0 || len(got.Results) != len(want) {
		t.Fatalf("tunnel with tunnel = VPN: %d results; want the %d the browser finds (more than none)", len(got.Results), len(want))
	}
	for i, w := range want {
		if got.Results[i].ID != w.ID || got.Results[i].Score != w.Score {
			t.Errorf("result %d = %s %v; want %s %v", i, got.Results[i].ID, got.Results[i].Score, w.ID, w.Score)
		}
	}
}

// TestSearchAPIUsesRelatedWords: /api/search follows the related-words
// record and ranks with it exactly as the browser does.
func TestSearchAPIUsesRelatedWords(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	q := url.Values{"q": {"copier"}, "lang": {"en"}}
	if _, before := getSearch(t, s, q); len(before.Results) != 0 {
		t.Fatalf("copier found %d articles before any related words; pick a word the demo KB lacks", len(before.Results))
	}
	rel := shared.RelatedWords{"en": {"copier": "printer:4"}}
	data, _ := json.Marshal(rel)
	if err := s.db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeConfig, shared.ConfigRelated, data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, got := getSearch(t, s, q)
	want := publicIndex(t, s.db).Search(search.Query{Text: "copier", Lang: "en", Limit: 10, Related: search.NewRelated(rel)})
	if len(want) == 0 || len(got.Results) != len(want) {
		t.Fatalf("copier with copier → printer: %d results; want the %d the browser finds (more than none)", len(got.Results), len(want))
	}
	for i, w := range want {
		if got.Results[i].ID != w.ID || got.Results[i].Score != w.Score {
			t.Errorf("result %d = %s %v; want %s %v", i, got.Results[i].ID, got.Results[i].Score, w.ID, w.Score)
		}
	}
}
