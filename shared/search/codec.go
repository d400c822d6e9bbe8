package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Binary format, all integers unsigned varints:
//
//	"OPSX" version(3)
//	nstr, then nstr bytes: every string below, concatenated in order
//	ndocs ntags nterms npostings (totals)
//	per doc (dense, in slot order): len(id) len(lang) len(category)
//	        len(title) len(summary) ntags len(tag)... len(plain)
//	        len(plain token stream) len(summary token stream) lens[4]
//	per term (in term ID order; token streams refer to these IDs):
//	        len(term) npostings, per posting (by doc):
//	        doc-delta<<4 | mask, then the freqs of the fields in mask
//
// All strings of a decoded index are slices of one copy of the string
// bytes, and all postings share two arrays: decoding allocates little more
// than the maps from IDs and terms.
const (
	codecMagic = "OPSX"
	// codecVersion also changes when the analysis does, so that a saved
	// index is rebuilt rather than searched with other stems: 3 keeps
	// the Spanish "ordenador" apart from "ordenar" (esExceptions).
	codecVersion = 3
)

// MarshalBinary encodes the index (docs, analyzed text and postings) so that
// UnmarshalBinary can restore it without re-analyzing any text. Removed docs
// and terms only they had are left out. The output is deterministic for a
// given index.
func (ix *Index) MarshalBinary() ([]byte, error) {
	if ix == nil {
		ix = NewIndex()
	}
	// Renumber live docs densely, in slot order, and live terms densely, in
	// ID order.
	dense := make([]int32, len(ix.docs))
	ndocs, ntags := 0, 0
	for slot, e := range ix.docs {
		dense[slot] = -1
		if e != nil {
			dense[slot] = int32(ndocs)
			ndocs++
			ntags += len(e.tags)
		}
	}
	dfAll := ix.df[""]
	newID := make([]int32, len(ix.terms))
	nterms, npostings := 0, 0
	identity := true
	for id := range ix.terms {
		newID[id] = -1
		if id < len(dfAll) && dfAll[id] > 0 {
			newID[id] = int32(nterms)
			nterms++
			npostings += int(dfAll[id])
		}
		identity = identity && newID[id] == int32(id)
	}

	strs := make([]byte, 0, 1024)
	num := make([]byte, 0, 1024)
	putString := func(s string) {
		num = binary.AppendUvarint(num, uint64(len(s)))
		strs = append(strs, s...)
	}
	putStream := func(s string, n int) {
		if identity {
			putString(s)
			return
		}
		start := len(strs)
		r := streamReader{s: s, n: n}
		prev := 0
		for {
			id, from, to, ok := r.next()
			if !ok {
				break
			}
			if id >= uint64(len(newID)) || newID[id] < 0 {
				continue
			}
			strs = binary.AppendUvarint(strs, uint64(newID[id]))
			strs = binary.AppendUvarint(strs, uint64(from-prev))
			strs = binary.AppendUvarint(strs, uint64(to-from))
			prev = from
		}
		num = binary.AppendUvarint(num, uint64(len(strs)-start))
	}
	for _, n := range []int{ndocs, ntags, nterms, npostings} {
		num = binary.AppendUvarint(num, uint64(n))
	}
	for _, e := range ix.docs {
		if e == nil {
			continue
		}
		putString(e.id)
		putString(e.lang)
		putString(e.category)
		putString(e.title)
		putString(e.summary)
		num = binary.AppendUvarint(num, uint64(len(e.tags)))
		for _, t := range e.tags {
			putString(t)
		}
		putString(e.plain)
		putStream(e.plainToks, len(e.plain))
		putStream(e.summaryToks, len(e.summary))
		for _, l := range e.lens {
			num = binary.AppendUvarint(num, uint64(l))
		}
	}
	for id, term := range ix.terms {
		if newID[id] < 0 {
			continue
		}
		putString(term)
		p := ix.post[id]
		num = binary.AppendUvarint(num, uint64(dfAll[id]))
		prev := int32(0)
		for i, slot := range p.slots {
			doc := dense[slot]
			if doc < 0 {
				continue
			}
			fr := p.freqs[i]
			mask := uint64(0)
			for f := range numFields {
				if fr[f] > 0 {
					mask |= 1 << f
				}
			}
			num = binary.AppendUvarint(num, uint64(doc-prev)<<numFields|mask)
			prev = doc
			for f := range numFields {
				if fr[f] > 0 {
					num = binary.AppendUvarint(num, uint64(fr[f]))
				}
			}
		}
	}
	b := make([]byte, 0, len(codecMagic)+1+binary.MaxVarintLen64+len(strs)+len(num))
	b = append(b, codecMagic...)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(strs)))
	b = append(b, strs...)
	b = append(b, num...)
	return b, nil
}

// errCorrupt reports malformed MarshalBinary output.
var errCorrupt = errors.New("search: corrupt index data")

