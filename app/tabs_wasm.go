package app

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"syscall/js"

	"outpost/app/engine"
)

// One tab syncs for the whole browser (DESIGN.md: one connection per
// device). Tabs race for a Web Lock; the winner runs the engine's network
// loop and broadcasts its status, the others follow: they read and write
// the shared IndexedDB replica and outbox as usual, mirror the leader's
// status, and ask it (over a BroadcastChannel) to push when their outbox
// grew or to reconnect after a sign-in. When the leader tab closes its lock
// is released and the next tab takes over. Without Web Locks (an insecure
// context) every tab syncs for itself, which is safe, only busier.

const (
	syncLock    = "outpost-sync"
	syncChannel = "outpost-sync"
)

// tabMsg is a message between tabs.
type tabMsg struct {
	Type   string         `json:"type"` // status, hello, mutate, reconnect, switch
	Status *engine.Status `json:"status,omitempty"`
}

func startTabs(ctx context.Context, c *Client) {
	var leading atomic.Bool
	bc := js.Global().Get("BroadcastChannel")
	locks := js.Global().Get("navigator").Get("locks")
	if !bc.Truthy() || !locks.Truthy() {
		leading.Store(true)
		c.Engine.Lead(ctx)
		return
	}
	ch := bc.New(syncChannel)
	post := func(m tabMsg) {
		b, _ := json.Marshal(m)
		ch.Call("postMessage", string(b))
	}
	ch.Set("onmessage", js.FuncOf(func(_ js.Value, args []js.Value) any {
		var m tabMsg
		if json.Unmarshal([]byte(args[0].Get("data").String()), &m) != nil {
			return nil
		}
		// Engine calls may wait on IndexedDB: not on this callback.
		go func() {
			lead := leading.Load()
			switch {
			case m.Type == "status" && !lead && m.Status != nil:
				c.Engine.Mirror(*m.Status)
				if c.Index != nil {
					c.Index.Refresh()
				}
			case m.Type == "hello" && lead:
				s := c.Engine.Status()
				post(tabMsg{Type: "status", Status: &s})
			case m.Type == "mutate" && lead:
				c.Engine.OutboxGrew()
			case (m.Type == "reconnect" || m.Type == "switch") && lead:
				c.Engine.Rejoin()
			}
		}()
		return nil
	}))
	c.Engine.OnLocal = func(what string) {
		if !leading.Load() {
			post(tabMsg{Type: what})
		}
	}
	c.Engine.Subscribe(func() {
		if leading.Load() {
			s := c.Engine.Status()
			post(tabMsg{Type: "status", Status: &s})
		}
	})
	hold := js.Global().Get("Promise").New(js.FuncOf(func(js.Value, []js.Value) any { return nil }))
	locks.Call("request", syncLock, js.FuncOf(func(js.Value, []js.Value) any {
		leading.Store(true)
		js.Global().Get("document").Get("documentElement").Get("dataset").Set("syncLeader", "true")
		go c.Engine.Lead(ctx)
		return hold // held until this tab closes
	}))
	post(tabMsg{Type: "hello"})
}
