// Package backup writes and reads Outpost's backup files, serves backups
// from a running server over its admin socket, and restores a file into a
// new data directory.
//
// A backup is logical (store.Item), so any store.Backuper can write one and
// any store.Restorer can read it: Badger today, PostgreSQL tomorrow.
//
// The file:
//
//	"OUTPOST-BACKUP 1\n"
//	frame 'H': JSON Header
//	frames 'r' (record), 'c' (client sequence), 'u' (unlogged data),
//	       'o' (in an incremental backup: unlogged data as in the base)
//	frame 'E': JSON Trailer (counts)
//	32 bytes: SHA-256 of every byte before them
//
// A frame is its kind byte, then its fields: strings and byte strings as
// a uvarint length and the bytes, numbers as uvarints (an expiry as a
// varint). Nothing is compressed: most of the bytes are photos, and an
// operator can compress the file as they like.
package backup

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"

	"outpost/server/store"
)

// Magic starts every backup file.
const Magic = "OUTPOST-BACKUP 1\n"

// maxField bounds one field of a frame: a record is at most a few MiB, a
// blob piece 256 KiB; more means a damaged file.
const maxField = 64 << 20

// Header describes a backup.
type Header struct {
	CreatedAt  int64  `json:"created_at"`  // Unix milliseconds, by the server's clock
	Epoch      string `json:"epoch"`       // of the database backed up (the restored one gets a new one)
	Head       uint64 `json:"head"`        // change-log version of the snapshot
	AppVersion string `json:"app_version"` // of the server that wrote it
	// Base, in an incremental backup, is the full backup it completes.
	Base *Base `json:"base,omitempty"`
}

// Base names the full backup an incremental one completes.
type Base struct {
	Epoch    string `json:"epoch"`
	Head     uint64 `json:"head"`
	Checksum string `json:"checksum"` // hex, the SHA-256 at the base's end
}

// Omitted is the Item.Kind the Reader gives an 'o' frame: unlogged data
// (Type, ID) an incremental backup leaves to its base.
const Omitted store.ItemKind = 'o'

// Trailer counts what a backup holds, to report and to check.
type Trailer struct {
	Head    uint64 `json:"head"` // change-log version of the snapshot
	Records int    `json:"records"`
	Clients int    `json:"clients"`
	Locals  int    `json:"locals"`
	Omitted int    `json:"omitted,omitempty"`
	Bytes   int64  `json:"bytes"` // of the items' data
}

// Writer writes a backup file.
type Writer struct {
	w   *bufio.Writer
	sum hash.Hash
	buf []byte
	n   Trailer
	err error
}

// NewWriter writes the magic and header to w.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	sum := sha256.New()
	bw := &Writer{w: bufio.NewWriterSize(io.MultiWriter(w, sum), 256<<10), sum: sum}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	bw.w.WriteString(Magic)
	bw.frame('H', func() { bw.bytes(hb) })
	return bw, bw.err
}

func (w *Writer) frame(kind byte, fields func()) {
	w.buf = append(w.buf[:0], kind)
	fields()
	if w.err == nil {
		_, w.err = w.w.Write(w.buf)
	}
}

func (w *Writer) bytes(b []byte) {
	w.buf = binary.AppendUvarint(w.buf, uint64(len(b)))
	w.buf = append(w.buf, b...)
}

func (w *Writer) str(s string) {
	w.buf = binary.AppendUvarint(w.buf, uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// Item writes one item.
func (w *Writer) Item(it store.Item) error {
	switch it.Kind {
	case store.ItemRecord:
		w.n.Records++
		w.frame('r', func() {
			w.str(it.Type)
			w.str(it.ID)
			w.buf = binary.AppendUvarint(w.buf, it.Version)
			flag := byte(0)
			if it.Deleted {
				flag = 1
			}
			w.buf = append(w.buf, flag)
			w.bytes(it.Data)
		})
	case store.ItemClient:
		w.n.Clients++
		w.frame('c', func() {
			w.str(it.ID)
			w.buf = binary.AppendUvarint(w.buf, it.Version)
		})
	case store.ItemLocal:
		w.n.Locals++
		w.frame('u', func() {
			w.str(it.Type)
			w.str(it.ID)
			w.buf = binary.AppendVarint(w.buf, it.Expires)
			w.bytes(it.Data)
		})
	case Omitted:
		w.n.Omitted++
		w.frame('o', func() {
			w.str(it.Type)
			w.str(it.ID)
		})
	default:
		return fmt.Errorf("unknown item kind %q", it.Kind)
	}
	w.n.Bytes += int64(len(it.Data))
	return w.err
}

// Close writes the trailer and the checksum; it returns the checksum.
func (w *Writer) Close() ([]byte, error) {
	tb, err := json.Marshal(w.n)
	if err != nil {
		return nil, err
	}
	w.frame('E', func() { w.bytes(tb) })
	if w.err != nil {
		return nil, w.err
	}
	if err := w.w.Flush(); err != nil {
		return nil, err
	}
	sum := w.sum.Sum(nil)
	// The checksum is not part of what it sums: write it past the hash.
	if _, err := w.w.Write(sum); err != nil {
		return nil, err
	}
	return sum, w.w.Flush()
}

// Counts returns what has been written so far.
func (w *Writer) Counts() Trailer { return w.n }

// ErrDamaged is wrapped by every error about a file's content.
var ErrDamaged = errors.New("the backup file is damaged")

// Reader reads a backup file, checking its checksum at the end.
type Reader struct {
	r      *bufio.Reader
	sum    hash.Hash
	Header Header
	n      Trailer
	off    int64 // bytes read so far
	done   bool
	tr     Trailer
}

// damaged returns an error saying what is wrong, and where.
func (r *Reader) damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s (at byte %d)", ErrDamaged, fmt.Sprintf(format, args...), r.off)
}

// NewReader reads the magic and the header of a backup.
func NewReader(rd io.Reader) (*Reader, error) {
	r := &Reader{r: bufio.NewReaderSize(rd, 256<<10), sum: sha256.New()}
	magic := make([]byte, len(Magic))
	if err := r.full(magic); err != nil {
		return nil, err
	}
	if string(magic) != Magic {
		return nil, fmt.Errorf("%w: not an Outpost backup (it does not start with %q)", ErrDamaged, Magic[:len(Magic)-1])
	}
	kind, err := r.byte()
	if err != nil {
		return nil, err
	}
	if kind != 'H' {
		return nil, r.damaged("no header")
	}
	hb, err := r.field()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(hb, &r.Header); err != nil {
		return nil, r.damaged("unreadable header: %v", err)
	}
	return r, nil
}

func (r *Reader) full(b []byte) error {
	n, err := io.ReadFull(r.r, b)
	r.sum.Write(b[:n])
	r.off += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.damaged("it ends too soon: truncated")
	}
	return err
}

