package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"outpost/app/store"
	"outpost/shared"
)

// pickedFile is a File from an <input type=file>.
type pickedFile = js.Value

// pickedFiles returns the files chosen in the file input with this ID and
// clears it, so choosing the same file again is noticed.
func pickedFiles(id string) []pickedFile {
	el := js.Global().Get("document").Call("getElementById", id)
	if !el.Truthy() {
		return nil
	}
	files := el.Get("files")
	out := make([]pickedFile, 0, files.Length())
	for i := 0; i < files.Length(); i++ {
		out = append(out, files.Index(i))
	}
	el.Set("value", "")
	return out
}

func fileName(f pickedFile) string { return f.Get("name").String() }

// shrinkJS downscales an image File to at most maxSide pixels on the long
// side: JPEG at the given quality, or PNG when the source is a PNG and PNG
// comes out smaller (screenshots). Decoding applies the EXIF orientation,
// and re-encoding drops the EXIF data (a photo's location) on the way.
// It lives in web/attach.js, loaded as a script of the page: the
// Content-Security-Policy refuses code compiled from strings (new Function).
func shrinkJS() js.Value { return js.Global().Get("outpostShrink") }

// prepareFile turns a picked file into an attachment and its bytes:
// images downscaled, other files as they are. A file that may not be
// attached is refused before its bytes are read.
func prepareFile(f pickedFile) (shared.Attachment, []byte, error) {
	a := shared.Attachment{Name: f.Get("name").String(), Type: f.Get("type").String(), Size: int64(f.Get("size").Float())}
	var data []byte
	if strings.HasPrefix(a.Type, "image/") && a.Type != "image/svg+xml" {
		out, err := awaitJS(shrinkJS().Invoke(f, shared.MaxImageSide, 0.8))
		if err != nil {
			return a, nil, shared.Errorf(shared.EINVALID, "attach.unreadable", a.Name)
		}
		data = bytesOf(out.Get("bytes"))
		a.Type, a.Width, a.Height = out.Get("type").String(), out.Get("width").Int(), out.Get("height").Int()
		ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png"}[a.Type]
		if ext != "" && !strings.EqualFold(path.Ext(a.Name), ext) && !(ext == ".jpg" && strings.EqualFold(path.Ext(a.Name), ".jpeg")) {
			a.Name = strings.TrimSuffix(a.Name, path.Ext(a.Name)) + ext
		}
	} else {
		if a.Type == "" && strings.EqualFold(path.Ext(a.Name), ".txt") {
			a.Type = "text/plain"
		}
		a.SHA256 = strings.Repeat("0", 64) // checked below, once known
		if err := a.Validate(); err != nil {
			return a, nil, err // wrong type or too large: not even read
		}
		buf, err := awaitJS(f.Call("arrayBuffer"))
		if err != nil {
			return a, nil, err
		}
		data = bytesOf(js.Global().Get("Uint8Array").New(buf))
	}
	sum := sha256.Sum256(data)
	a.SHA256, a.Size = hex.EncodeToString(sum[:]), int64(len(data))
	return a, data, a.Validate()
}

func bytesOf(u8 js.Value) []byte {
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b
}

// awaitJS waits for a promise. It must not run on a JavaScript callback's
// goroutine (use ctx.Async).
func awaitJS(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- result{v: v}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	r := <-done
	return r.v, r.err
}

// blobFetch calls the blob API. A non-2xx answer is a *blobError with the
// server's message.
func blobFetch(lang, method, sha string, query string, body []byte) (js.Value, []byte, error) {
	opts := map[string]any{
		"method":      method,
		"credentials": "same-origin",
		"headers":     map[string]any{"Accept-Language": lang},
	}
	if method != "GET" {
		opts["cache"] = "no-store"
	}
	if body != nil {
		u8 := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(u8, body)
		opts["body"] = u8
	}
	resp, err := awaitJS(js.Global().Call("fetch", "/api/blobs/"+sha+query, opts))
	if err != nil {
		return js.Undefined(), nil, err
	}
	buf, err := awaitJS(resp.Call("arrayBuffer"))
	if err != nil {
		return resp, nil, err
	}
	data := bytesOf(js.Global().Get("Uint8Array").New(buf))
	if status := resp.Get("status").Int(); status < 200 || status > 299 {
		be := &blobError{Status: status, Offset: -1}
		if off := resp.Get("headers").Call("get", "Upload-Offset"); off.Type() == js.TypeString {
			be.Offset, _ = strconv.ParseInt(off.String(), 10, 64)
		}
		var e struct {
			Error struct{ Key, Message string }
		}
		json.Unmarshal(data, &e)
		be.Key, be.Msg = e.Error.Key, e.Error.Message
		return resp, data, be
	}
	return resp, data, nil
}

