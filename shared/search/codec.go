package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Binary format, all integers unsigned varints, strings length-prefixed:
//
//	"OPSX" version(1)
//	ndocs, per doc: id lang category title summary ntags tags... plain lens[4]
//	nterms, per term (ascending): term npostings, per posting (by doc):
//	        doc-delta freqs[4]
const (
	codecMagic   = "OPSX"
	codecVersion = 1
)

// MarshalBinary encodes the index (docs, analyzed text and postings) so that
// UnmarshalBinary can restore it without re-analyzing any text. The output
// is deterministic for a given set of docs.
func (ix *Index) MarshalBinary() ([]byte, error) {
	if ix == nil {
		ix = NewIndex()
	}
	// Renumber live docs densely, in slot order.
	dense := make(map[uint32]uint64, len(ix.byID))
	var live []*entry
	for slot, e := range ix.docs {
		if e != nil {
			dense[uint32(slot)] = uint64(len(live))
			live = append(live, e)
		}
	}
	b := make([]byte, 0, 1024)
	b = append(b, codecMagic...)
	b = append(b, codecVersion)
	putString := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(live)))
	for _, e := range live {
		putString(e.id)
		putString(e.lang)
		putString(e.category)
		putString(e.title)
		putString(e.summary)
		b = binary.AppendUvarint(b, uint64(len(e.tags)))
		for _, t := range e.tags {
			putString(t)
		}
		putString(e.plain)
		for _, l := range e.lens {
			b = binary.AppendUvarint(b, uint64(l))
		}
	}
	terms := make([]string, 0, len(ix.postings))
	for t := range ix.postings {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	b = binary.AppendUvarint(b, uint64(len(terms)))
	type posting struct {
		doc uint64
		fr  freqs
	}
	var ps []posting
	for _, t := range terms {
		putString(t)
		ps = ps[:0]
		for slot, fr := range ix.postings[t] {
			ps = append(ps, posting{dense[slot], fr})
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].doc < ps[j].doc })
		b = binary.AppendUvarint(b, uint64(len(ps)))
		prev := uint64(0)
		for i, p := range ps {
			delta := p.doc - prev
			if i == 0 {
				delta = p.doc
			}
			b = binary.AppendUvarint(b, delta)
			prev = p.doc
			for _, f := range p.fr {
				b = binary.AppendUvarint(b, uint64(f))
			}
		}
	}
	return b, nil
}

// errCorrupt reports malformed MarshalBinary output.
var errCorrupt = errors.New("search: corrupt index data")

// decoder reads the binary format, remembering the first error.
type decoder struct {
	b   []byte
	err error
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

// string reads a length-prefixed string.
func (d *decoder) string() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// UnmarshalBinary replaces the index's contents with data produced by
// MarshalBinary. On error the index is left unchanged.
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
	nix := NewIndex()
	ndocs := d.count()
	if d.err == nil {
		nix.docs = make([]*entry, 0, ndocs)
	}
	for range ndocs {
		e := &entry{}
		e.id = d.string()
		e.lang = d.string()
		e.category = d.string()
		e.title = d.string()
		e.summary = d.string()
		ntags := d.count()
		for range ntags {
			e.tags = append(e.tags, d.string())
		}
		e.plain = d.string()
		for f := range e.lens {
			e.lens[f] = uint32(d.uvarint(math.MaxUint32))
		}
		if d.err != nil {
			return d.err
		}
		if _, dup := nix.byID[e.id]; dup {
			return errCorrupt
		}
		nix.byID[e.id] = uint32(len(nix.docs))
		nix.docs = append(nix.docs, e)
	}
	nterms := d.count()
	prevTerm := ""
	for i := range nterms {
		term := d.string()
		np := d.count()
		if d.err != nil {
			return d.err
		}
		if (i > 0 && term <= prevTerm) || np == 0 {
			return errCorrupt
		}
		prevTerm = term
		p := make(map[uint32]freqs, np)
		doc := uint64(0)
		for j := range np {
			delta := d.uvarint(uint64(ndocs))
			if j > 0 && delta == 0 {
				return errCorrupt
			}
			doc += delta
			var fr freqs
			for f := range fr {
				fr[f] = uint16(d.uvarint(math.MaxUint16))
			}
			if d.err != nil {
				return d.err
			}
			if doc >= uint64(ndocs) {
				return errCorrupt
			}
			p[uint32(doc)] = fr
			nix.docs[doc].terms = append(nix.docs[doc].terms, term)
		}
		nix.postings[term] = p
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return errCorrupt
	}
	for _, e := range nix.docs {
		nix.account(e, 1)
	}
	*ix = *nix
	return nil
}
