//go:build js && wasm

// Command searchbench is the WebAssembly side of the search benchmark
// (e2e/search_bench_test.go, run by `make bench`): Outpost's real search
// code (shared/search, and app/kbsearch over app/store's IndexedDB for the
// warm start) compiled to WebAssembly and exposed to the page as
// globalThis.outpost, so that JavaScript times it with performance.now()
// exactly as it times MiniSearch in the same page. It is a benchmark-only
// main: the product's app.wasm stays as it is.
//
//	outpost.setDocs(json)        decode the corpus ([{id, lang, title, summary, category, tags, body}])
//	outpost.build()              index every doc with search.Index.Add
//	outpost.search(q, lang)      search.Query{Text: q, Lang: lang, Limit: 20}, as the app's home page; → number of results
//	outpost.marshal()            → bytes of MarshalBinary
//	outpost.persist(db)          → Promise: store the corpus as article records in a replica (app/store IDB
//	                             named db) through kbsearch, which indexes them and saves the index in the cache
//	outpost.warm(db)             → Promise<number of docs>: open that replica and its saved index, as the app
//	                             starts (kbsearch.Open); rejects if the index had to be rebuilt
//	outpost.dropDocs()           forget the corpus (the index keeps what it needs)
//	outpost.setRelated(json)     the related-words table (shared.RelatedWords) searchRelated uses
//	outpost.searchRelated(q, l)  search with the related words on; → number of results
//	outpost.rebuild(db)          → Promise<number of docs>: drop that replica's saved index and open it, so
//	                             kbsearch rebuilds the index from IndexedDB a page of articles at a time
//	outpost.mem()                → {heapAlloc, heapSys, sys}: runtime.MemStats after runtime.GC()
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"syscall/js"

	"outpost/app/kbsearch"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// doc is a corpus entry as the page sends it.
type doc struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
	Body     string   `json:"body"`
}

var (
	docs []doc
	ix   *search.Index
	warm *kbsearch.Index // the index loaded by warm, kept so it is not collected mid-measure
	rel  *search.Related
)

func main() {
	api := map[string]any{
		"setDocs": js.FuncOf(func(_ js.Value, args []js.Value) any {
			docs = nil
			if err := json.Unmarshal([]byte(args[0].String()), &docs); err != nil {
				panic(err)
			}
			return len(docs)
		}),
		"build": js.FuncOf(func(js.Value, []js.Value) any {
			ix = search.NewIndex()
			for _, d := range docs {
				ix.Add(search.Doc{ID: d.ID, Lang: d.Lang, Title: d.Title, Summary: d.Summary,
					Category: d.Category, Tags: d.Tags, Body: d.Body})
			}
			return ix.Len()
		}),
		"search": js.FuncOf(func(_ js.Value, args []js.Value) any {
			return len(ix.Search(search.Query{Text: args[0].String(), Lang: args[1].String(), Limit: 20}))
		}),
		"marshal": js.FuncOf(func(js.Value, []js.Value) any {
			b, err := ix.MarshalBinary()
			if err != nil {
				panic(err)
			}
			return len(b)
		}),
		"persist": promise(func(args []js.Value) (any, error) { return nil, persist(args[0].String()) }),
		"warm": promise(func(args []js.Value) (any, error) {
			s, err := store.OpenIDB(args[0].String())
			if err != nil {
				return nil, err
			}
			x, err := kbsearch.Open(s)
			if err != nil {
				return nil, err
			}
			if x.Rebuilt() {
				return nil, errors.New("the saved index was not used: kbsearch rebuilt it")
			}
			warm = x
			return x.Len(), nil
		}),
		"setRelated": js.FuncOf(func(_ js.Value, args []js.Value) any {
			var r shared.RelatedWords
			if err := json.Unmarshal([]byte(args[0].String()), &r); err != nil {
				panic(err)
			}
			rel = search.NewRelated(r)
			return rel.Len("en") + rel.Len("es")
		}),
		"searchRelated": js.FuncOf(func(_ js.Value, args []js.Value) any {
			return len(ix.Search(search.Query{Text: args[0].String(), Lang: args[1].String(), Limit: 20, Related: rel}))
		}),
		"rebuild": promise(func(args []js.Value) (any, error) {
			s, err := store.OpenIDB(args[0].String())
			if err != nil {
				return nil, err
			}
			if err := s.PutCache("search/index", nil); err != nil {
				return nil, err
			}
			x, err := kbsearch.Open(s)
			if err != nil {
				return nil, err
			}
			if !x.Rebuilt() {
				return nil, errors.New("kbsearch did not rebuild")
			}
			warm = x
			return x.Len(), nil
		}),
		"dropDocs": js.FuncOf(func(js.Value, []js.Value) any {
			docs = nil
			return nil
		}),
		"mem": js.FuncOf(func(js.Value, []js.Value) any {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return map[string]any{"heapAlloc": m.HeapAlloc, "heapSys": m.HeapSys, "sys": m.Sys}
		}),
	}
	js.Global().Set("outpost", js.ValueOf(api))
	js.Global().Set("outpostReady", true)
	select {}
}

// persist writes the corpus into the replica named db as article records
// (cursor 1) through kbsearch, as a first sync does, and saves the index.
func persist(db string) error {
	s, err := store.OpenIDB(db)
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := kbsearch.Open(s)
	if err != nil {
		return err
	}
	changes := make([]wire.Change, 0, len(docs))
	for i, d := range docs {
		data, err := json.Marshal(shared.Article{ID: d.ID, Lang: d.Lang, Title: d.Title, Summary: d.Summary,
			Category: d.Category, Tags: d.Tags, Visibility: shared.Public, Status: shared.ArticlePublished, Body: d.Body})
		if err != nil {
			return err
		}
		changes = append(changes, wire.Change{V: uint64(i + 1), Type: wire.TypeArticle, ID: d.ID, Data: data})
	}
	if err := x.Apply(changes, uint64(len(changes))); err != nil {
		return err
	}
	if err := x.Flush(); err != nil {
		return err
	}
	if x.Len() != len(docs) {
		return fmt.Errorf("kbsearch indexed %d docs of %d", x.Len(), len(docs))
	}
	return nil
}

// promise runs f on its own goroutine (IndexedDB calls block, which a
// JavaScript callback must not) and returns a Promise of its result.
func promise(f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		var resolve, reject js.Value
		executor := js.FuncOf(func(_ js.Value, pa []js.Value) any {
			resolve, reject = pa[0], pa[1]
			return nil
		})
		defer executor.Release()
		p := js.Global().Get("Promise").New(executor)
		go func() {
			v, err := f(args)
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(v)
		}()
		return p
	})
}