func uploadOffsetOf(resp js.Value) int64 {
	n, _ := strconv.ParseInt(resp.Get("headers").Call("get", "Upload-Offset").String(), 10, 64)
	return n
}

// fetchAPI is the blob API over fetch; lang is the UI language the
// server's refusals are worded in.
type fetchAPI struct{ lang func() string }

func (f fetchAPI) Head(sha string) (int64, error) {
	resp, _, err := blobFetch(f.lang(), "HEAD", sha, "", nil)
	if err != nil {
		return 0, err
	}
	return uploadOffsetOf(resp), nil
}

func (f fetchAPI) Put(sha string, offset int64, chunk []byte) (int64, error) {
	resp, _, err := blobFetch(f.lang(), "PUT", sha, "?offset="+strconv.FormatInt(offset, 10), chunk)
	if err != nil {
		return 0, err
	}
	return uploadOffsetOf(resp), nil
}

// blobURL returns an object URL of attachment a's bytes: from the blob
// store, or downloaded into it if download is set. The URLs live as long
// as the page: a handful of attachments a session looks at.
func (c *Client) blobURL(a shared.Attachment, download bool) (string, error) {
	c.objectURLs.Lock()
	u, ok := c.objectURLs.m[a.SHA256]
	c.objectURLs.Unlock()
	if ok {
		return u, nil
	}
	b, data, ok, err := c.Store.GetBlob(a.SHA256)
	if err != nil {
		return "", err
	}
	typ := b.Type
	if !ok {
		if !download {
			return "", errors.New("not on this device")
		}
		if _, data, err = blobFetch(c.uiLang(), "GET", a.SHA256, "", nil); err != nil {
			return "", err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != a.SHA256 {
			return "", errors.New("the download does not match its fingerprint")
		}
		typ = a.Type
		// Kept as the offline copy; if the device is full it is only shown.
		// The oldest copies make room past the budget.
		if c.Store.PutBlob(store.Blob{Attachment: a, Uploaded: true, AddedAt: c.clk().Now().UnixMilli()}, data) == nil {
			if all, err := c.Store.Blobs(); err == nil {
				for _, sha := range store.EvictOfflineCopies(all, store.OfflineCopiesBudget, a.SHA256) {
					c.Store.DeleteBlob(sha)
				}
			}
		}
	}
	u8 := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(u8, data)
	blob := js.Global().Get("Blob").New([]any{u8}, map[string]any{"type": typ})
	u = js.Global().Get("URL").Call("createObjectURL", blob).String()
	c.objectURLs.Lock()
	if old, ok := c.objectURLs.m[a.SHA256]; ok {
		js.Global().Get("URL").Call("revokeObjectURL", u)
		u = old
	} else {
		if c.objectURLs.m == nil {
			c.objectURLs.m = map[string]string{}
		}
		c.objectURLs.m[a.SHA256] = u
	}
	c.objectURLs.Unlock()
	return u, nil
}

// startUploader sends the blobs of acknowledged tickets, in every tab:
// the server takes overlapping chunks from two tabs in its stride. Start
// calls it once the engine is loaded.
func (c *Client) startUploader() {
	u := &uploader{Store: c.Store, API: fetchAPI{lang: c.uiLang}, Board: &c.uploads, Clock: c.Clock, kick: make(chan struct{}, 1)}
	c.Engine.Subscribe(u.Kick) // a ticket arrived, the network came back, a sign-in
	online := js.FuncOf(func(js.Value, []js.Value) any { u.Kick(); return nil })
	js.Global().Call("addEventListener", "online", online)
	u.Kick()
	go u.Run(context.Background(), 30*time.Second)
}
