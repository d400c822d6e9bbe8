package search

import (
	"fmt"
	"testing"
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
