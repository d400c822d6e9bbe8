package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"outpost/server/auth"
	"outpost/shared"
	"outpost/shared/wire"
)

// blobReq sends method to /api/blobs/<sha> (plus query) with the session
// token and body, and returns the status, Upload-Offset and body.
func blobReq(t *testing.T, s *testServer, token, method, sha, query string, body []byte) (int, int64, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+"/api/blobs/"+sha+query, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: token})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	off, _ := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	return resp.StatusCode, off, b, resp.Header
}

func errKey(b []byte) string {
	var e struct {
		Error struct{ Key, Message string }
	}
	json.Unmarshal(b, &e)
	return e.Error.Key
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// fakeJPEG returns n bytes that start like a JPEG.
func fakeJPEG(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, []byte{0xFF, 0xD8, 0xFF, 0xE0})
	return b
}

// fileTicket files a ticket with attachments over the websocket as the
// holder of token, and returns its ID.
func fileTicket(t *testing.T, s *testServer, token, client string, n int, as ...shared.Attachment) string {
	t.Helper()
	ws, _ := dialAs(t, s, token, client)
	tid := id(n)
	m := push(t, ws, uint64(n), shared.OpTicketCreate, shared.TicketCreate{ID: tid, Title: "Photo of the broken screen", CreatedAt: 1, Attachments: as})
	if m.T != wire.TAck || !m.Results[0].OK {
		t.Fatalf("file ticket with %d attachments: %+v", len(as), m)
	}
	return tid
}

func photoOf(data []byte) shared.Attachment {
	return shared.Attachment{SHA256: hashOf(data), Name: "screen.jpg", Type: "image/jpeg", Size: int64(len(data)), Width: 1600, Height: 1200}
}

// twoRequestersAndAnAgent adds requesters a and b and agent@ to s, signs
// them in and returns their session tokens.
func twoRequestersAndAnAgent(t *testing.T, s *testServer, a, b string) (string, string, string) {
	t.Helper()
	addUser(t, s, a, shared.RoleRequester, 0)
	addUser(t, s, b, shared.RoleRequester, 0)
	addUser(t, s, "agent@example.com", shared.RoleAgent, 1)
	return signIn(t, s, a), signIn(t, s, b), signIn(t, s, "agent@example.com")
}

