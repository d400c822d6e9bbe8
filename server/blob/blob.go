// Package blob keeps attachment bytes on the server: content-addressed by
// SHA-256, uploaded in resumable chunks after the ticket that references
// them, verified when complete, and readable by whoever may see such a
// ticket.
//
// Everything is unlogged store data (store.Tx.PutLocal), so blobs never
// enter the change log and are never pulled:
//
//	blobref/<sha>                JSON []Ref: the tickets that reference the blob, each with its declared name, type, size
//	blobpart/<sha>/<user>        JSON part: one user's upload in progress (bytes held, hash state)
//	blobpiece/<sha>/<user>/<n>   bytes [n·PieceSize, (n+1)·PieceSize) of that upload
//	blob/<sha>                   JSON meta: the verified blob (its size, first bytes, where its pieces are)
//
// Nobody's reference fixes a blob's size or type for anyone else: each
// user uploads into a part of their own, which becomes the shared blob only
// once its SHA-256 matches; the size is then the bytes' own, and every
// reference is checked against them when it is used. A download goes
// through a reference on a ticket the downloader may see whose size equals
// the blob's and whose type the first bytes bear out, and takes its name
// and type from it; a reference that matches nothing is refused
// ("attach.not_this_file"). So the first uploader of a hash (or the first
// to reference it) cannot poison a later ticket's attachment.
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
	kindPart  = "blobpart"
	kindPiece = "blobpiece"
)

// PieceSize is how many bytes one stored piece holds.
const PieceSize = 256 << 10

// headSize is how many first bytes of a blob its meta keeps, for checking
// a reference's type without reading a piece (looksLike reads no more).
const headSize = 1024

