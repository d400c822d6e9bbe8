// Package blob keeps attachment bytes on the server: content-addressed by
// SHA-256, uploaded in resumable chunks after the ticket that references
// them, verified when complete, and readable by whoever may see such a
// ticket.
//
// Everything is unlogged store data (store.Tx.PutLocal), so blobs never
// enter the change log and are never pulled:
//
//	blobref/<sha>           JSON []Ref: the tickets that reference the blob
//	blob/<sha>              JSON meta: declared size and type, bytes held, hash state
//	blobpiece/<sha>/<n>     bytes [n·PieceSize, (n+1)·PieceSize) of the blob
//
// Pieces have a fixed size, well under Badger's value limit, whatever
// chunk sizes the client sends; the hash state after the bytes held is
// saved with them, so completing a 10 MB upload costs no second read.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Kinds of unlogged store data.
const (
	kindRefs  = "blobref"
	kindMeta  = "blob"
	kindPiece = "blobpiece"
)

// PieceSize is how many bytes one stored piece holds.
const PieceSize = 256 << 10

// Ref is one ticket's reference to a blob, as its ticket.create declared it.
type Ref struct {
	TicketID string `json:"ticket_id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Size     int64  `json:"size"`
}

// Info is what the server holds of a blob.
type Info struct {
	SHA256   string `json:"sha256"`
	Name     string `json:"name"` // as the ticket that gives access names it
	Type     string `json:"type"`
	Size     int64  `json:"size"`   // the declared size
	Offset   int64  `json:"offset"` // bytes held: where an upload continues
	Complete bool   `json:"complete"`
}

type meta struct {
	Size     int64  `json:"size"`
	Type     string `json:"type"`
	Have     int64  `json:"have"`
	State    []byte `json:"state,omitempty"` // SHA-256 state after Have bytes
	Complete bool   `json:"complete,omitempty"`
}

// Reference records that ticket ticketID references as. The ticket.create
// handler calls it in the mutation's transaction, so a blob may be uploaded
// and read exactly when a ticket that names it exists.
func Reference(tx store.Tx, ticketID string, as []shared.Attachment) error {
	for _, a := range as {
		refs, err := refsOf(tx, a.SHA256)
		if err != nil {
			return err
		}
		known := false
		for _, r := range refs {
			known = known || r.TicketID == ticketID
		}
		if known {
			continue
		}
		b, err := json.Marshal(append(refs, Ref{TicketID: ticketID, Name: a.Name, Type: a.Type, Size: a.Size}))
		if err != nil {
			return err
		}
		if err := tx.PutLocal(kindRefs, a.SHA256, b, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

func refsOf(tx store.ReadTx, sha string) ([]Ref, error) {
	b, err := tx.GetLocal(kindRefs, sha)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var refs []Ref
	if err := json.Unmarshal(b, &refs); err != nil {
		return nil, fmt.Errorf("read references of blob %s: %w", sha, err)
	}
	return refs, nil
}

// access returns the first reference to sha on a ticket who may see.
// Returns ENOTFOUND if there is none: a user learns nothing of blobs on
// tickets that are not theirs.
func access(tx store.ReadTx, who shared.Identity, sha string) (Ref, error) {
	notFound := shared.Errorf(shared.ENOTFOUND, "attach.not_found")
	if !shared.ValidSHA256(sha) || who.UserID == "" {
		return Ref{}, notFound
	}
	refs, err := refsOf(tx, sha)
	if err != nil {
		return Ref{}, err
	}
	for _, r := range refs {
		data, err := tx.Get(wire.TypeTicket, r.TicketID)
		if shared.ErrorCode(err) == shared.ENOTFOUND {
			continue
		}
		if err != nil {
			return Ref{}, err
		}
		var t shared.Ticket
		if err := json.Unmarshal(data, &t); err != nil {
			return Ref{}, fmt.Errorf("read ticket %s: %w", r.TicketID, err)
		}
		if shared.Allowed(who, shared.ActionView, t.Facts()) == nil {
			return r, nil
		}
	}
	return Ref{}, notFound
}

func metaOf(tx store.ReadTx, sha string) (meta, bool, error) {
	var m meta
	b, err := tx.GetLocal(kindMeta, sha)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("read blob %s: %w", sha, err)
	}
	return m, true, nil
}

func pieceKey(sha string, n int64) string { return fmt.Sprintf("%s/%06d", sha, n) }

func info(sha string, r Ref, m meta, found bool) Info {
	in := Info{SHA256: sha, Name: r.Name, Type: r.Type, Size: r.Size}
	if found {
		in.Type, in.Size, in.Offset, in.Complete = m.Type, m.Size, m.Have, m.Complete
	}
	return in
}

// Stat returns what the server holds of sha, for who. Returns ENOTFOUND
// if who may not see a ticket that references it.
func Stat(ctx context.Context, s store.Store, who shared.Identity, sha string) (Info, error) {
	var in Info
	err := s.View(ctx, func(tx store.ReadTx) error {
		r, err := access(tx, who, sha)
		if err != nil {
			return err
		}
		m, found, err := metaOf(tx, sha)
		in = info(sha, r, m, found)
		return err
	})
	return in, err
}

// Put stores chunk, the bytes of sha from offset on, uploaded by who. A
// chunk that overlaps bytes already held is accepted for its new part
// only, so a resent chunk changes nothing; a complete blob is left as it
// is. When the last byte arrives the SHA-256 and the file's type are
// checked: a blob that fails is discarded, to be uploaded afresh.
//
// Returns ENOTFOUND if who may not see a ticket that references sha,
// ECONFLICT "attach.bad_offset" if offset is past the bytes held (Info
// says where to continue), EINVALID "attach.beyond_size" for bytes past
// the declared size, and EINVALID "attach.hash_mismatch" or
// "attach.type_mismatch" for a complete blob that was discarded.
func Put(ctx context.Context, s store.Store, who shared.Identity, sha string, offset int64, chunk []byte) (Info, error) {
	if len(chunk) > shared.MaxBlobChunk {
		return Info{}, shared.Errorf(shared.EINVALID, "attach.chunk_too_large", shared.MaxBlobChunk>>10)
	}
	var in Info
	var refused error // a verdict that must not roll back the discarding
	err := s.Update(ctx, func(tx store.Tx) error {
		r, err := access(tx, who, sha)
		if err != nil {
			return err
		}
		m, found, err := metaOf(tx, sha)
		if err != nil {
			return err
		}
		if !found {
			m = meta{Size: r.Size, Type: r.Type}
		}
		in = info(sha, r, m, true)
		switch {
		case m.Complete:
			return nil
		case offset < 0 || offset > m.Have:
			return shared.Errorf(shared.ECONFLICT, "attach.bad_offset", m.Have)
		}
		data := chunk[min(int64(len(chunk)), m.Have-offset):]
		if len(data) == 0 {
			return nil
		}
		if m.Have+int64(len(data)) > m.Size {
			return shared.Errorf(shared.EINVALID, "attach.beyond_size", m.Size)
		}
		h := sha256.New()
		if m.State != nil {
			if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(m.State); err != nil {
				return fmt.Errorf("restore hash state of blob %s: %w", sha, err)
			}
		}
		h.Write(data)
		if err := appendPieces(tx, sha, m.Have, data); err != nil {
			return err
		}
		m.Have += int64(len(data))
		if m.Have == m.Size {
			if hex.EncodeToString(h.Sum(nil)) != sha {
				refused = shared.Errorf(shared.EINVALID, "attach.hash_mismatch")
			} else if head, err := tx.GetLocal(kindPiece, pieceKey(sha, 0)); err != nil {
				return err
			} else if !looksLike(m.Type, head) {
				refused = shared.Errorf(shared.EINVALID, "attach.type_mismatch", m.Type)
			}
			if refused != nil {
				in.Offset = 0
				return discard(tx, sha, m.Have)
			}
			m.Complete, m.State = true, nil
		} else if m.State, err = h.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
			return err
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		in.Offset, in.Complete = m.Have, m.Complete
		return tx.PutLocal(kindMeta, sha, b, time.Time{})
	})
	if err == nil && refused != nil {
		err = refused
	}
	return in, err
}

// appendPieces writes data at byte have of sha, filling the last partial
// piece first.
func appendPieces(tx store.Tx, sha string, have int64, data []byte) error {
	n, off := have/PieceSize, have%PieceSize
	if off > 0 {
		last, err := tx.GetLocal(kindPiece, pieceKey(sha, n))
		if err != nil {
			return fmt.Errorf("read piece %d of blob %s: %w", n, sha, err)
		}
		data = append(last[:off:off], data...)
	}
	for len(data) > 0 {
		k := min(len(data), PieceSize)
		if err := tx.PutLocal(kindPiece, pieceKey(sha, n), data[:k], time.Time{}); err != nil {
			return err
		}
		data, n = data[k:], n+1
	}
	return nil
}

func discard(tx store.Tx, sha string, have int64) error {
	for n := int64(0); n*PieceSize < have; n++ {
		if err := tx.DeleteLocal(kindPiece, pieceKey(sha, n)); err != nil {
			return err
		}
	}
	return tx.DeleteLocal(kindMeta, sha)
}

// looksLike reports whether a file starting with head is of type typ, so
// a blob declared as a photo cannot be an HTML page.
func looksLike(typ string, head []byte) bool {
	switch typ {
	case "image/jpeg":
		return bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF})
	case "image/png":
		return bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n"))
	case "image/webp":
		return len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP"
	case "application/pdf":
		return bytes.HasPrefix(head, []byte("%PDF-"))
	case "text/plain":
		head = head[:min(len(head), 1024)]
		for len(head) > 0 && !utf8.FullRune(head) {
			head = head[:len(head)-1] // a rune cut by the sample's end
		}
		return utf8.Valid(head) && !bytes.ContainsRune(head, 0)
	}
	return false
}

// WriteTo writes the complete blob sha to w, a piece per read
// transaction. Returns ENOTFOUND if who may not see it and ECONFLICT
// "attach.incomplete" if its upload has not finished.
func WriteTo(ctx context.Context, s store.Store, who shared.Identity, sha string, w io.Writer) error {
	in, err := Stat(ctx, s, who, sha)
	if err != nil {
		return err
	}
	if !in.Complete {
		return shared.Errorf(shared.ECONFLICT, "attach.incomplete")
	}
	return copyPieces(ctx, s, sha, in.Size, w)
}

func copyPieces(ctx context.Context, s store.Store, sha string, size int64, w io.Writer) error {
	for n := int64(0); n*PieceSize < size; n++ {
		var piece []byte
		err := s.View(ctx, func(tx store.ReadTx) (err error) {
			piece, err = tx.GetLocal(kindPiece, pieceKey(sha, n))
			return err
		})
		if err != nil {
			return fmt.Errorf("read piece %d of blob %s: %w", n, sha, err)
		}
		if _, err := w.Write(piece); err != nil {
			return err
		}
	}
	return nil
}