func TestBlobResumableUploadAndAccess(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	field, other, agent := twoRequestersAndAnAgent(t, s, "field@example.com", "other@example.com")

	data := fakeJPEG(700_000, 1) // three chunks, the last one partial
	sha := hashOf(data)
	const chunk = shared.MaxBlobChunk

	// Before any ticket names it, nobody may upload it.
	if code, _, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", data[:chunk]); code != 404 || errKey(b) != "attach.not_found" {
		t.Fatalf("PUT before the ticket = %d %s; want 404 attach.not_found", code, b)
	}
	fileTicket(t, s, field, clientField, 1, photoOf(data))

	if code, off, _, _ := blobReq(t, s, field, "HEAD", sha, "", nil); code != 200 || off != 0 {
		t.Fatalf("HEAD before upload = %d offset %d; want 200 offset 0", code, off)
	}
	if code, off, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", data[:chunk]); code != 200 || off != chunk {
		t.Fatalf("PUT chunk 1 = %d offset %d %s; want 200 offset %d", code, off, b, chunk)
	}

	// The second chunk's connection drops halfway through its body.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PUT /api/blobs/%s?offset=%d HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Length: %d\r\n\r\n",
		sha, chunk, strings.TrimPrefix(s.URL(), "http://"), auth.CookieName, field, chunk)
	conn.Write(data[chunk : chunk+chunk/2])
	conn.Close()

	// The server kept nothing of the broken chunk: resume from HEAD.
	var off int64
	for range 50 { // the server notices the drop asynchronously
		var code int
		code, off, _, _ = blobReq(t, s, field, "HEAD", sha, "", nil)
		if code != 200 || off != chunk {
			t.Fatalf("HEAD after the drop = %d offset %d; want 200 offset %d", code, off, chunk)
		}
	}
	// A chunk that skips ahead is refused with where to continue.
	if code, o, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=600000", data[600_000:]); code != 409 || o != chunk || errKey(b) != "attach.bad_offset" {
		t.Fatalf("PUT past the held bytes = %d offset %d %s; want 409 offset %d", code, o, b, chunk)
	}
	// A client that resends from a bit earlier (its ack was lost) is fine.
	from := off - 1000
	for from < int64(len(data)) {
		end := min(from+chunk, int64(len(data)))
		code, o, b, _ := blobReq(t, s, field, "PUT", sha, "?offset="+strconv.FormatInt(from, 10), data[from:end])
		if code != 200 || o != end {
			t.Fatalf("PUT from %d = %d offset %d %s; want 200 offset %d", from, code, o, b, end)
		}
		from = end
	}

	get := func(token string) (int, []byte, http.Header) {
		code, _, b, h := blobReq(t, s, token, "GET", sha, "", nil)
		return code, b, h
	}
	code, b, h := get(field)
	if code != 200 || !bytes.Equal(b, data) {
		t.Fatalf("GET = %d, %d bytes equal %v; want 200 and the upload", code, len(b), bytes.Equal(b, data))
	}
	if h.Get("Content-Type") != "image/jpeg" || h.Get("Cache-Control") != "private, max-age=31536000, immutable" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "inline") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("GET headers = %v", h)
	}
	if code, b, _ := get(agent); code != 200 || !bytes.Equal(b, data) {
		t.Errorf("agent GET = %d; want 200 and the file", code)
	}
	if code, b, _ := get(other); code != 404 || errKey(b) != "attach.not_found" {
		t.Errorf("another requester's GET = %d %s; want 404", code, b)
	}
	if code, _, _ := get(""); code != 401 {
		t.Errorf("signed-out GET = %d; want 401", code)
	}
	if code, _, _ := get("forged-session-token"); code == 200 {
		t.Errorf("GET with a forged session = %d; want a refusal", code)
	}
	if code, _, _, _ := blobReq(t, s, other, "PUT", sha, "?offset=0", data[:10]); code != 404 {
		t.Errorf("another requester's PUT = %d; want 404", code)
	}

	// Uploading again (another device, a retry) changes nothing.
	if code, off, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", data[:chunk]); code != 200 || off != int64(len(data)) {
		t.Fatalf("PUT after completion = %d offset %d %s; want 200 offset %d", code, off, b, len(data))
	}
	if code, b, _ := get(field); code != 200 || !bytes.Equal(b, data) {
		t.Fatalf("GET after the re-upload = %d; want the same file", code)
	}
	// A second ticket naming the same photo shares the blob.
	fileTicket(t, s, agent, clientAgent, 2, photoOf(data))
	if code, off, _, _ := blobReq(t, s, agent, "HEAD", sha, "", nil); code != 200 || off != int64(len(data)) {
		t.Errorf("HEAD for a second ticket = %d offset %d; want complete", code, off)
	}
}