// Ref is one ticket's reference to a blob, as its ticket.create declared it.
type Ref struct {
	TicketID string `json:"ticket_id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Size     int64  `json:"size"`
}

// Info is what the server holds of a blob, as one user's reference
// describes it.
type Info struct {
	SHA256   string `json:"sha256"`
	Name     string `json:"name"` // as the ticket that gives access names it
	Type     string `json:"type"` // as that ticket declares it (checked against the bytes once complete)
	Size     int64  `json:"size"`
	Offset   int64  `json:"offset"` // bytes held: where this user's upload continues
	Complete bool   `json:"complete"`
}

// meta is a verified blob. Blobs stored before uploads were per user keep
// their pieces under the bare hash and carry their type; an unfinished one
// of those (Complete false) is ignored and overwritten.
type meta struct {
	Size     int64  `json:"size"`
	Type     string `json:"type,omitempty"` // only in blobs stored before references were checked
	Have     int64  `json:"have,omitempty"`
	Complete bool   `json:"complete,omitempty"`
	Head     []byte `json:"head,omitempty"`   // the first headSize bytes
	Pieces   string `json:"pieces,omitempty"` // key prefix of the pieces; "" = the hash
}

func (m meta) prefix(sha string) string { return or(m.Pieces, sha) }

// part is one user's upload of a blob in progress.
type part struct {
	Have  int64  `json:"have"`
	State []byte `json:"state,omitempty"` // SHA-256 state after Have bytes
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
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

// visibleRefs returns the references to sha on tickets who may see.
// Returns ENOTFOUND if there is none: a user learns nothing of blobs on
// tickets that are not theirs.
func visibleRefs(tx store.ReadTx, who shared.Identity, sha string) ([]Ref, error) {
	notFound := shared.Errorf(shared.ENOTFOUND, "attach.not_found")
	if !shared.ValidSHA256(sha) || who.UserID == "" {
		return nil, notFound
	}
	refs, err := refsOf(tx, sha)
	if err != nil {
		return nil, err
	}
	var out []Ref
	for _, r := range refs {
		data, err := tx.Get(wire.TypeTicket, r.TicketID)
		if shared.ErrorCode(err) == shared.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		var t shared.Ticket
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("read ticket %s: %w", r.TicketID, err)
		}
		if shared.Allowed(who, shared.ActionView, t.Facts()) == nil {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, notFound
	}
	return out, nil
}

// blobOf returns the verified blob sha, if there is one.
func blobOf(tx store.ReadTx, sha string) (meta, bool, error) {
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
	if m.Complete && m.Head == nil { // stored before meta kept its head
		if m.Head, err = tx.GetLocal(kindPiece, pieceKey(m.prefix(sha), 0)); err != nil {
			return m, false, fmt.Errorf("read piece 0 of blob %s: %w", sha, err)
		}
	}
	return m, m.Complete, nil
}

// matching returns the first of refs that describes the verified blob m:
// same size, and a type its first bytes bear out.
func matching(refs []Ref, m meta) (Ref, bool) {
	for _, r := range refs {
		if r.Size == m.Size && looksLike(r.Type, m.Head) && (m.Type == "" || m.Type == r.Type) {
			return r, true
		}
	}
	return Ref{}, false
}

// notThisFile says that refs describe a file other than the one held.
func notThisFile(r Ref) error {
	return shared.Errorf(shared.EINVALID, "attach.not_this_file", r.Name, r.Size)
}

func partKey(sha, userID string) string { return sha + "/" + userID }

func partOf(tx store.ReadTx, sha, userID string) (part, error) {
	var p part
	b, err := tx.GetLocal(kindPart, partKey(sha, userID))
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("read upload of blob %s: %w", sha, err)
	}
	return p, nil
}

func pieceKey(prefix string, n int64) string { return fmt.Sprintf("%s/%06d", prefix, n) }

// largest returns the largest declared size among refs: how far one
// user's upload may go.
func largest(refs []Ref) int64 {
	var n int64
	for _, r := range refs {
		n = max(n, r.Size)
	}
	return n
}

// state returns what who may know of sha: the verified blob through a
// reference of theirs that matches it, or their own upload in progress;
// and the references who may see.
func state(tx store.ReadTx, who shared.Identity, sha string) (Info, meta, []Ref, error) {
	refs, err := visibleRefs(tx, who, sha)
	if err != nil {
		return Info{}, meta{}, nil, err
	}
	m, complete, err := blobOf(tx, sha)
	if err != nil {
		return Info{}, meta{}, nil, err
	}
	if complete {
		r, ok := matching(refs, m)
		if !ok {
			return Info{}, meta{}, nil, notThisFile(refs[0])
		}
		return Info{SHA256: sha, Name: r.Name, Type: r.Type, Size: m.Size, Offset: m.Size, Complete: true}, m, refs, nil
	}
	p, err := partOf(tx, sha, who.UserID)
	r := refs[0]
	return Info{SHA256: sha, Name: r.Name, Type: r.Type, Size: largest(refs), Offset: p.Have}, meta{}, refs, err
}

// Stat returns what the server holds of sha, for who. Returns ENOTFOUND
// if who may not see a ticket that references it, and EINVALID
// "attach.not_this_file" if the blob is complete and no such reference
// describes it.
func Stat(ctx context.Context, s store.Store, who shared.Identity, sha string) (Info, error) {
	var in Info
	err := s.View(ctx, func(tx store.ReadTx) (err error) {
		in, _, _, err = state(tx, who, sha)
		return err
	})
	return in, err
}

// Put stores chunk, the bytes of sha from offset on, uploaded by who,
// into who's own upload. A chunk that overlaps bytes already held is
// accepted for its new part only, so a resent chunk changes nothing; a
// complete blob is left as it is. Whenever the bytes held reach the size
// a reference of who's declares, their SHA-256 is checked: a match makes
// them the blob (if a reference's type fits its first bytes), and an
// upload that reaches the largest declared size without a match is
// discarded, to be uploaded afresh. Nobody else's upload is touched.
//
// Returns ENOTFOUND if who may not see a ticket that references sha,
// ECONFLICT "attach.bad_offset" if offset is past the bytes held (Info
// says where to continue), EINVALID "attach.beyond_size" for bytes past
// the declared size, "attach.not_this_file" if the blob is complete and
// who's references do not describe it, and "attach.hash_mismatch" or
// "attach.type_mismatch" for an upload that was discarded.
func Put(ctx context.Context, s store.Store, who shared.Identity, sha string, offset int64, chunk []byte) (Info, error) {
	if len(chunk) > shared.MaxBlobChunk {
		return Info{}, shared.Errorf(shared.EINVALID, "attach.chunk_too_large", shared.MaxBlobChunk>>10)
	}
	var in Info
	var refused error // a verdict that must not roll back the discarding
	err := s.Update(ctx, func(tx store.Tx) error {
		refused = nil
		in0, _, refs, err := state(tx, who, sha)
		if err != nil {
			return err
		}
		in = in0
		key := partKey(sha, who.UserID)
		p, err := partOf(tx, sha, who.UserID)
		if err != nil {
			return err
		}
		switch {
		case in.Complete:
			if p.Have > 0 { // someone else finished first
				return discard(tx, key, p.Have)
			}
			return nil
		case offset < 0 || offset > p.Have:
			return shared.Errorf(shared.ECONFLICT, "attach.bad_offset", p.Have)
		}
		data := chunk[min(int64(len(chunk)), p.Have-offset):]
		if len(data) == 0 {
			return nil
		}
		if p.Have+int64(len(data)) > in.Size {
			return shared.Errorf(shared.EINVALID, "attach.beyond_size", in.Size)
		}
		h := sha256.New()
		if p.State != nil {
			if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(p.State); err != nil {
				return fmt.Errorf("restore hash state of blob %s: %w", sha, err)
			}
		}
		h.Write(data)
		if err := appendPieces(tx, key, p.Have, data); err != nil {
			return err
		}
		p.Have += int64(len(data))
		in.Offset = p.Have
		if declared(refs, p.Have) && hex.EncodeToString(h.Sum(nil)) == sha {
			head, err := tx.GetLocal(kindPiece, pieceKey(key, 0))
			if err != nil {
				return err
			}
			m := meta{Size: p.Have, Complete: true, Head: head[:min(len(head), headSize)], Pieces: key}
			r, ok := matching(refs, m)
			if !ok {
				refused = shared.Errorf(shared.EINVALID, "attach.type_mismatch", in.Type)
				in.Offset = 0
				return discard(tx, key, p.Have)
			}
			if err := dropUnfinished(tx, sha); err != nil {
				return err
			}
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			in = Info{SHA256: sha, Name: r.Name, Type: r.Type, Size: m.Size, Offset: m.Size, Complete: true}
			if err := tx.DeleteLocal(kindPart, key); err != nil {
				return err
			}
			return tx.PutLocal(kindMeta, sha, b, time.Time{})
		}
		if p.Have == in.Size { // as far as any reference of who's goes, and no match
			refused = shared.Errorf(shared.EINVALID, "attach.hash_mismatch")
			in.Offset = 0
			return discard(tx, key, p.Have)
		}
		if p.State, err = h.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
			return err
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return tx.PutLocal(kindPart, key, b, time.Time{})
	})
	if err == nil && refused != nil {
		err = refused
	}
	return in, err
}

// declared reports whether a reference declares size n.
func declared(refs []Ref, n int64) bool {
	for _, r := range refs {
		if r.Size == n {
			return true
		}
	}
	return false
}

// dropUnfinished deletes an upload of sha left unfinished by a version
// that shared one upload among all users (pieces under the bare hash).
func dropUnfinished(tx store.Tx, sha string) error {
	b, err := tx.GetLocal(kindMeta, sha)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	var m meta
	if json.Unmarshal(b, &m) != nil || m.Complete || m.Pieces != "" {
		return nil
	}
	for n := int64(0); n*PieceSize < m.Have; n++ {
		if err := tx.DeleteLocal(kindPiece, pieceKey(sha, n)); err != nil {
			return err
		}
	}
	return nil
}

// appendPieces writes data at byte have of the pieces under prefix,
// filling the last partial piece first.
func appendPieces(tx store.Tx, prefix string, have int64, data []byte) error {
	n, off := have/PieceSize, have%PieceSize
	if off > 0 {
		last, err := tx.GetLocal(kindPiece, pieceKey(prefix, n))
		if err != nil {
			return fmt.Errorf("read piece %d of %s: %w", n, prefix, err)
		}
		data = append(last[:off:off], data...)
	}
	for len(data) > 0 {
		k := min(len(data), PieceSize)
		if err := tx.PutLocal(kindPiece, pieceKey(prefix, n), data[:k], time.Time{}); err != nil {
			return err
		}
		data, n = data[k:], n+1
	}
	return nil
}

// discard deletes the upload under key (sha/user) and its pieces.
func discard(tx store.Tx, key string, have int64) error {
	for n := int64(0); n*PieceSize < have; n++ {
		if err := tx.DeleteLocal(kindPiece, pieceKey(key, n)); err != nil {
			return err
		}
	}
	return tx.DeleteLocal(kindPart, key)
}

// Inline reports whether a file of type typ may be shown in the page
// rather than downloaded: raster images a browser decodes without running
// anything. SVG (which can hold script) and everything else is a download.
func Inline(typ string) bool {
	switch typ {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
		return true
	}
	return false
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
		head = head[:min(len(head), headSize)]
		for len(head) > 0 && !utf8.FullRune(head) {
			head = head[:len(head)-1] // a rune cut by the sample's end
		}
		return utf8.Valid(head) && !bytes.ContainsRune(head, 0)
	}
	return false
}

// WriteTo writes the complete blob sha to w, a piece per read
// transaction. Returns what Stat returns, and ECONFLICT
// "attach.incomplete" if no upload of it has finished.
func WriteTo(ctx context.Context, s store.Store, who shared.Identity, sha string, w io.Writer) error {
	var in Info
	var m meta
	err := s.View(ctx, func(tx store.ReadTx) (err error) {
		in, m, _, err = state(tx, who, sha)
		return err
	})
	if err != nil {
		return err
	}
	if !in.Complete {
		return shared.Errorf(shared.ECONFLICT, "attach.incomplete")
	}
	return copyPieces(ctx, s, m.prefix(sha), m.Size, w)
}

func copyPieces(ctx context.Context, s store.Store, prefix string, size int64, w io.Writer) error {
	for n := int64(0); n*PieceSize < size; n++ {
		var piece []byte
		err := s.View(ctx, func(tx store.ReadTx) (err error) {
			piece, err = tx.GetLocal(kindPiece, pieceKey(prefix, n))
			return err
		})
		if err != nil {
			return fmt.Errorf("read piece %d of %s: %w", n, prefix, err)
		}
		if _, err := w.Write(piece); err != nil {
			return err
		}
	}
	return nil
}
