// Package kbsearch keeps the browser's search index in step with the local
// replica, so knowledge-base search works offline and a warm start does not
// rebuild the index.
//
// Index wraps the replica (a store.Store): every page of changes the sync
// engine applies also updates the index, incrementally. The index is saved to
// the store's cache a moment later, stamped with the replica cursor it
// reflects. On the next start Open loads it if the stamp still matches the
// replica's cursor and rebuilds it from the articles otherwise (after a crash
// between a page and its save, say), so a stale index is never used.
//
// Pages that change no article (a ticket arriving) move the cursor without
// touching the index. Rewriting the whole index for them would be wasteful,
// so a small second entry records "the saved index is also good up to cursor
// U"; it is only written while the saved index is current.
package kbsearch

import (
	"encoding/binary"
	"encoding/json"
	"runtime/debug"
	"sync"
	"time"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// Cache keys.
const (
	indexKey = "search/index" // cursor (8 bytes, big-endian) + search.Index binary
	uptoKey  = "search/upto"  // index cursor (8 bytes) + cursor it is also good for (8 bytes)
)

// Index is a store.Store whose Apply and Reset also maintain a search index
// over the replica's articles.
type Index struct {
	store.Store

	// SaveDelay is how long after a change the index is saved, so a burst
	// of pages (a first sync) is saved once. Zero saves at once.
	SaveDelay time.Duration
	// Clock times SaveDelay: the client's (nil: the wall clock). Set it
	// right after Open, before the first Apply.
	Clock clock.Clock
	// OnSaveError, if set, is told when saving the index failed (a full
	// disk). Search keeps working from memory; the next start rebuilds.
	OnSaveError func(error)

	mu      sync.Mutex
	ix      *search.Index
	exp     Expansions // the replica's synonyms, learned searches and related words
	cursor  uint64     // replica cursor the in-memory index reflects
	dirty   bool       // the in-memory index has changes the saved one lacks
	gen     uint64     // counts pages that changed articles
	saved   uint64     // cursor stamped on the saved index
	timer   clock.Timer
	rebuilt bool

	saveMu sync.Mutex // one save at a time, in order
}

// Open loads the saved index of s, or rebuilds it from s's articles if there
// is none or it does not match the replica.
func Open(s store.Store) (*Index, error) {
	x := &Index{Store: s, SaveDelay: time.Second}
	cursor, err := s.Cursor()
	if err != nil {
		return nil, err
	}
	x.cursor = cursor
	for _, id := range []string{shared.ConfigSynonyms, shared.ConfigLearned, shared.ConfigRelated} {
		rec, ok, err := s.Get(wire.TypeConfig, id)
		if err != nil {
			return nil, err
		}
		if ok {
			x.exp = x.exp.Apply(rec)
		}
	}
	if x.load(cursor) {
		return x, nil
	}
	x.rebuilt = true
	x.ix = search.NewIndex()
	// Collect garbage early while rebuilding: Go never returns WebAssembly
	// memory, so the peak of a rebuild is what the tab keeps, and a phone
	// kills a tab that holds too much.
	defer debug.SetGCPercent(debug.SetGCPercent(rebuildGCPercent))
	if err := eachArticle(s, func(r wire.Change) {
		if d, ok := doc(r); ok {
			x.ix.Add(d)
		}
	}); err != nil {
		return nil, err
	}
	if cursor > 0 {
		x.dirty = true
		if err := x.Flush(); err != nil && x.OnSaveError != nil {
			x.OnSaveError(err)
		}
	}
	return x, nil
}

// rebuildPage is how many articles a rebuild reads from the replica at a
// time: the index then never shares memory with every decoded article.
const rebuildPage = 100

// rebuildGCPercent is the GC target while rebuilding (Go's default: 100).
const rebuildGCPercent = 25

// eachArticle calls fn with every article record of s, a page at a time
// when s is a store.Pager (IndexedDB, Memory), all at once otherwise.
func eachArticle(s store.Store, fn func(wire.Change)) error {
	p, ok := s.(store.Pager)
	if !ok {
		recs, err := s.List(wire.TypeArticle)
		for _, r := range recs {
			fn(r)
		}
		return err
	}
	for after := ""; ; {
		page, err := p.ListPage(wire.TypeArticle, after, rebuildPage)
		if err != nil || len(page) == 0 {
			return err
		}
		for _, r := range page {
			fn(r)
		}
		after = page[len(page)-1].ID
		clear(page) // let the page's records go before the next one is read
	}
}

// load reads the saved index if it is good for cursor.
func (x *Index) load(cursor uint64) bool {
	blob, err := x.Store.GetCache(indexKey)
	if err != nil || len(blob) < 8 {
		return false
	}
	stamp := binary.BigEndian.Uint64(blob)
	if stamp != cursor {
		upto, err := x.Store.GetCache(uptoKey)
		if err != nil || len(upto) != 16 || binary.BigEndian.Uint64(upto) != stamp || binary.BigEndian.Uint64(upto[8:]) != cursor {
			return false
		}
	}
	ix := search.NewIndex()
	if ix.UnmarshalBinary(blob[8:]) != nil {
		return false
	}
	x.ix, x.saved = ix, stamp
	return true
}

// Rebuilt reports whether Open had to rebuild the index rather than load it.
func (x *Index) Rebuilt() bool { return x.rebuilt }

// Len returns the number of indexed articles.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.ix.Len()
}