func TestBlobRefusals(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	field := signIn(t, s, "field@example.com")

	good := fakeJPEG(5000, 2)
	html := []byte("<html><script>alert(1)</script></html>")
	htmlAsPNG := shared.Attachment{SHA256: hashOf(html), Name: "x.png", Type: "image/png", Size: int64(len(html)), Width: 1, Height: 1}
	fileTicket(t, s, field, clientField, 1, photoOf(good), htmlAsPNG)
	sha := hashOf(good)

	t.Run("WrongHashIsDiscarded", func(t *testing.T) {
		forged := fakeJPEG(len(good), 3)
		code, off, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", forged)
		if code != 422 || errKey(b) != "attach.hash_mismatch" || off != 0 {
			t.Fatalf("PUT of other bytes = %d offset %d %s; want 422 attach.hash_mismatch, offset 0", code, off, b)
		}
		if code, off, _, _ := blobReq(t, s, field, "HEAD", sha, "", nil); code != 200 || off != 0 {
			t.Fatalf("HEAD after a mismatch = %d offset %d; want 0", code, off)
		}
		if code, _, b, _ := blobReq(t, s, field, "GET", sha, "", nil); code != 409 || errKey(b) != "attach.incomplete" {
			t.Fatalf("GET after a mismatch = %d %s; want 409 attach.incomplete", code, b)
		}
		if code, off, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", good); code != 200 || off != int64(len(good)) {
			t.Fatalf("PUT of the right bytes = %d offset %d %s; want complete", code, off, b)
		}
	})

	t.Run("TypeIsChecked", func(t *testing.T) {
		code, _, b, _ := blobReq(t, s, field, "PUT", hashOf(html), "?offset=0", html)
		if code != 422 || errKey(b) != "attach.type_mismatch" {
			t.Fatalf("PUT of HTML declared PNG = %d %s; want 422 attach.type_mismatch", code, b)
		}
	})

	t.Run("Oversize", func(t *testing.T) {
		big := fakeJPEG(shared.MaxBlobChunk+1, 4)
		fileTicket(t, s, field, clientField, 2, photoOf(big))
		if code, _, b, _ := blobReq(t, s, field, "PUT", hashOf(big), "?offset=0", big); code != 413 || errKey(b) != "attach.chunk_too_large" {
			t.Fatalf("PUT of a %d-byte chunk = %d %s; want 413", len(big), code, b)
		}
		small := fakeJPEG(100, 5)
		fileTicket(t, s, field, clientField, 3, photoOf(small))
		if code, _, b, _ := blobReq(t, s, field, "PUT", hashOf(small), "?offset=0", append(small, 1, 2, 3)); code != 413 || errKey(b) != "attach.beyond_size" {
			t.Fatalf("PUT past the declared size = %d %s; want 413 attach.beyond_size", code, b)
		}
		ws, _ := dialAs(t, s, field, clientField)
		huge := shared.Attachment{SHA256: hashOf(nil), Name: "dump.pdf", Type: "application/pdf", Size: shared.MaxAttachmentSize + 1}
		m := push(t, ws, 9, shared.OpTicketCreate, shared.TicketCreate{ID: id(9), Title: "Too big", CreatedAt: 1, Attachments: []shared.Attachment{huge}})
		if m.T != wire.TAck || m.Results[0].OK || m.Results[0].Key != "attach.too_large" {
			t.Fatalf("ticket with an 10 MB+ attachment: %+v; want rejected attach.too_large", m)
		}
	})

	t.Run("BadRequests", func(t *testing.T) {
		if code, _, b, _ := blobReq(t, s, field, "PUT", "nothex", "?offset=0", good); code != 400 || errKey(b) != "attach.bad_hash" {
			t.Errorf("PUT to a bad hash = %d %s; want 400", code, b)
		}
		if code, _, b, _ := blobReq(t, s, field, "PUT", sha, "", good); code != 400 || errKey(b) != "attach.offset_required" {
			t.Errorf("PUT without offset = %d %s; want 400", code, b)
		}
		if code, _, _, _ := blobReq(t, s, "", "PUT", sha, "?offset=0", good); code != 401 {
			t.Errorf("signed-out PUT = %d; want 401", code)
		}
		req, _ := http.NewRequest("PUT", s.URL()+"/api/blobs/"+sha+"?offset=0", bytes.NewReader(good))
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: field})
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("cross-origin PUT = %d; want 403", resp.StatusCode)
		}
	})
}

// TestNonImageBlobIsADownload: a file that is not an image is sent as an
// attachment, never shown in the site's origin.
func TestNonImageBlobIsADownload(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	field := signIn(t, s, "field@example.com")
	data := []byte("<script>alert(1)</script> notes from the site visit\n")
	fileTicket(t, s, field, clientField, 1, shared.Attachment{SHA256: hashOf(data), Name: "notes.txt", Type: "text/plain", Size: int64(len(data))})
	if code, _, b, _ := blobReq(t, s, field, "PUT", hashOf(data), "?offset=0", data); code != 200 {
		t.Fatalf("PUT = %d %s", code, b)
	}
	code, _, _, h := blobReq(t, s, field, "GET", hashOf(data), "", nil)
	if cd := h.Get("Content-Disposition"); code != 200 || !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "notes.txt") {
		t.Errorf("GET a text file = %d, Content-Disposition %q; want 200 and an attachment named notes.txt", code, cd)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("GET a text file: Content-Security-Policy %q; want a sandbox with no sources", csp)
	}
}

// kioskToken enrolls a kiosk at site through the admin's client and
// returns its session token.
func kioskToken(t *testing.T, s *testServer, admin *http.Client, site string) string {
	t.Helper()
	resp, body := post(t, admin, s.URL()+"/api/kiosk/codes", `{"site":"`+site+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("issue a kiosk code: %d %v", resp.StatusCode, body)
	}
	dev := kioskJar(t)
	if resp, body := post(t, dev, s.URL()+"/api/kiosk/enroll", `{"code":"`+body["code"].(string)+`"}`); resp.StatusCode != 200 {
		t.Fatalf("enroll a kiosk: %d %v", resp.StatusCode, body)
	}
	u, _ := url.Parse(s.URL())
	for _, c := range dev.Jar.Cookies(u) {
		if c.Name == auth.CookieName {
			return c.Value
		}
	}
	t.Fatal("the enrolled kiosk has no session cookie")
	return ""
}

