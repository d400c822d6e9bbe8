package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// Attachments in the browser (issue 3 and 6). A picked photo is downscaled
// and hashed in the browser (attach_wasm.go), its bytes go into the
// replica's blob store at once, and the draft keeps a reference; the
// ticket.create mutation carries the references. Once the server has
// acknowledged the ticket (the ticket is in the replica), the uploader
// sends each blob the server does not hold yet in resumable chunks:
// HEAD for the offset, then PUT from there.

// uploadState is what the thumbnails show of a blob's upload.
type uploadState struct {
	Sent, Total int64
	Active      bool   // a chunk is on its way
	Done        bool   // the server holds it complete
	Err         string // the last failure, in words; retried with backoff
}

// uploadBoard is the upload progress every mounted thumbnail watches.
type uploadBoard struct {
	mu    sync.Mutex
	state map[string]uploadState
	subs  map[int]func()
	next  int
}

// objectURLCache holds the object URLs of blobs shown (attach_wasm.go):
// a handful of attachments a session looks at, kept as long as the page.
type objectURLCache struct {
	sync.Mutex
	m map[string]string
}

func (b *uploadBoard) get(sha string) uploadState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state[sha]
}

func (b *uploadBoard) set(sha string, change func(*uploadState)) {
	b.mu.Lock()
	s := b.state[sha]
	change(&s)
	if b.state == nil {
		b.state = map[string]uploadState{}
	}
	b.state[sha] = s
	subs := make([]func(), 0, len(b.subs))
	for _, fn := range b.subs {
		subs = append(subs, fn)
	}
	b.mu.Unlock()
	for _, fn := range subs {
		fn()
	}
}

func (b *uploadBoard) subscribe(fn func()) (cancel func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	if b.subs == nil {
		b.subs = map[int]func(){}
	}
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// blobError is a refusal from the blob API: the HTTP status and the
// message the server wrote for the user.
type blobError struct {
	Status int
	Key    string
	Msg    string
	Offset int64 // Upload-Offset: where the server says to continue
}

func (e *blobError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Key, e.Msg) }

// blobAPI is the server's blob API as the uploader uses it; fetch in the
// browser, a fake in tests.
type blobAPI interface {
	// Head returns how many bytes of sha the server holds.
	Head(sha string) (offset int64, err error)
	// Put sends chunk as the bytes of sha from offset on and returns the
	// bytes held after it.
	Put(sha string, offset int64, chunk []byte) (offset2 int64, err error)
}

// uploader sends the blobs of acknowledged tickets, one at a time, and
// survives reloads because its queue is the blob store itself: a blob
// not marked Uploaded that a ticket in the replica references.
type uploader struct {
	Store store.Store
	API   blobAPI
	Board *uploadBoard
	Chunk int // bytes per PUT; 0 means shared.MaxBlobChunk
	// Clock times the idle interval and the retries (nil: the wall clock).
	Clock clock.Clock

	kick chan struct{}
}

// Kick asks for a pass now (the network came back, a ticket arrived).
func (u *uploader) Kick() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// Run makes passes until ctx ends: when kicked, every idle interval, and
// after a failure with exponential backoff and full jitter.
func (u *uploader) Run(ctx context.Context, idle time.Duration) {
	attempt := 0
	for ctx.Err() == nil {
		wait := idle
		if attempt > 0 {
			wait = time.Duration(rand.Int64N(int64(min(time.Second<<min(attempt, 6), time.Minute)))) + 200*time.Millisecond
		}
		t, due := clock.Or(u.Clock).NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-u.kick:
			t.Stop()
		case <-due:
		}
		if err := u.Pass(); err != nil {
			attempt++
		} else {
			attempt = 0
		}
	}
}