func (r *Reader) byte() (byte, error) {
	var b [1]byte
	err := r.full(b[:])
	return b[0], err
}

// uvarint reads a uvarint a byte at a time, through the checksum.
func (r *Reader) uvarint() (uint64, error) {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := r.byte()
		if err != nil {
			return 0, err
		}
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return x, nil
		}
	}
	return 0, r.damaged("a number is too long")
}

func (r *Reader) varint() (int64, error) {
	ux, err := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, err
}

func (r *Reader) field() ([]byte, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n > maxField {
		return nil, r.damaged("a field of %d bytes", n)
	}
	b := make([]byte, n)
	return b, r.full(b)
}

func (r *Reader) str() (string, error) {
	b, err := r.field()
	return string(b), err
}

// Next returns the next item, or io.EOF after the trailer once the
// checksum and the counts are right.
func (r *Reader) Next() (store.Item, error) {
	if r.done {
		return store.Item{}, io.EOF
	}
	kind, err := r.byte()
	if err != nil {
		return store.Item{}, err
	}
	var it store.Item
	switch kind {
	case 'r':
		it.Kind = store.ItemRecord
		if it.Type, err = r.str(); err != nil {
			return it, err
		}
		if it.ID, err = r.str(); err != nil {
			return it, err
		}
		if it.Version, err = r.uvarint(); err != nil {
			return it, err
		}
		var flag byte
		if flag, err = r.byte(); err != nil {
			return it, err
		}
		it.Deleted = flag == 1
		if it.Data, err = r.field(); err != nil {
			return it, err
		}
		r.n.Records++
	case 'c':
		it.Kind = store.ItemClient
		if it.ID, err = r.str(); err != nil {
			return it, err
		}
		if it.Version, err = r.uvarint(); err != nil {
			return it, err
		}
		r.n.Clients++
	case 'u':
		it.Kind = store.ItemLocal
		if it.Type, err = r.str(); err != nil {
			return it, err
		}
		if it.ID, err = r.str(); err != nil {
			return it, err
		}
		if it.Expires, err = r.varint(); err != nil {
			return it, err
		}
		if it.Data, err = r.field(); err != nil {
			return it, err
		}
		r.n.Locals++
	case 'o':
		it.Kind = Omitted
		if it.Type, err = r.str(); err != nil {
			return it, err
		}
		if it.ID, err = r.str(); err != nil {
			return it, err
		}
		r.n.Omitted++
	case 'E':
		return store.Item{}, r.end()
	default:
		return it, r.damaged("unknown frame %q", kind)
	}
	r.n.Bytes += int64(len(it.Data))
	return it, nil
}

// end reads the trailer and the checksum.
func (r *Reader) end() error {
	tb, err := r.field()
	if err != nil {
		return err
	}
	want := r.sum.Sum(nil)
	got := make([]byte, sha256.Size)
	if _, err := io.ReadFull(r.r, got); err != nil {
		return r.damaged("it ends too soon: truncated")
	}
	if string(got) != string(want) {
		return fmt.Errorf("%w: the checksum does not match its content", ErrDamaged)
	}
	if n, _ := r.r.Read(make([]byte, 1)); n > 0 {
		return r.damaged("bytes after the checksum")
	}
	if err := json.Unmarshal(tb, &r.tr); err != nil {
		return r.damaged("unreadable trailer: %v", err)
	}
	r.n.Head = r.tr.Head
	if r.tr != r.n {
		return r.damaged("the counts at its end do not match its content")
	}
	r.done = true
	return io.EOF
}

// Counts returns what has been read so far; after io.EOF, all of it.
func (r *Reader) Counts() Trailer { return r.n }

// Checksum returns the file's SHA-256 (of everything before the 32 bytes
// that hold it), once Next returned io.EOF.
func (r *Reader) Checksum() []byte { return r.sum.Sum(nil) }