// TestBlobDownloadScope: a download follows the ticket page's scope. The
// requester and staff get the file; another requester, a kiosk (which
// reads no tickets), a signed-out visitor and a disabled account
// do not, and learn nothing of whether it exists.
func TestBlobDownloadScope(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	addUser(t, s, "other@example.com", shared.RoleRequester, 0)
	addUser(t, s, "agent@example.com", shared.RoleAgent, 1)
	addUser(t, s, "admin@example.com", shared.RoleAdmin, 0)
	addUser(t, s, "gone@example.com", shared.RoleAgent, 1)
	field, other, agent := signIn(t, s, "field@example.com"), signIn(t, s, "other@example.com"), signIn(t, s, "agent@example.com")
	admin, gone := signIn(t, s, "admin@example.com"), signIn(t, s, "gone@example.com")
	adminWeb := kioskJar(t)
	if resp, _ := post(t, adminWeb, s.URL()+"/api/login", `{"email":"admin@example.com","password":"correct horse battery"}`); resp.StatusCode != 200 {
		t.Fatalf("admin sign-in: %d", resp.StatusCode)
	}
	kiosk := kioskToken(t, s, adminWeb, "lobby")

	data := fakeJPEG(3000, 7)
	sha := hashOf(data)
	fileTicket(t, s, field, clientField, 1, photoOf(data))
	if code, _, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", data); code != 200 {
		t.Fatalf("PUT = %d %s", code, b)
	}
	if _, err := s.Auth.SetDisabled(context.Background(), "gone@example.com", true); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		who, token string
		want       int
	}{
		{"the requester", field, 200},
		{"an agent", agent, 200},
		{"an admin", admin, 200},
		{"another requester", other, 404},
		{"a kiosk", kiosk, 404},
		{"a signed-out visitor", "", 401},
		{"a disabled agent", gone, 403},
		{"a forged session", "forged-session-token", 401},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			code, _, b, _ := blobReq(t, s, c.token, method, sha, "", nil)
			if code != c.want || (method == "GET" && c.want == 200 && !bytes.Equal(b, data)) {
				t.Errorf("%s by %s = %d; want %d", method, c.who, code, c.want)
			}
			if c.want == 404 && method == "GET" && errKey(b) != "attach.not_found" {
				t.Errorf("%s by %s: %s; want attach.not_found, as for a hash nobody references", method, c.who, b)
			}
		}
		if c.want != 200 {
			if code, _, _, _ := blobReq(t, s, c.token, "PUT", sha, "?offset=0", data); code != c.want {
				t.Errorf("PUT by %s = %d; want %d", c.who, code, c.want)
			}
		}
	}
	// A hash nobody references answers exactly as one that is not yours.
	_, _, unknown, _ := blobReq(t, s, other, "GET", hashOf([]byte("nobody")), "", nil)
	_, _, theirs, _ := blobReq(t, s, other, "GET", sha, "", nil)
	if !bytes.Equal(unknown, theirs) {
		t.Errorf("unknown hash %s, someone else's %s; want the same answer", unknown, theirs)
	}
}