// Pass uploads every blob that waits for it, and returns the first
// failure (the others were tried anyway).
func (u *uploader) Pass() error {
	blobs, err := u.Store.Blobs()
	if err != nil {
		return err
	}
	var waiting []store.Blob
	for _, b := range blobs {
		if !b.Uploaded {
			waiting = append(waiting, b)
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	acked, err := ackedAttachments(u.Store)
	if err != nil {
		return err
	}
	var first error
	for _, b := range waiting {
		if !acked[b.SHA256] {
			continue // its ticket is not on the server yet: it could not be uploaded
		}
		if err := u.upload(b); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// ackedAttachments returns the blobs referenced by tickets the server has.
func ackedAttachments(s store.Store) (map[string]bool, error) {
	recs, err := s.List(wire.TypeTicket)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range recs {
		var t struct {
			Attachments []shared.Attachment `json:"attachments"`
		}
		if json.Unmarshal(r.Data, &t) == nil {
			for _, a := range t.Attachments {
				out[a.SHA256] = true
			}
		}
	}
	return out, nil
}

func (u *uploader) upload(b store.Blob) error {
	sha := b.SHA256
	fail := func(err error) error {
		u.Board.set(sha, func(s *uploadState) { s.Active, s.Err = false, uploadErrText(err) })
		return err
	}
	_, data, ok, err := u.Store.GetBlob(sha)
	if err != nil || !ok {
		return fail(errors.Join(err, errors.New("the file is no longer on this device")))
	}
	off, err := u.API.Head(sha)
	if err != nil {
		return fail(err)
	}
	chunk := u.Chunk
	if chunk <= 0 {
		chunk = shared.MaxBlobChunk
	}
	total := int64(len(data))
	for off < total {
		u.Board.set(sha, func(s *uploadState) { s.Sent, s.Total, s.Active, s.Err = off, total, true, "" })
		end := min(off+int64(chunk), total)
		next, err := u.API.Put(sha, off, data[off:end])
		var be *blobError
		switch {
		case errors.As(err, &be) && be.Status == 409 && be.Offset >= 0 && be.Offset <= total:
			next = be.Offset // another tab or device got further, or less far
		case err != nil:
			return fail(err)
		}
		off = next
	}
	if err := u.Store.MarkUploaded(sha); err != nil {
		return fail(err)
	}
	u.Board.set(sha, func(s *uploadState) { *s = uploadState{Sent: total, Total: total, Done: true} })
	return nil
}

func uploadErrText(err error) string {
	var be *blobError
	if errors.As(err, &be) && be.Msg != "" {
		return be.Msg
	}
	return err.Error()
}

// attachThumb shows one attachment: a thumbnail of an image, or the file's
// name, opening the full file; and while it uploads, a progress bar. It
// reads the bytes from the replica's blob store, or (on a ticket page,
// online) downloads them into it, so they stay viewable offline.
type attachThumb struct {
	app.Compo
	Lang     string
	A        shared.Attachment
	Download bool // fetch it from the server if this device lacks it

	client *Client
	url    string // an object URL of the bytes, once loaded
	failed bool
	state  uploadState
	cancel func()
}

func (c *attachThumb) OnMount(ctx app.Context) {
	if c.client.prerendering() {
		return
	}
	c.cancel = c.client.uploads.subscribe(func() {
		ctx.Dispatch(func(ctx app.Context) { c.state = c.client.uploads.get(c.A.SHA256) })
	})
	c.load(ctx)
}

func (c *attachThumb) OnUpdate(ctx app.Context) { c.load(ctx) }

func (c *attachThumb) OnDismount() {
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *attachThumb) load(ctx app.Context) {
	if c.client.prerendering() {
		return
	}
	a, download := c.A, c.Download
	c.state = c.client.uploads.get(a.SHA256)
	ctx.Async(func() {
		url, err := c.client.blobURL(a, download)
		ctx.Dispatch(func(ctx app.Context) {
			if c.A.SHA256 == a.SHA256 {
				c.url, c.failed = url, err != nil
			}
		})
	})
}

func (c *attachThumb) Render() app.UI {
	l, a, st := c.Lang, c.A, c.state
	var preview app.UI
	switch {
	case c.url != "" && shared.IsImage(a.Type):
		preview = app.Img().Class("thumb").Src(c.url).Alt(a.Name).Title(a.Name)
	default:
		preview = app.Span().Class("file-icon").Text(fileIcon(a.Type))
	}
	if c.url != "" {
		preview = app.A().Href(c.url).Target("_blank").Attr("rel", "noopener").Attr("download", downloadName(a)).
			Aria("label", t(l, "attach.open", a.Name)).Body(preview)
	}
	status := ""
	switch {
	case st.Err != "":
		status = t(l, "attach.upload_failed", st.Err)
	case st.Active && st.Total > 0:
		status = t(l, "attach.uploading")
	case st.Done:
		status = t(l, "attach.uploaded")
	case c.url == "" && c.failed:
		status = t(l, "attach.offline")
	}
	return app.Figure().Class("attachment").DataSet("sha", a.SHA256).DataSet("loaded", c.url != "").
		DataSet("uploaded", st.Done).Body(
		preview,
		app.FigCaption().Body(
			app.Span().Class("name").Text(a.Name),
			app.Span().Class("muted").Text(" · "+sizeText(a.Size)),
			app.If(st.Active && st.Total > 0, func() app.UI {
				return app.Progress().Max(st.Total).Value(st.Sent).Aria("label", t(l, "attach.uploading"))
			}),
			app.If(status != "", func() app.UI {
				cls := "muted status"
				if st.Err != "" {
					cls = "error status"
				}
				return app.Span().Class(cls).Text(status)
			}),
		),
	)
}

// downloadName is the file name an opened non-image gets; images open in
// a tab.
func downloadName(a shared.Attachment) string {
	if shared.IsImage(a.Type) {
		return ""
	}
	return a.Name
}

func fileIcon(typ string) string {
	switch typ {
	case "application/pdf":
		return "PDF"
	case "text/plain":
		return "TXT"
	}
	return "IMG"
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// renderAttachments draws a list of attachments, for the ticket page.
func (c *Client) renderAttachments(l string, as []shared.Attachment, download bool) app.UI {
	return app.Div().Class("attachments").Body(app.Range(as).Slice(func(i int) app.UI {
		return &attachThumb{Lang: l, A: as[i], Download: download, client: c}
	}))
}