// Search runs q over the indexed articles, with the replica's synonyms and
// learned searches unless q brings its own.
func (x *Index) Search(q search.Query) []search.Result {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.ix.Search(x.exp.Query(q))
}

// Expand returns what each word of q expands to in the indexed articles,
// with the replica's synonyms and related words unless q brings its own:
// the search's own code, for the admins' "what does this word expand to".
func (x *Index) Expand(q search.Query) []search.WordExpansions {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.ix.Expand(x.exp.Query(q))
}

// Expansions are what a search adds to the words typed, from config
// records every device pulls: the admins' synonyms (shared.ConfigSynonyms),
// the learned searches (shared.ConfigLearned) and the related words
// (shared.ConfigRelated). The server's search (/api/search) follows the
// change log with them too, so both rank alike.
type Expansions struct {
	Synonyms *search.Synonyms
	Learned  *search.Learned
	Related  *search.Related
}

// Apply returns e after the config record c: c replaces the one it is (a
// deleted or unreadable one gives none), and other config records change
// nothing.
func (e Expansions) Apply(c wire.Change) Expansions {
	switch c.ID {
	case shared.ConfigSynonyms:
		var s shared.Synonyms
		e.Synonyms = nil
		if !c.Deleted && json.Unmarshal(c.Data, &s) == nil {
			e.Synonyms = search.NewSynonyms(s)
		}
	case shared.ConfigLearned:
		var l shared.LearnedSearches
		e.Learned = nil
		if !c.Deleted && json.Unmarshal(c.Data, &l) == nil {
			e.Learned = search.NewLearned(l.ByKey())
		}
	case shared.ConfigRelated:
		var r shared.RelatedWords
		e.Related = nil
		if !c.Deleted && json.Unmarshal(c.Data, &r) == nil {
			e.Related = search.NewRelated(r)
		}
	}
	return e
}

// Query returns q with the expansions of e it does not bring itself.
func (e Expansions) Query(q search.Query) search.Query {
	if q.Synonyms == nil {
		q.Synonyms = e.Synonyms
	}
	if q.Learned == nil {
		q.Learned = e.Learned
	}
	if q.Related == nil {
		q.Related = e.Related
	}
	return q
}