// TestBlobFirstUploaderCannotPoison: whoever first references or uploads a
// hash, with a wrong size, type or name, cannot spoil another ticket's
// attachment of the same bytes: each user uploads into their own part, the
// bytes become the blob only when their SHA-256 matches, and a download
// goes through a reference that the bytes bear out.
func TestBlobFirstUploaderCannotPoison(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	mallory, field, agent := twoRequestersAndAnAgent(t, s, "mallory@example.com", "field@example.com")
	const clientMallory = "01936f6e-7a1b-7c3d-8e4f-000000000108"
	const chunk = shared.MaxBlobChunk

	data := fakeJPEG(chunk+5000, 9) // two chunks
	sha := hashOf(data)
	// Mallory learns the photo's hash and files first, twice: once with
	// the photo one byte shorter and typed as text, once longer.
	short := shared.Attachment{SHA256: sha, Name: "a.txt", Type: "text/plain", Size: int64(len(data)) - 1}
	long := shared.Attachment{SHA256: sha, Name: "b.pdf", Type: "application/pdf", Size: int64(len(data)) + 100}
	fileTicket(t, s, mallory, clientMallory, 1, short)
	fileTicket(t, s, mallory, clientMallory, 2, long)
	// She uploads junk as far as her short reference goes: it does not
	// hash right, but her longer reference lets her go on.
	junk := bytes.Repeat([]byte("A"), len(data)+100)
	if code, off, b, _ := blobReq(t, s, mallory, "PUT", sha, "?offset=0", junk[:chunk]); code != 200 || off != chunk {
		t.Fatalf("Mallory's first chunk = %d offset %d %s", code, off, b)
	}

	// Field files the real photo and uploads the first half: he starts
	// from 0, whatever Mallory holds.
	fileTicket(t, s, field, clientField, 3, photoOf(data))
	if code, off, _, _ := blobReq(t, s, field, "HEAD", sha, "", nil); code != 200 || off != 0 {
		t.Fatalf("Field's HEAD = %d offset %d; want 0: Mallory's bytes are not his", code, off)
	}
	if code, off, b, _ := blobReq(t, s, field, "PUT", sha, "?offset=0", data[:chunk]); code != 200 || off != chunk {
		t.Fatalf("Field's first chunk = %d offset %d %s", code, off, b)
	}
	// Mallory reaches her short size: no match; then her long one: her
	// upload is discarded. Field's half is untouched.
	if code, off, b, _ := blobReq(t, s, mallory, "PUT", sha, "?offset="+strconv.Itoa(chunk), junk[chunk:len(data)-1]); code != 200 || off != int64(len(data))-1 {
		t.Fatalf("Mallory at her short size = %d offset %d %s; want 200, going on", code, off, b)
	}
	if code, off, b, _ := blobReq(t, s, mallory, "PUT", sha, "?offset="+strconv.Itoa(len(data)-1), junk[len(data)-1:]); code != 422 || off != 0 || errKey(b) != "attach.hash_mismatch" {
		t.Fatalf("Mallory at her long size = %d offset %d %s; want 422 attach.hash_mismatch", code, off, b)
	}
	if code, off, _, _ := blobReq(t, s, field, "HEAD", sha, "", nil); code != 200 || off != chunk {
		t.Fatalf("Field's HEAD after Mallory's = %d offset %d; want %d", code, off, chunk)
	}
	if code, off, b, _ := blobReq(t, s, field, "PUT", sha, "?offset="+strconv.Itoa(chunk), data[chunk:]); code != 200 || off != int64(len(data)) {
		t.Fatalf("Field's last chunk = %d offset %d %s; want complete", code, off, b)
	}

	// Field and the agent get the photo as Field's ticket describes it.
	for who, token := range map[string]string{"field": field, "agent": agent} {
		code, _, b, h := blobReq(t, s, token, "GET", sha, "", nil)
		if code != 200 || !bytes.Equal(b, data) || h.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(h.Get("Content-Disposition"), `inline; filename="screen.jpg"`) {
			t.Errorf("%s's GET = %d, %d bytes, %s, %s; want the photo as screen.jpg, inline", who, code, len(b), h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
	}
	// Mallory's references describe no file the server holds: she is told
	// so, and uploading again changes nothing.
	if code, _, b, _ := blobReq(t, s, mallory, "GET", sha, "", nil); code != 422 || errKey(b) != "attach.not_this_file" {
		t.Errorf("Mallory's GET = %d %s; want 422 attach.not_this_file", code, b)
	}
	if code, _, b, _ := blobReq(t, s, mallory, "PUT", sha, "?offset=0", junk[:10]); code != 422 || errKey(b) != "attach.not_this_file" {
		t.Errorf("Mallory's PUT = %d %s; want 422 attach.not_this_file", code, b)
	}
	if code, _, b, _ := blobReq(t, s, field, "GET", sha, "", nil); code != 200 || !bytes.Equal(b, data) {
		t.Errorf("Field's GET after Mallory's = %d; want the photo", code)
	}

	t.Run("RightBytesWrongType", func(t *testing.T) {
		// Mallory uploads a real photo first, declared as a PDF: the bytes
		// hash right but are no PDF, so nothing is kept.
		photo := fakeJPEG(4000, 10)
		asPDF := shared.Attachment{SHA256: hashOf(photo), Name: "photo.pdf", Type: "application/pdf", Size: int64(len(photo))}
		fileTicket(t, s, mallory, clientMallory, 4, asPDF)
		if code, off, b, _ := blobReq(t, s, mallory, "PUT", hashOf(photo), "?offset=0", photo); code != 422 || off != 0 || errKey(b) != "attach.type_mismatch" {
			t.Fatalf("a photo declared PDF = %d offset %d %s; want 422 attach.type_mismatch", code, off, b)
		}
		fileTicket(t, s, field, clientField, 5, photoOf(photo))
		if code, off, b, _ := blobReq(t, s, field, "PUT", hashOf(photo), "?offset=0", photo); code != 200 || off != int64(len(photo)) {
			t.Fatalf("Field's upload of the photo = %d offset %d %s; want complete", code, off, b)
		}
		if code, _, _, h := blobReq(t, s, field, "GET", hashOf(photo), "", nil); code != 200 || h.Get("Content-Type") != "image/jpeg" {
			t.Errorf("Field's GET = %d %s; want image/jpeg", code, h.Get("Content-Type"))
		}
	})

	t.Run("RightBytesOtherName", func(t *testing.T) {
		// Mallory completes the upload first, rightly typed but named to
		// mislead: each ticket's reader still sees that ticket's name.
		notes := []byte("Router in room 4 reboots every hour.\n")
		evil := shared.Attachment{SHA256: hashOf(notes), Name: "invoice.html", Type: "text/plain", Size: int64(len(notes))}
		fileTicket(t, s, mallory, clientMallory, 6, evil)
		if code, _, b, _ := blobReq(t, s, mallory, "PUT", hashOf(notes), "?offset=0", notes); code != 200 {
			t.Fatalf("Mallory's upload = %d %s", code, b)
		}
		fileTicket(t, s, field, clientField, 7, shared.Attachment{SHA256: hashOf(notes), Name: "notes.txt", Type: "text/plain", Size: int64(len(notes))})
		code, _, b, h := blobReq(t, s, field, "GET", hashOf(notes), "", nil)
		if cd := h.Get("Content-Disposition"); code != 200 || !bytes.Equal(b, notes) || cd != `attachment; filename="notes.txt"` {
			t.Errorf("Field's GET = %d %q, Content-Disposition %q; want the notes as an attachment named notes.txt", code, b, cd)
		}
	})
}

// TestBlobDisposition: only raster images are shown inline; every other
// file is an attachment with a filename that carries no path, quote or
// control, and the real name for browsers that read RFC 5987.
func TestBlobDisposition(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	field := signIn(t, s, "field@example.com")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)
	pdf := []byte("%PDF-1.4\n<</JavaScript (app.alert(1))>>\n")
	txt := []byte("plain notes <svg onload=alert(1)>\n")
	cases := []struct {
		a    shared.Attachment
		data []byte
		want string
	}{
		{shared.Attachment{Name: "plan.png", Type: "image/png", Width: 1, Height: 1}, png, `inline; filename="plan.png"`},
		{shared.Attachment{Name: `..\"informe" año.pdf`, Type: "application/pdf"}, pdf, `attachment; filename="_informe_ a_o.pdf"; filename*=UTF-8''%22informe%22%20a%C3%B1o.pdf`},
		{shared.Attachment{Name: "../../etc/notes.svg.txt", Type: "text/plain"}, txt, `attachment; filename="notes.svg.txt"`},
		{shared.Attachment{Name: "...", Type: "text/plain"}, append([]byte("x"), txt...), `attachment; filename="attachment.txt"`},
	}
	var as []shared.Attachment
	for i := range cases {
		cases[i].a.SHA256, cases[i].a.Size = hashOf(cases[i].data), int64(len(cases[i].data))
		as = append(as, cases[i].a)
	}
	fileTicket(t, s, field, clientField, 1, as...)
	for _, c := range cases {
		if code, _, b, _ := blobReq(t, s, field, "PUT", c.a.SHA256, "?offset=0", c.data); code != 200 {
			t.Fatalf("PUT %s = %d %s", c.a.Name, code, b)
		}
		code, _, _, h := blobReq(t, s, field, "GET", c.a.SHA256, "", nil)
		if code != 200 || h.Get("Content-Disposition") != c.want || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Security-Policy") != "default-src 'none'; sandbox" {
			t.Errorf("GET %q = %d, Content-Disposition %q, nosniff %q, CSP %q; want %q", c.a.Name, code,
				h.Get("Content-Disposition"), h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"), c.want)
		}
	}
}
