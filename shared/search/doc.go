// Package search is Outpost's offline full-text search over knowledge-base
// articles in English and Spanish.
//
// Text is folded (lower-cased, accents stripped), split into runs of letters
// and digits, filtered by per-language stop words and reduced with the
// Snowball English (Porter2) or Spanish stemmer. An Index holds an inverted
// index that is updated incrementally by Add and Remove, ranks matches with
// BM25F (title > summary > tags > body), tolerates typos and prefixes for
// search-as-you-type, and serializes to a compact binary form so the browser
// client can keep it in IndexedDB and warm-start without rebuilding.
//
// Terms have integer IDs; each term's postings are sorted slices of doc
// slots and field frequencies. Each doc keeps its analyzed body as a token
// stream (term IDs and byte offsets, varint-packed), so that a snippet is
// found by scanning term IDs rather than by analyzing text again.
//
// The package imports only the standard library: it is compiled into both the
// server and the WebAssembly client.
package search
