package relevance

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"outpost/app/kbsearch"
	"outpost/shared/search"
)

// TestDevMisses prints, for each development query whose wanted article
// is not first (with every expansion), what each query word expands to
// and why the pages above it scored: the tuning aid of issue 20. It reads
// the development set only: the held-out set is never looked at this way.
// Run with OUTPOST_DEVMISSES=1 (=all prints every query).
func TestDevMisses(t *testing.T) {
	mode := os.Getenv("OUTPOST_DEVMISSES")
	if mode == "" {
		t.Skip("tuning aid: run with OUTPOST_DEVMISSES=1")
	}
	arts, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	dev, err := Dev()
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, a := range arts {
		titles[a.ID] = a.Title
	}
	ix := Index(arts)
	exp, err := Expansions(ix)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	figures := func(set string, qs []Query) {
		for _, lang := range []string{"", "en", "es"} {
			var sub []Query
			for _, q := range qs {
				if lang == "" || q.Lang == lang {
					sub = append(sub, q)
				}
			}
			for _, e := range []struct {
				name string
				exp  kbsearch.Expansions
			}{{"plain", kbsearch.Expansions{}}, {"expanded", exp}} {
				sc := Measure(sub, Outpost(ix, sub, e.exp))
				fmt.Fprintf(&b, "%s%-3s %-8s %2d queries: hit@1 %.3f hit@3 %.3f MRR %.3f\n", set, "/"+lang, e.name, sc.N, sc.Hit1, sc.Hit3, sc.MRR)
			}
		}
	}
	figures("dev", dev)
	if os.Getenv("OUTPOST_HELDOUT") != "" { // figures only: its misses are never printed
		held, err := HeldOut()
		if err != nil {
			t.Fatal(err)
		}
		figures("heldout", held)
	}
	for _, q := range dev {
		sq := exp.Query(search.Query{Text: q.Text, Lang: q.Lang, Limit: Cutoff})
		res := ix.Search(sq)
		rank := slices.IndexFunc(res, func(r search.Result) bool { return slices.Contains(q.Want, r.ID) })
		if rank == 0 && mode != "all" {
			continue
		}
		fmt.Fprintf(&b, "\n== dev.txt:%d %s %q want %v: rank %d\n", q.Line, q.Lang, q.Text, q.Want, rank+1)
		for _, w := range ix.Expand(sq) {
			var terms []string
			for _, x := range w.Terms {
				terms = append(terms, fmt.Sprintf("%s/%s/%.2f/%d", x.Term, x.Kind, x.Weight, x.Pages))
			}
			fmt.Fprintf(&b, "   %-12s → %s\n", w.Stem, strings.Join(terms, " "))
		}
		show := func(id string, score float64, mark string) {
			var parts []string
			for _, c := range ix.Explain(sq, id) {
				title := ""
				if c.Title {
					title = "T"
				}
				parts = append(parts, fmt.Sprintf("%s=%s/%s%s %.2f", c.Stem, c.Term, c.Kind, title, c.Score))
			}
			fmt.Fprintf(&b, " %s %6.2f %-34s %q: %s\n", mark, score, id, titles[id], strings.Join(parts, ", "))
		}
		for i, r := range res {
			if rank >= 0 && i > rank {
				break
			}
			mark := " "
			if i == rank {
				mark = "*"
			}
			show(r.ID, r.Score, mark)
		}
		if rank < 0 {
			for _, id := range q.Want {
				show(id, 0, "?")
			}
		}
	}
	t.Log(b.String())
}
