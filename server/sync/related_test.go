package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// putArticles stores articles straight into db, as an import would.
func putArticles(t *testing.T, db store.Store, arts ...shared.Article) {
	t.Helper()
	err := db.Update(context.Background(), func(tx store.Tx) error {
		for _, a := range arts {
			data, _ := json.Marshal(a)
			if _, err := tx.Put(wire.TypeArticle, a.ID, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// spanishKB is a few public Spanish pages, one about font size, and one
// internal page that must not lend its words to the table.
func spanishKB() []shared.Article {
	arts := []shared.Article{
		{ID: "font-es", Lang: "es", Title: "Cambiar el tamaño del texto", Body: "Usa una tipografía más grande.", Visibility: shared.Public},
		{ID: "secret-es", Lang: "es", Title: "Sala de servidores", Body: "La clave del armario.", Visibility: shared.Internal},
		{ID: "draft-es", Lang: "es", Title: "Borrador", Body: "El altavoz nuevo.", Visibility: shared.Public, Status: shared.ArticleDraft},
	}
	for i, topic := range []string{"Impresora", "Correo", "Batería", "Ratón", "Disco"} {
		arts = append(arts, shared.Article{ID: fmt.Sprintf("t%d-es", i), Lang: "es", Title: topic, Body: "Cómo usar " + topic + ".", Visibility: shared.Public})
	}
	return arts
}

// searchWith searches ix with the stored related-words record.
func searchWith(t *testing.T, db store.Store, text string) []string {
	t.Helper()
	rel, _ := get[shared.RelatedWords](t, db, wire.TypeConfig, shared.ConfigRelated)
	ix := search.NewIndex()
	for _, a := range spanishKB() {
		ix.Add(search.Doc{ID: a.ID, Lang: a.Lang, Title: a.Title, Body: a.Body})
	}
	var ids []string
	for _, r := range ix.Search(search.Query{Text: text, Lang: "es", Related: search.NewRelated(rel)}) {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestRelatedWordsTable: the server restricts the related-words sources to
// the public, published articles' vocabulary, stores the table as a config
// record every device pulls (signed out too), writes it only when it
// changed, and leaves out the pairs an admin blocked.
func TestRelatedWordsTable(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	putArticles(t, db, spanishKB()...)
	if built, err := s.RebuildRelated(ctx); err != nil || !built {
		t.Fatalf("RebuildRelated = %v, %v; want a new table", built, err)
	}
	if got := searchWith(t, db, "las letras se ven pequeñas"); len(got) == 0 || got[0] != "font-es" {
		t.Errorf("search for small letters = %v; want font-es first", got)
	}
	rel, _ := get[shared.RelatedWords](t, db, wire.TypeConfig, shared.ConfigRelated)
	for key, list := range rel["es"] {
		for _, not := range []string{"clav", "altavoz", "armari"} {
			if strings.Contains(list, not) {
				t.Errorf("related %q → %q holds %q, a word of an internal or draft page only", key, list, not)
			}
		}
	}
	if built, err := s.RebuildRelated(ctx); err != nil || built {
		t.Errorf("second RebuildRelated = %v, %v; want no write for the same table", built, err)
	}
	msg, err := s.PullAs(ctx, outsync.Actor{ClientID: client}, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	pulled := false
	for _, c := range msg.Changes {
		pulled = pulled || (c.Type == wire.TypeConfig && c.ID == shared.ConfigRelated)
	}
	if !pulled {
		t.Error("a signed-out device did not pull the related-words table")
	}

	// Blocks: admins only, checked, then the next build leaves the pair out.
	blocks := shared.SearchBlocksSave{ID: shared.ConfigSearchBlocks, Blocks: shared.SearchBlocks{
		"es": {Related: [][2]string{{"letras", "tipografía"}, {"letras", "texto"}, {"letras", "tamaño"},
			// As the expansion view writes a pair: the table's own stem,
			// which stemming again would change ("taman" → "tam").
			{"pequeñas", "taman"}}},
	}}
	if r := push(t, s, agentAna, 1, shared.OpConfigSave, blocks); r.OK || r.Key != "synonyms.admin_only" {
		t.Fatalf("an agent blocking = %+v; want synonyms.admin_only", r)
	}
	bad := shared.SearchBlocksSave{ID: shared.ConfigSearchBlocks, Blocks: shared.SearchBlocks{"es": {Related: [][2]string{{"dos palabras", "x"}}}}}
	if r := push(t, s, slaAdmin, 1, shared.OpConfigSave, bad); r.OK || r.Key != "related.bad_block" {
		t.Fatalf("blocking a phrase = %+v; want related.bad_block", r)
	}
	if r := push(t, s, slaAdmin, 2, shared.OpConfigSave, blocks); !r.OK {
		t.Fatalf("an admin blocking = %+v; want OK", r)
	}
	if built, err := s.RebuildRelated(ctx); err != nil || !built {
		t.Fatalf("RebuildRelated after blocks = %v, %v; want a new table", built, err)
	}
	if got := searchWith(t, db, "letras pequeñas"); len(got) != 0 {
		t.Errorf("search for small letters after the blocks = %v; want nothing", got)
	}
}

// TestRunRelatedFollowsArticles: the background job rebuilds the table
// once an article change settles, and not before.
func TestRunRelatedFollowsArticles(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	fake := s.Clock.(*clock.Fake)
	const settle = time.Minute
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.RunRelated(ctx, settle); close(done) }()
	defer func() { cancel(); <-done }()
	wait, stopWait := context.WithTimeout(t.Context(), 10*time.Second)
	defer stopWait()
	rebuilt, stop := s.Watch() // RebuildRelated pokes watchers when it stores a table
	defer stop()
	if err := fake.BlockUntil(wait, 1); err != nil {
		t.Fatalf("RunRelated never waited for the start to settle: %v", err)
	}
	fake.Advance(settle) // the first build, of the one English article
	select {
	case <-rebuilt:
	case <-wait.Done():
		t.Fatal("RunRelated did not build the table once the start settled")
	}
	putArticles(t, db, spanishKB()...)
	s.Changed()
	// The job waits for the change to settle; each round moves the fake
	// clock by settle and gives the job a moment to read and build.
	for {
		if got := searchWith(t, db, "letras"); len(got) > 0 && got[0] == "font-es" {
			break
		}
		fake.Advance(settle)
		select {
		case <-rebuilt:
		case <-time.After(50 * time.Millisecond): // the job may not wait on the clock yet
		case <-wait.Done():
			t.Fatal("the table never learned the new pages' words")
		}
	}
}

// TestBlockLearnedSearch: an admin blocking a learned search takes it out
// of the learned record at once, and more readers agreeing do not bring
// it back.
func TestBlockLearnedSearch(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	query := "cannot reach the office from home"
	for n := range outsync.LearnSupport + 1 {
		who := outsync.Actor{ClientID: fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 700+n)}
		f := shared.Feedback{ID: feedbackID(700 + n), ArticleID: "vpn-setup", Helpful: true, From: shared.FromSearch, Query: query}
		if n == outsync.LearnSupport {
			key := search.QueryKey("en", query)
			save := shared.SearchBlocksSave{ID: shared.ConfigSearchBlocks, Blocks: shared.SearchBlocks{
				"en": {Learned: []shared.LearnedBlock{{Key: key, ArticleID: "vpn-setup"}}},
			}}
			if r := push(t, s, slaAdmin, 1, shared.OpConfigSave, save); !r.OK {
				t.Fatalf("blocking = %+v", r)
			}
			if l, _ := get[shared.LearnedSearches](t, db, wire.TypeConfig, shared.ConfigLearned); len(l["en"]) != 0 {
				t.Fatalf("learned after the block = %+v; want none", l)
			}
		}
		res, err := s.PushAs(ctx, who, []wire.Mutation{mutation(t, 1, shared.OpKBFeedback, f)})
		if err != nil || !res[0].OK {
			t.Fatalf("feedback = %+v, %v", res, err)
		}
		if n == outsync.LearnSupport-1 {
			if l, _ := get[shared.LearnedSearches](t, db, wire.TypeConfig, shared.ConfigLearned); len(l["en"]) != 1 {
				t.Fatalf("learned = %+v; want the association once %d devices agree", l, outsync.LearnSupport)
			}
		}
	}
	if l, _ := get[shared.LearnedSearches](t, db, wire.TypeConfig, shared.ConfigLearned); len(l["en"]) != 0 {
		t.Errorf("learned after another reader agreed = %+v; want it still blocked", l)
	}
}

// TestRelatedWordsLeaveOutOpposites: GloVe gives "slow" as a neighbour of
// "fast"; the English table leaves such opposites out, and keeps the
// curated vocabulary's words ("faster" → speed).
func TestRelatedWordsLeaveOutOpposites(t *testing.T) {
	ix := search.NewIndex()
	for i, title := range []string{"Why is my laptop slow", "Adjust the mouse speed", "Print a page", "Set the clock", "Change the wallpaper", "Find a file"} {
		ix.Add(search.Doc{ID: fmt.Sprint(i), Lang: "en", Title: title})
	}
	rel, err := outsync.BuildRelatedWords(ix, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rel["en"]["fast"]; strings.Contains(got, "slow") {
		t.Errorf("fast → %q; want no slow", got)
	}
	if got := rel["en"]["faster"]; !strings.Contains(got, "speed:7") {
		t.Errorf("faster → %q; want speed:7 (curated)", got)
	}
}
