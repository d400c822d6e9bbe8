package search

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// benchIndex replicates the demo articles to about 2,000 docs with distinct
// IDs.
func benchIndex(b *testing.B) (*Index, []Doc) {
	b.Helper()
	base := loadArticles(b)
	var docs []Doc
	for i := 0; len(docs) < 2000; i++ {
		for _, d := range base {
			d.ID = fmt.Sprintf("%s-%d", d.ID, i)
			docs = append(docs, d)
		}
	}
	ix := NewIndex()
	for _, d := range docs {
		ix.Add(d)
	}
	return ix, docs
}

func BenchmarkSearch(b *testing.B) {
	ix, _ := benchIndex(b)
	queries := []Query{
		{Text: "pasword reset", Lang: "en"},
		{Text: "printer jam"},
		{Text: "vpn no conecta", Lang: "es"},
		{Text: "wifi sl", Lang: "en"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(queries[i%len(queries)])
		i++
	}
}

func BenchmarkAdd(b *testing.B) {
	ix, docs := benchIndex(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Add(docs[i%len(docs)]) // replaces the doc: Remove + Add
		i++
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	ix, _ := benchIndex(b)
	data, err := ix.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var x Index
		if err := x.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}

// genIndexes caches the generated corpora's indexes across benchmarks.
var genIndexes = map[int]*Index{}

// genIndex indexes n articles of the browser benchmark's generated corpus
// (e2e/search_corpus_test.go's seed) and returns them with the browser
// benchmark's 200 queries.
func genIndex(b *testing.B, n int) (*Index, []Query) {
	b.Helper()
	docs := benchCorpus(n, 4)
	ix := genIndexes[n]
	if ix == nil {
		ix = NewIndex()
		for _, d := range docs {
			ix.Add(d)
		}
		genIndexes[n] = ix
	}
	var qs []Query
	for _, q := range benchQueries(docs, 200, 5) {
		qs = append(qs, Query{Text: q.Text, Lang: q.Lang, Limit: 20})
	}
	return ix, qs
}

// BenchmarkSearchGen runs the browser benchmark's queries (20 results with
// snippets, as the app's home page) over 5,000 and 20,000 generated
// articles; one op is one query. It reports the median and 95th percentile
// query times too.
func BenchmarkSearchGen(b *testing.B) {
	for _, n := range []int{5000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ix, qs := genIndex(b, n)
			b.ReportAllocs()
			var times []time.Duration
			i := 0
			for b.Loop() {
				t := time.Now()
				ix.Search(qs[i%len(qs)])
				times = append(times, time.Since(t))
				i++
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds()), "p95-µs")
		})
	}
}

// BenchmarkUnmarshalGen is the warm start's decoding at 5,000 and 20,000
// generated articles; it reports the index's size.
func BenchmarkUnmarshalGen(b *testing.B) {
	for _, n := range []int{5000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ix, _ := genIndex(b, n)
			data, err := ix.MarshalBinary()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				var x Index
				if err := x.UnmarshalBinary(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "index-bytes")
		})
	}
}

// BenchmarkBuildGen indexes 5,000 generated articles into an empty index.
func BenchmarkBuildGen(b *testing.B) {
	docs := benchCorpus(5000, 4)
	b.ReportAllocs()
	for b.Loop() {
		ix := NewIndex()
		for _, d := range docs {
			ix.Add(d)
		}
	}
}
