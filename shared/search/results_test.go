package search

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateResults = flag.Bool("update-results", false, "rewrite testdata/results.golden")

// resultsHash is a digest of everything Search returns: IDs, the exact bits
// of the scores, snippets and highlights.
func resultsHash(res []Result) string {
	h := sha256.New()
	for _, r := range res {
		fmt.Fprintf(h, "%s\t%016x\t%q\t%v\n", r.ID, math.Float64bits(r.Score), r.Snippet, r.Highlights)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// resultsCorpus is a generated corpus indexed with some history: every doc
// added, then some replaced by other articles and some removed, so that
// incremental updates are part of what the results check covers.
func resultsCorpus(tb testing.TB) (*Index, []Doc) {
	tb.Helper()
	docs := benchCorpus(1200, 11)
	other := benchCorpus(1200, 12)
	ix := NewIndex()
	for _, d := range docs {
		ix.Add(d)
	}
	for i := 0; i < len(docs); i += 9 {
		d := other[i]
		d.ID = docs[i].ID
		docs[i] = d
		ix.Add(d)
	}
	for i := 4; i < len(docs); i += 23 {
		ix.Remove(docs[i].ID)
	}
	return ix, docs
}

// resultsQueries are the queries of the results check: the golden ones and
// more over the demo articles, and generated ones over resultsCorpus.
func resultsQueries(docs []Doc) (demo, gen []Query) {
	texts := []string{"printer", "pass", "wfi", "contrasena", "vpn conect", "wi-fi", "sign-in", "a", "the printer", "configuracion", "outlook teams excel"}
	for _, g := range goldenQueries {
		texts = append(texts, g.text)
	}
	for _, text := range texts {
		for _, lang := range []string{"", "en", "es"} {
			demo = append(demo, Query{Text: text, Lang: lang, Limit: 100})
		}
	}
	demo = append(demo, Query{Text: "printer", Category: "devices", Limit: 5}, Query{Text: "vpn", Lang: "es", Category: "red"})
	for i, q := range benchQueries(docs, 400, 13) {
		gq := Query{Text: q.Text, Lang: q.Lang, Limit: 20}
		switch i % 10 {
		case 3:
			gq.Lang = ""
		case 7:
			gq.Category = map[string]string{"en": "network", "es": "red"}[q.Lang]
		case 9:
			gq.Limit = 100
		}
		gen = append(gen, gq)
	}
	return demo, gen
}

// resultLines runs the queries over ix and returns one line per query.
func resultLines(ix *Index, name string, qs []Query) []string {
	var lines []string
	for _, q := range qs {
		lines = append(lines, fmt.Sprintf("%s\t%q\t%s\t%s\t%d\t%s", name, q.Text, q.Lang, q.Category, q.Limit, resultsHash(ix.Search(q))))
	}
	return lines
}

// TestResultsUnchanged checks that Search returns exactly what it returned
// when testdata/results.golden was written: the same docs in the same order
// with bit-identical scores, snippets and highlights. Internal changes
// (storage, speed) must not move it; run go test -update-results only for
// an intended change of results.
func TestResultsUnchanged(t *testing.T) {
	gix, docs := resultsCorpus(t)
	demoQs, genQs := resultsQueries(docs)
	dix := demoIndex(t)
	got := append(resultLines(dix, "demo", demoQs), resultLines(gix, "gen", genQs)...)

	// The same after a round trip through the binary format.
	for name, ix := range map[string]*Index{"demo": dix, "gen": gix} {
		data, err := ix.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Index
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		qs := demoQs
		if name == "gen" {
			qs = genQs
		}
		for i, line := range resultLines(&back, name, qs) {
			if want := resultLines(ix, name, qs[i:i+1])[0]; line != want {
				t.Errorf("after a round trip: %s; want %s", line, want)
			}
		}
	}

	golden := filepath.Join("testdata", "results.golden")
	if *updateResults {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update-results)", err)
	}
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if len(want) != len(got) {
		t.Fatalf("%d result lines; want %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		if got[i] != want[i] {
			if bad++; bad <= 20 {
				t.Errorf("line %d: %s; want %s", i+1, got[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d queries return something else", bad, len(want))
	}
}