// decoder reads the binary format, remembering the first error.
type decoder struct {
	b   []byte
	err error

	strs string // the string bytes
	sp   int    // strings read so far
}

// uvarint reads a number no larger than max.
func (d *decoder) uvarint(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > max {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a number of items (or bytes) that each take at least one of
// the bytes that follow it.
func (d *decoder) count() int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > uint64(len(d.b)-n) {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

// string reads a string's length and returns the next string of that
// length.
func (d *decoder) string() string {
	n := int(d.uvarint(uint64(len(d.strs) - d.sp)))
	if d.err != nil {
		return ""
	}
	s := d.strs[d.sp : d.sp+n]
	d.sp += n
	return s
}

// UnmarshalBinary replaces the index's contents with data produced by
// MarshalBinary. On error the index is left unchanged; data in an older
// format is an error too (the caller rebuilds the index from its docs).
func (ix *Index) UnmarshalBinary(data []byte) error {
	if ix == nil {
		return errors.New("search: UnmarshalBinary on nil *Index")
	}
	if len(data) < len(codecMagic)+1 || string(data[:len(codecMagic)]) != codecMagic {
		return errCorrupt
	}
	if v := data[len(codecMagic)]; v != codecVersion {
		return fmt.Errorf("search: unsupported index format version %d", v)
	}
	d := &decoder{b: data[len(codecMagic)+1:]}
	nstr := d.count()
	if d.err != nil {
		return d.err
	}
	d.strs = string(d.b[:nstr])
	d.b = d.b[nstr:]
	ndocs, ntags, nterms, npostings := d.count(), d.count(), d.count(), d.count()
	if d.err != nil {
		return d.err
	}

	nix := &Index{
		docs:   make([]*entry, ndocs),
		byID:   make(map[string]int32, ndocs),
		termID: make(map[string]int32, nterms),
		terms:  make([]string, nterms),
		post:   make([]postingList, nterms),
		byLang: make(map[string]*stats),
		df:     make(map[string][]int32),
	}
	entries := make([]entry, ndocs)
	tags := make([]string, ntags)
	for i := range entries {
		e := &entries[i]
		e.id = d.string()
		e.lang = d.string()
		e.category = d.string()
		e.title = d.string()
		e.summary = d.string()
		if n := int(d.uvarint(uint64(len(tags)))); n > 0 {
			e.tags, tags = tags[:n:n], tags[n:]
			for j := range e.tags {
				e.tags[j] = d.string()
			}
		}
		e.plain = d.string()
		e.plainToks = d.string()
		e.summaryToks = d.string()
		for f := range e.lens {
			e.lens[f] = uint32(d.uvarint(math.MaxUint32))
		}
		if d.err != nil {
			return d.err
		}
		if _, dup := nix.byID[e.id]; dup {
			return errCorrupt
		}
		nix.byID[e.id] = int32(i)
		nix.docs[i] = e
	}
	if len(tags) != 0 {
		return errCorrupt
	}

	slots := make([]int32, npostings)
	freqs := make([]freqs, npostings)
	perDoc := make([]int32, ndocs) // number of terms
	k := 0
	for id := range nix.terms {
		term := d.string()
		np := d.count()
		if d.err != nil {
			return d.err
		}
		if _, dup := nix.termID[term]; dup || np == 0 || np > npostings-k {
			return errCorrupt
		}
		nix.termID[term] = int32(id)
		nix.terms[id] = term
		from := k
		doc := uint64(0)
		for j := range np {
			v := d.uvarint(uint64(ndocs)<<numFields | (1<<numFields - 1))
			delta, mask := v>>numFields, v&(1<<numFields-1)
			if j > 0 && delta == 0 {
				return errCorrupt
			}
			doc += delta
			for f := range numFields {
				if mask&(1<<f) != 0 {
					freqs[k][f] = uint16(d.uvarint(math.MaxUint16))
				}
			}
			if d.err != nil {
				return d.err
			}
			if doc >= uint64(ndocs) {
				return errCorrupt
			}
			slots[k] = int32(doc)
			perDoc[doc]++
			k++
		}
		nix.post[id] = postingList{slots: slots[from:k:k], freqs: freqs[from:k:k]}
	}
	if d.err != nil {
		return d.err
	}
	if k != npostings || d.sp != len(d.strs) || len(d.b) != 0 {
		return errCorrupt
	}

	// Each doc's distinct terms, in one array.
	docTerms := make([]int32, npostings)
	off := int32(0)
	for i, n := range perDoc {
		entries[i].terms = docTerms[off:off:(off + n)]
		off += n
	}
	for id, p := range nix.post {
		for _, slot := range p.slots {
			e := &entries[slot]
			e.terms = append(e.terms, int32(id))
		}
	}
	for _, e := range nix.docs {
		nix.account(e, 1)
	}
	*ix = *nix
	return nil
}
