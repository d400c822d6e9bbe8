package sync

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	gosync "sync"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// The related-words table: the server restricts a general table of related
// words (related/en.txt.gz, derived from GloVe and MyThes by `make
// related-words`, see related/NOTICE.md) to the vocabulary of the public,
// published articles, per language (search.BuildRelated), without the
// pairs admins blocked (shared.ConfigSearchBlocks), and stores it as the
// config record shared.ConfigRelated that every device searches with.
// RunRelated rebuilds it when articles or blocks change, once they settle.

var (
	//go:embed related/en.txt.gz
	relatedEnGz []byte
	// A small curated vocabulary of how English readers describe IT
	// problems ("stripes" → streaks, "sleep" → suspend), which GloVe's
	// nearest words often miss or drown in topical neighbours.
	//go:embed related/en-it.txt
	relatedEnIT string
	// Opposites GloVe gives as neighbours, left out like an admin's
	// blocks.
	//go:embed related/en-antonyms.txt
	relatedEnAntonyms string
	// A small curated vocabulary of how Spanish readers describe IT
	// problems: no free Spanish source helped (see related/NOTICE.md).
	//go:embed related/es.txt
	relatedEs string
)

var (
	relatedOnce    gosync.Once
	relatedSources map[string]*search.RelatedSource
	relatedErr     error
)

// relatedQueryWords is how many of the GloVe source's most common words
// may be query words of the table: on the relevance benchmark's
// development set 20,000 did as well as 50,000, and 30,000 keep the
// English table of a 262-page KB at 250 KB of JSON instead of 310 KB.
const relatedQueryWords = 30000

// RelatedSources returns the general related-words tables by language,
// read once: English is the curated vocabulary then GloVe and MyThes (its
// relatedQueryWords most common words, their similarities counted at 0.6),
// Spanish the curated vocabulary.
func RelatedSources() (map[string]*search.RelatedSource, error) {
	relatedOnce.Do(func() {
		relatedSources = map[string]*search.RelatedSource{}
		zr, err := gzip.NewReader(bytes.NewReader(relatedEnGz))
		if err != nil {
			relatedErr = fmt.Errorf("related words en: %w", err)
			return
		}
		read := map[string]*search.RelatedSource{}
		for name, r := range map[string]io.Reader{"en": zr, "en-it": strings.NewReader(relatedEnIT), "es": strings.NewReader(relatedEs)} {
			src, err := search.ReadRelatedSource(name[:2], r)
			if err != nil {
				relatedErr = fmt.Errorf("related words %s: %w", name, err)
				return
			}
			read[name] = src
		}
		glove := read["en"]
		if len(glove.Words) > relatedQueryWords {
			glove.Words = glove.Words[:relatedQueryWords]
		}
		// GloVe's nearest words are often only topical ("printer" →
		// modem): they count for 0.6 of the curated words (tuned on the
		// relevance benchmark's development set).
		glove.Scale = 0.6
		relatedSources["en"] = search.MergeRelatedSources("en", read["en-it"], glove)
		relatedSources["es"] = read["es"]
	})
	return relatedSources, relatedErr
}

// BuildRelatedWords makes the related-words table of the articles in ix
// (one index over every language), without the blocked pairs.
func BuildRelatedWords(ix *search.Index, blocks shared.SearchBlocks) (shared.RelatedWords, error) {
	srcs, err := RelatedSources()
	if err != nil {
		return nil, err
	}
	out := shared.RelatedWords{}
	for _, lang := range []string{"en", "es"} {
		src := srcs[lang]
		if src == nil {
			continue
		}
		blocked := map[[2]string]bool{}
		if lang == "en" {
			for _, line := range strings.Split(relatedEnAntonyms, "\n") {
				if a, b, ok := strings.Cut(strings.TrimSpace(line), " "); ok && !strings.HasPrefix(line, "#") {
					a, b = search.QueryKey(lang, a), search.QueryKey(lang, b)
					blocked[[2]string{a, b}], blocked[[2]string{b, a}] = true, true
				}
			}
		}
		for _, p := range blocks[lang].Related {
			from := search.QueryKey(lang, p[0])
			blocked[[2]string{from, search.QueryKey(lang, p[1])}] = true
			// The expansion view (app/kb_expand.go) names the table's
			// own stem, which stemming again may change.
			blocked[[2]string{from, search.Fold(p[1])}] = true
		}
		t := search.BuildRelated(src, ix, func(from, to string) bool { return blocked[[2]string{from, to}] })
		if len(t) > 0 {
			out[lang] = t
		}
	}
	return out, nil
}

