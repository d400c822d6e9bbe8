package e2e

import (
	"outpost/shared/search"
	"outpost/shared/search/searchcorpus"
)

// The search benchmark's corpus and queries come from
// shared/search/searchcorpus, which shared/search's own benchmarks use too.

type (
	benchDoc   = searchcorpus.Doc
	benchQuery = searchcorpus.Query
)

func benchCorpus(n int, seed uint64) []benchDoc { return searchcorpus.Articles(n, seed) }

func benchQueries(docs []benchDoc, n int, seed uint64) []benchQuery {
	return searchcorpus.Queries(docs, n, seed, search.Fold, search.IsStopWord)
}