// Apply stores a page of changes in the replica, then brings the index up to
// date with it.
func (x *Index) Apply(changes []wire.Change, cursor uint64) error {
	if err := x.Store.Apply(changes, cursor); err != nil {
		return err
	}
	x.mu.Lock()
	articles := false
	for _, c := range changes {
		if c.Type == wire.TypeConfig {
			x.exp = x.exp.Apply(c)
		}
		if c.Type != wire.TypeArticle {
			continue
		}
		articles = true
		x.ix.Remove(c.ID)
		if d, ok := doc(c); ok {
			x.ix.Add(d)
		}
	}
	x.cursor = cursor
	switch {
	case articles:
		x.dirty = true
		x.gen++
		x.scheduleLocked()
	case !x.dirty && x.saved != 0:
		// The saved index is current: say it is good for this cursor too.
		stamp := upto(x.saved, cursor)
		x.mu.Unlock()
		return x.Store.PutCache(uptoKey, stamp)
	}
	x.mu.Unlock()
	return nil
}

// Reset drops the replica's records and the index with them.
func (x *Index) Reset(epoch string) error {
	x.saveMu.Lock() // a save in flight must not write the old index back
	defer x.saveMu.Unlock()
	if err := x.Store.Reset(epoch); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ix, x.exp, x.cursor, x.dirty, x.saved = search.NewIndex(), Expansions{}, 0, false, 0
	x.gen++
	if x.timer != nil {
		x.timer.Stop()
	}
	return nil
}

func (x *Index) scheduleLocked() {
	d := max(x.SaveDelay, 0)
	if x.timer == nil {
		x.timer = clock.Or(x.Clock).AfterFunc(d, x.save)
		return
	}
	x.timer.Reset(d)
}

func (x *Index) save() {
	if err := x.Flush(); err != nil && x.OnSaveError != nil {
		x.OnSaveError(err)
	}
}

// Flush saves the index now if it has unsaved changes.
func (x *Index) Flush() error {
	x.saveMu.Lock()
	defer x.saveMu.Unlock()
	x.mu.Lock()
	if !x.dirty {
		x.mu.Unlock()
		return nil
	}
	data, err := x.ix.MarshalBinary()
	cursor, gen := x.cursor, x.gen
	x.mu.Unlock()
	if err != nil {
		return err
	}
	blob := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(data)), cursor)
	if err := x.Store.PutCache(indexKey, append(blob, data...)); err != nil {
		return err // still dirty: the next change tries again
	}
	x.mu.Lock()
	if x.gen != gen {
		x.mu.Unlock()
		return nil // articles changed meanwhile; their own save is scheduled
	}
	x.dirty, x.saved = false, cursor
	now := x.cursor
	x.mu.Unlock()
	if now != cursor {
		// Pages without articles arrived while we saved.
		return x.Store.PutCache(uptoKey, upto(cursor, now))
	}
	return nil
}

func upto(saved, cursor uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, 16), saved), cursor)
}

// doc turns an article record into a search document. Every article on the
// device is indexed; the pages that search keep the hits they may show
// (the help pages: published articles only).
func doc(c wire.Change) (search.Doc, bool) {
	if c.Deleted {
		return search.Doc{}, false
	}
	var a shared.Article
	if json.Unmarshal(c.Data, &a) != nil {
		return search.Doc{}, false
	}
	return search.Doc{
		ID: a.ID, Lang: a.Lang, Title: a.Title, Summary: a.Summary,
		Category: a.Category, Tags: a.Tags, Body: a.Body,
	}, true
}

// Refresh catches up with a replica another tab has been syncing: it loads
// the saved index if it matches the replica's cursor, and rebuilds it from
// the articles otherwise.
func (x *Index) Refresh() error {
	cursor, err := x.Store.Cursor()
	if err != nil {
		return err
	}
	x.mu.Lock()
	current := cursor == x.cursor
	x.mu.Unlock()
	if current {
		return nil
	}
	fresh, err := Open(x.Store)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ix, x.exp, x.cursor, x.saved, x.dirty = fresh.ix, fresh.exp, fresh.cursor, fresh.saved, false
	return nil
}
