package app

import (
	"context"
	"strings"
	"syscall/js"
	"time"

	"outpost/app/engine"
	"outpost/app/kbsearch"
	"outpost/app/store"
)

// Start opens the local replica and starts syncing. The WebAssembly main
// calls it before app.RunWhenOnBrowser.
func Start() {
	c := &Client{Durable: true}
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
		Now:      time.Now,
		OnReject: c.onReject,
	}
	if err := c.Engine.Start(context.Background()); err != nil {
		js.Global().Get("console").Call("error", "outpost: start sync: "+err.Error())
	}
	// Reconnect at once when the browser says the network is back.
	online := js.FuncOf(func(js.Value, []js.Value) any { c.Engine.Kick(); return nil })
	js.Global().Call("addEventListener", "online", online)
	client = c
}
