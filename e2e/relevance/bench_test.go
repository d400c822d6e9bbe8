package relevance

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"outpost/app/kbsearch"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/search"
)

// TestRelevanceBench is issue 20's relevance benchmark, printed by `make
// bench`: hit@1, hit@3 and MRR of the development and held-out sets, for
// shared/search natively (the code the browser runs) without and with the
// expansions (testdata/synonyms.json and learned.json), and for MiniSearch
// (npm minisearch under node, prefix and fuzzy 0.2 as e2e/search_bench_test.go
// configures it) on the same corpus and queries, in the same run. A missed
// target is printed as MISS; it does not fail the test.
func TestRelevanceBench(t *testing.T) {
	if os.Getenv("OUTPOST_BENCH") == "" {
		t.Skip("benchmark: run with make bench")
	}
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	arts, help, dev, held := d.Articles, d.Help, d.Dev, d.HeldOut
	sets := []struct {
		name string
		qs   []Query
	}{{"dev", dev}, {"heldout", held}}

	ix := Index(arts)
	exp, err := Expansions(ix)
	if err != nil {
		t.Fatal(err)
	}
	noRelated := exp
	noRelated.Related = nil
	mini := miniSearch(t, arts, append(slices.Clone(dev), held...)) // one node run, one MiniSearch index
	type row struct {
		engine string
		ranked [][]string
	}
	rows := make([][]row, len(sets))
	for i, s := range sets {
		rows[i] = []row{
			{"outpost", Outpost(ix, s.qs, kbsearch.Expansions{})},
			{"outpost+syn+learned", Outpost(ix, s.qs, noRelated)},
			{"outpost+expansions", Outpost(ix, s.qs, exp)},
			{"minisearch", mini[:len(s.qs)]},
		}
		mini = mini[len(s.qs):]
	}

	langs := map[string]int{}
	for _, a := range arts {
		langs[a.Lang]++
	}
	fmt.Printf("bench relevance corpus: %d articles (%d en, %d es): %d GNOME Help pages (%s) + %d demo KB\n",
		len(arts), langs["en"], langs["es"], len(help.Articles), help.Source, len(arts)-len(help.Articles))
	var s shared.Synonyms
	var l shared.LearnedSearches
	json.Unmarshal(synonymsJSON, &s)
	json.Unmarshal(learnedJSON, &l)
	fmt.Printf("bench relevance expansions: synonym terms en %d es %d; learned searches en %d es %d\n",
		search.NewSynonyms(s).Len("en"), search.NewSynonyms(s).Len("es"), len(l["en"]), len(l["es"]))
	rel, err := outsync.BuildRelatedWords(ix, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es"} {
		b, _ := json.Marshal(shared.RelatedWords{lang: rel[lang]})
		gz := gzipLen(b)
		fmt.Printf("bench relevance related words %s: %d query stems, %d bytes JSON (%d gzip) for %d pages\n", lang, len(rel[lang]), len(b), gz, langs[lang])
	}
	fmt.Printf("bench relevance %-10s %-20s %7s %6s %6s %6s\n", "set", "engine", "queries", "hit@1", "hit@3", "MRR")
	for i, set := range sets {
		for _, lang := range []string{"", "en", "es"} {
			name := set.name
			if lang != "" {
				name += "/" + lang
			}
			for _, r := range rows[i] {
				var qs []Query
				var ranked [][]string
				for j, q := range set.qs {
					if lang == "" || q.Lang == lang {
						qs, ranked = append(qs, q), append(ranked, r.ranked[j])
					}
				}
				sc := Measure(qs, ranked)
				fmt.Printf("bench relevance %-10s %-20s %7d %6.3f %6.3f %6.3f\n", name, r.engine, sc.N, sc.Hit1, sc.Hit3, sc.MRR)
				if set.name == "dev" && lang == "" {
					for _, q := range sc.Misses {
						t.Logf("%s misses dev.txt:%d %q", r.engine, q.Line, q.Text)
					}
				}
			}
		}
	}
	all := append(slices.Clone(dev), held...)
	for _, e := range []struct {
		name string
		exp  kbsearch.Expansions
	}{{"outpost", kbsearch.Expansions{}}, {"outpost+expansions", exp}} {
		p50, p95 := queryTimes(ix, all, e.exp)
		fmt.Printf("bench relevance query time (native, %d queries × 20) %-20s p50 %.3f ms p95 %.3f ms\n", len(all), e.name, p50, p95)
	}
	best := Measure(held, rows[1][2].ranked)
	verdict := "ok"
	if best.Hit3 < 0.85 {
		verdict = "MISS"
	}
	fmt.Printf("bench relevance target heldout hit@3 (outpost+expansions) %.3f, target >= 0.85: %s\n", best.Hit3, verdict)
}

// miniSearchJS ranks the queries with MiniSearch as the browser benchmark
// (e2e/search_bench_test.go) configures it, and prints the top Cutoff IDs
// of each, as JSON.
const miniSearchJS = `"use strict";
const fs = require("fs");
const MiniSearch = require(process.argv[2]);
const docs = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const queries = JSON.parse(fs.readFileSync(process.argv[4], "utf8"));
const cutoff = Number(process.argv[5]);
const mini = new MiniSearch({
	fields: ["title", "summary", "tags", "body"],
	storeFields: ["lang"],
	processTerm: term => term.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase(),
	searchOptions: { prefix: true, fuzzy: 0.2, boost: { title: 4, summary: 2, tags: 1.5 } },
});
mini.addAll(docs);
const out = queries.map(q => mini.search(q.text, { filter: r => r.lang === q.lang }).slice(0, cutoff).map(r => r.id));
process.stdout.write(JSON.stringify(out));
`

// miniSearch runs MiniSearch under node over arts and returns its ranking
// of each query.
func miniSearch(t *testing.T, arts []Article, qs []Query) [][]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node: %v (make node installs it and minisearch)", err)
	}
	lib, err := filepath.Abs("../node_modules/minisearch/dist/cjs/index.cjs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lib); err != nil {
		t.Fatalf("%v (run make node, which installs e2e/package.json's packages)", err)
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	script := filepath.Join(dir, "rank.cjs")
	if err := os.WriteFile(script, []byte(miniSearchJS), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, lib, write("corpus.json", arts), write("queries.json", qs), fmt.Sprint(Cutoff))
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("minisearch under node: %v", err)
	}
	var out [][]string
	if err := json.Unmarshal(b, &out); err != nil || len(out) != len(qs) {
		t.Fatalf("minisearch answered %d rankings for %d queries (%v)", len(out), len(qs), err)
	}
	return out
}

// gzipLen is the size of b gzipped, as it travels.
func gzipLen(b []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}

// queryTimes times every query of qs 20 times over ix with exp, natively,
// and returns the median and 95th percentile in milliseconds.
func queryTimes(ix *search.Index, qs []Query, exp kbsearch.Expansions) (p50, p95 float64) {
	var ms []float64
	for range 20 {
		for _, q := range qs {
			start := time.Now()
			ix.Search(exp.Query(search.Query{Text: q.Text, Lang: q.Lang, Limit: Cutoff}))
			ms = append(ms, float64(time.Since(start).Microseconds())/1000)
		}
	}
	slices.Sort(ms)
	return ms[len(ms)/2], ms[len(ms)*95/100]
}
