package search

import "outpost/shared/search/searchcorpus"

// The benchmarks and result checks search the generated corpus the browser
// benchmark also uses (shared/search/searchcorpus).

type benchQuery = searchcorpus.Query

func benchCorpus(n int, seed uint64) []Doc {
	gen := searchcorpus.Articles(n, seed)
	docs := make([]Doc, len(gen))
	for i, d := range gen {
		docs[i] = Doc(d)
	}
	return docs
}

func benchQueries(docs []Doc, n int, seed uint64) []benchQuery {
	gen := make([]searchcorpus.Doc, len(docs))
	for i, d := range docs {
		gen[i] = searchcorpus.Doc(d)
	}
	return searchcorpus.Queries(gen, n, seed, Fold, IsStopWord)
}
