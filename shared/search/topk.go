package search

import "slices"

// cand is a candidate result: a doc's slot and its final score.
type cand struct {
	slot  int32
	score float64
}

// topK keeps the best limit candidates offered to it: a binary heap of the
// best so far with the worst at the root, so that each offer costs
// O(log limit) and the selection O(limit) memory however many docs match.
// Candidates rank by score, ties by doc ID ascending.
type topK struct {
	docs  []*entry // by slot, for the ID tie-break
	limit int
	heap  []cand
}

// worse reports whether a ranks below b.
func (t *topK) worse(a, b cand) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return t.docs[a.slot].id > t.docs[b.slot].id
}

// offer adds c if fewer than limit candidates are kept or c beats the
// worst of them, which it then replaces.
func (t *topK) offer(c cand) {
	if len(t.heap) < t.limit {
		t.heap = append(t.heap, c)
		t.up(len(t.heap) - 1)
		return
	}
	if t.worse(t.heap[0], c) {
		t.heap[0] = c
		t.down(0)
	}
}

// up moves the candidate at i towards the root while it is worse than its
// parent.
func (t *topK) up(i int) {
	h := t.heap
	for i > 0 {
		parent := (i - 1) / 2
		if !t.worse(h[i], h[parent]) {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// down moves the candidate at i away from the root while a child is worse.
func (t *topK) down(i int) {
	h := t.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && t.worse(h[r], h[l]) {
			l = r
		}
		if !t.worse(h[l], h[i]) {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// sorted returns the kept candidates, best first.
func (t *topK) sorted() []cand {
	slices.SortFunc(t.heap, func(a, b cand) int {
		switch {
		case t.worse(b, a):
			return -1
		case t.worse(a, b):
			return 1
		}
		return 0
	})
	return t.heap
}
