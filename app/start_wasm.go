package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"syscall/js"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/engine"
	"outpost/app/kbsearch"
	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
)

// Start builds the browser's client and starts it, in this order: who is
// signed in (cached on the device), the local replica (IndexedDB, else
// memory) and its search index, the engine loaded from it, the category
// tree in use, tab sync (one tab leads: its engine connects), news and
// notifications, the uploader, and the browser's events (online, another
// tab's sign-in). The WebAssembly main passes the client to Routes, then
// calls app.RunWhenOnBrowser.
func Start() *Client {
	c := &Client{Durable: true, workerAtLoad: true, Post: post, Clock: clock.Real{}}
	c.setMe(cachedIdentity())
	// Whether a service worker answered this page's navigation. Asking
	// navigator.serviceWorker.controller now is too late on a first visit:
	// while app.wasm downloaded, the new worker may have installed and
	// claimed the page, which then looks like an update.
	if nav := js.Global().Get("performance").Call("getEntriesByType", "navigation"); nav.Length() > 0 {
		c.workerAtLoad = nav.Index(0).Get("workerStart").Float() > 0
	} else if sw := js.Global().Get("navigator").Get("serviceWorker"); sw.Truthy() {
		c.workerAtLoad = sw.Get("controller").Truthy()
	}
	s, err := store.OpenIDB("")
	if err != nil {
		js.Global().Get("console").Call("error", "outpost: "+err.Error()+"; changes will not survive a reload")
		c.Store, c.Durable = store.NewMemory(), false
	} else {
		c.Store = s
	}
	if ix, err := kbsearch.Open(c.Store); err != nil {
		js.Global().Get("console").Call("error", "outpost: open search index: "+err.Error())
	} else {
		ix.Clock = c.Clock
		c.Index, c.Store = ix, ix
	}
	// Ask the browser not to evict our data under storage pressure.
	if storage := js.Global().Get("navigator").Get("storage"); storage.Truthy() && storage.Get("persist").Truthy() {
		storage.Call("persist")
	}
	loc := js.Global().Get("location")
	wsURL := strings.Replace(loc.Get("origin").String(), "http", "ws", 1) + "/ws"
	c.Engine = &engine.Engine{
		Store: c.Store,
		Dial: func(ctx context.Context) (engine.Conn, error) {
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			return engine.DialWS(ctx, wsURL, "")
		},
		OnReject: c.onReject,
		Clock:    c.Clock,
	}
	if err := c.Engine.Load(); err != nil {
		js.Global().Get("console").Call("error", "outpost: start sync: "+err.Error())
	}
	c.refreshCategories() // the tree in use, before the first page draws
	startTabs(context.Background(), c)
	c.watchNews()
	c.startUploader()
	// An outdated app: have the service worker fetch the new version now,
	// rather than at the next start; the status bar offers it when ready.
	var asked atomic.Bool
	c.Engine.Subscribe(func() {
		if c.Engine.Status().UpdateRequired && asked.CompareAndSwap(false, true) {
			goapp.TryUpdate()
		}
	})
	// Reconnect at once when the browser says the network is back.
	online := js.FuncOf(func(js.Value, []js.Value) any { c.Engine.Kick(); return nil })
	js.Global().Call("addEventListener", "online", online)
	// Another tab signed in or out: use its session here too.
	storage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 && args[0].Get("key").String() == identityKey {
			c.setMe(cachedIdentity())
			c.Engine.Reconnect()
		}
		return nil
	})
	js.Global().Call("addEventListener", "storage", storage)
	return c
}

// cachedIdentity reads the identity a sign-in cached in local storage.
func cachedIdentity() *shared.Identity {
	v := js.Global().Get("localStorage").Call("getItem", identityKey)
	if v.Type() != js.TypeString {
		return nil
	}
	var id shared.Identity
	if json.Unmarshal([]byte(v.String()), &id) != nil || id.UserID == "" {
		return nil
	}
	return &id
}

// post sends body as JSON to path with fetch and waits for the answer. It
// must not run on a JavaScript callback's goroutine (use ctx.Async).
func post(path string, body []byte, lang string) (int, []byte, error) {
	type answer struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan answer, 1)
	var onResp, onText, onErr js.Func
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "network error"
		if len(args) > 0 {
			msg = args[0].Call("toString").String()
		}
		done <- answer{err: errors.New(msg)}
		return nil
	})
	status := 0
	onText = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- answer{status: status, body: []byte(args[0].String())}
		return nil
	})
	onResp = js.FuncOf(func(_ js.Value, args []js.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("text").Call("then", onText, onErr)
		return nil
	})
	defer onResp.Release()
	defer onText.Release()
	defer onErr.Release()
	opts := map[string]any{
		"method":      "POST",
		"credentials": "same-origin",
		"headers":     map[string]any{"Content-Type": "application/json", "Accept-Language": lang},
	}
	if body != nil {
		opts["body"] = string(body)
	}
	js.Global().Call("fetch", path, opts).Call("then", onResp, onErr)
	a := <-done
	return a.status, a.body, a.err
}