// RebuildRelated builds the related-words table from the stored public,
// published articles and blocks, and stores it if it changed. It reports
// whether it did.
func (s *Service) RebuildRelated(ctx context.Context) (bool, error) {
	ix := search.NewIndex()
	var blocks shared.SearchBlocks
	var old []byte
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		if err := getJSON(tx, wire.TypeConfig, shared.ConfigSearchBlocks, &blocks); err != nil {
			return err
		}
		switch b, err := tx.Get(wire.TypeConfig, shared.ConfigRelated); shared.ErrorCode(err) {
		case "":
			old = b
		case shared.ENOTFOUND:
		default:
			return err
		}
		return tx.Each(wire.TypeArticle, func(_ string, data []byte) error {
			var a shared.Article
			if json.Unmarshal(data, &a) != nil || a.Visibility != shared.Public || !a.IsPublished() {
				return nil
			}
			ix.Add(search.Doc{ID: a.ID, Lang: a.Lang, Title: a.Title, Summary: a.Summary, Category: a.Category, Tags: a.Tags, Body: a.Body})
			return nil
		})
	})
	if err != nil {
		return false, err
	}
	table, err := BuildRelatedWords(ix, blocks)
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(table) // maps marshal sorted: same table, same bytes
	if err != nil {
		return false, err
	}
	if bytes.Equal(data, old) {
		return false, nil
	}
	if err := s.Store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeConfig, shared.ConfigRelated, data)
		return err
	}); err != nil {
		return false, err
	}
	s.Changed()
	return true, nil
}

// relatedInput reports whether c changes the related-words table's input:
// an article or the blocks.
func relatedInput(c wire.Change) bool {
	return c.Type == wire.TypeArticle || (c.Type == wire.TypeConfig && c.ID == shared.ConfigSearchBlocks)
}

// RunRelated keeps the related-words table in step with the articles and
// blocks until ctx is done: it rebuilds it settle after the start, then
// whenever they changed and nothing changed for settle (a burst of edits,
// a first import), at the latest 20 × settle after the first change.
func (s *Service) RunRelated(ctx context.Context, settle time.Duration) {
	changed, stop := s.Watch()
	defer stop()
	var since uint64
	dirty := true
	quiet, quieted := s.clock().NewTimer(settle) // let a starting server serve first
	defer quiet.Stop()
	deadline, overdue := s.clock().NewTimer(20 * settle)
	deadline.Stop()
	defer deadline.Stop()
	select {
	case <-ctx.Done():
		return
	case <-quieted:
	}
	for {
		// Catch up with the change log: did an input change?
		for more := true; more; {
			var changes []wire.Change
			var err error
			changes, since, more, err = s.Store.Changes(ctx, since, wire.MaxPullLimit, 1<<20, func(typ string, _ []byte) bool {
				return typ == wire.TypeArticle || typ == wire.TypeConfig
			})
			if err != nil {
				if ctx.Err() == nil {
					s.Log.Log(ctx, store.FailureLevel(err), "related words: read changes", "err", err)
				}
				break
			}
			for _, c := range changes {
				dirty = dirty || relatedInput(c)
			}
		}
		if dirty {
			if built, err := s.RebuildRelated(ctx); err != nil {
				if ctx.Err() == nil {
					s.Log.Log(ctx, store.FailureLevel(err), "related words: rebuild", "err", err)
				}
			} else if built {
				s.Log.Info("rebuilt the search related-words table")
			}
			dirty = false
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		deadline.Reset(20 * settle)
		quiet.Reset(settle)
	settling:
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				quiet.Reset(settle)
			case <-quieted:
				break settling
			case <-overdue:
				break settling
			}
		}
		quiet.Stop()
		deadline.Stop()
	}
}
