package http

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"outpost/server/blob"
	"outpost/shared"
)

// The attachment API (see server/blob):
//
//	HEAD /api/blobs/<sha256>            Upload-Offset: bytes the server holds (resume from there)
//	PUT  /api/blobs/<sha256>?offset=N   body: the next bytes, at most shared.MaxBlobChunk
//	GET  /api/blobs/<sha256>            the complete file, cacheable for good
//
// Every call needs a signed-in user who may see a ticket that references
// the blob (the ticket page's scope: shared.Allowed ActionView); anyone
// else gets 404 and learns nothing, a signed-out caller 401. The file is
// served as that ticket's reference names and types it, once the bytes
// bear the reference out (server/blob). Errors are
// {"error": {code, key, message}}.

// uploadOffset is the header that says how many bytes the server holds.
const uploadOffset = "Upload-Offset"

// blobUser returns the identity of r's session, or answers the request
// with why there is none.
func (s *Server) blobUser(w http.ResponseWriter, r *http.Request) (shared.Identity, bool) {
	u, err := s.user(r)
	switch {
	case err != nil:
		Error(w, r, err)
		return shared.Identity{}, false
	case u == nil:
		Error(w, r, errAuthRequired)
		return shared.Identity{}, false
	}
	return u.Identity(), true
}

// handleBlobPut stores the next chunk of a blob and answers the blob's
// state (blob.Info) with its Upload-Offset.
func (s *Server) handleBlobPut(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		Error(w, r, errCrossOrigin)
		return
	}
	who, ok := s.blobUser(w, r)
	if !ok {
		return
	}
	sha := r.PathValue("sha")
	offset, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
	switch {
	case !shared.ValidSHA256(sha):
		Error(w, r, shared.Errorf(shared.EINVALID, "attach.bad_hash", sha))
		return
	case err != nil || offset < 0:
		Error(w, r, shared.Errorf(shared.EINVALID, "attach.offset_required"))
		return
	case r.ContentLength > shared.MaxBlobChunk:
		Error(w, r, shared.Errorf(shared.EINVALID, "attach.chunk_too_large", shared.MaxBlobChunk>>10))
		return
	}
	chunk, err := io.ReadAll(http.MaxBytesReader(w, r.Body, shared.MaxBlobChunk))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		Error(w, r, shared.Errorf(shared.EINVALID, "attach.chunk_too_large", shared.MaxBlobChunk>>10))
		return
	case err != nil:
		// The connection dropped mid-chunk: keep nothing of it, so the
		// bytes held stay a prefix the client can continue from.
		Error(w, r, shared.Errorf(shared.EINVALID, "attach.bad_chunk"))
		return
	}
	in, err := blob.Put(r.Context(), s.Sync.Store, who, sha, offset, chunk)
	w.Header().Set(uploadOffset, strconv.FormatInt(in.Offset, 10))
	if err != nil {
		Error(w, r, err)
		return
	}
	if in.Complete && offset+int64(len(chunk)) == in.Size && len(chunk) > 0 {
		s.Log.Info("blob complete", "sha256", sha, "size", in.Size, "type", in.Type, "user", who.UserID)
	}
	writeJSON(w, http.StatusOK, in)
}

// handleBlobGet answers HEAD with the upload state and GET with the
// complete file.
func (s *Server) handleBlobGet(w http.ResponseWriter, r *http.Request) {
	who, ok := s.blobUser(w, r)
	if !ok {
		return
	}
	sha := r.PathValue("sha")
	in, err := blob.Stat(r.Context(), s.Sync.Store, who, sha)
	if err != nil {
		Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set(uploadOffset, strconv.FormatInt(in.Offset, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		h.Set("Cache-Control", "no-store")
		h.Set("X-Blob-Size", strconv.FormatInt(in.Size, 10))
		h.Set("X-Blob-Complete", strconv.FormatBool(in.Complete))
		w.WriteHeader(http.StatusOK)
		return
	}
	if !in.Complete {
		Error(w, r, shared.Errorf(shared.ECONFLICT, "attach.incomplete"))
		return
	}
	etag := `"` + sha + `"`
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	typ := in.Type
	if typ == "text/plain" {
		typ += "; charset=utf-8"
	}
	h.Set("Content-Type", typ)
	h.Set("Content-Length", strconv.FormatInt(in.Size, 10))
	// Only raster images show in the page; any other file (SVG included)
	// is a download, and whatever it holds runs nowhere: a sandbox with no
	// sources.
	disposition := "attachment"
	if blob.Inline(in.Type) {
		disposition = "inline"
	}
	h.Set("Content-Disposition", contentDisposition(disposition, in.Name, in.Type))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if err := blob.WriteTo(r.Context(), s.Sync.Store, who, sha, w); err != nil {
		s.Log.Error("send blob", "sha256", sha, "err", err) // the headers are gone: the client sees a short body
	}
}

// contentDisposition returns a Content-Disposition header for a file
// named name of type typ: a plain ASCII filename every browser reads, and
// the real name (RFC 5987) for those that read it. Neither can carry a
// path, a quote, a control character or a header break.
func contentDisposition(disposition, name, typ string) string {
	name = safeFilename(name, typ)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := disposition + `; filename="` + ascii + `"`
	if ascii != name {
		v += "; filename*=UTF-8''" + rfc5987(name)
	}
	return v
}

// safeFilename returns name without directories, control characters or
// leading dots, at most 200 bytes, or "attachment" with the type's
// extension if nothing is left.
func safeFilename(name, typ string) string {
	if i := strings.LastIndexAny(name, `/\\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	for len(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	if name == "" {
		name = "attachment"
		name += map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf", "text/plain": ".txt"}[typ]
	}
	return name
}

// rfc5987 percent-encodes s as an ext-value's value: every byte but
// attr-char.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
