package app

import (
	"encoding/json"
	"syscall/js"
)

// seenKey is the local-storage key of what the user has seen of each of
// their tickets: ticket ID → Unix ms of the latest entry seen.
const seenKey = "seen"

func loadSeen() map[string]int64 {
	seen := map[string]int64{}
	if v := js.Global().Get("localStorage").Call("getItem", seenKey); v.Type() == js.TypeString {
		json.Unmarshal([]byte(v.String()), &seen)
	}
	return seen
}

// markSeen records that the user saw ticket id up to entry time at.
func (c *Client) markSeen(id string, at int64) {
	seen := loadSeen()
	if seen[id] >= at {
		return
	}
	seen[id] = at
	b, _ := json.Marshal(seen)
	js.Global().Get("localStorage").Call("setItem", seenKey, string(b))
	go c.refreshNews(false)
}

// hasNews reports whether ticket id has news the user has not seen.
func (c *Client) hasNews(id string) bool {
	c.news.mu.Lock()
	defer c.news.mu.Unlock()
	return c.news.unread[id]
}

// watchNews keeps the unread count current and, when a reply or change
// arrives on one of the user's tickets while the app is open, shows a
// notification (if the user allowed them).
func (c *Client) watchNews() {
	last := -1
	c.Engine.Subscribe(func() {
		if s := c.Engine.Status(); s.Changes != last {
			last = s.Changes
			go c.refreshNews(true)
		}
	})
	go c.refreshNews(false) // what arrived while the app was closed: a badge, no pop-up
}

func (c *Client) refreshNews(announce bool) {
	news, titles, err := c.myNews(loadSeen())
	if err != nil {
		return
	}
	c.news.mu.Lock()
	c.news.unread = map[string]bool{}
	if c.news.notified == nil {
		c.news.notified = map[string]bool{}
	}
	var fresh []string
	for id, e := range news {
		c.news.unread[id] = true
		if !c.news.notified[e.ID] {
			c.news.notified[e.ID] = true
			if announce {
				fresh = append(fresh, id)
			}
		}
	}
	c.news.count.Store(int32(len(news)))
	c.news.mu.Unlock()
	for _, id := range fresh {
		c.notify(titles[id], news[id].Body, id)
	}
	c.Engine.Nudge()
}

// notify shows a system notification for news on ticket id.
func (c *Client) notify(title, body, id string) {
	n := js.Global().Get("Notification")
	if !n.Truthy() || n.Get("permission").String() != "granted" {
		return
	}
	if body == "" {
		body = t(c.uiLang(), "notify.changed")
	}
	note := n.New(title, map[string]any{"body": body, "tag": id})
	var click js.Func
	click = js.FuncOf(func(js.Value, []js.Value) any {
		js.Global().Call("focus")
		js.Global().Get("location").Set("href", "/ticket/"+id)
		click.Release()
		return nil
	})
	note.Set("onclick", click)
}

// notificationsAllowed says whether the browser may show notifications:
// "granted", "denied", "default" (not asked) or "" (not supported).
func notificationsAllowed() string {
	n := js.Global().Get("Notification")
	if !n.Truthy() {
		return ""
	}
	return n.Get("permission").String()
}

// askNotifications asks the user to allow notifications, then calls done
// with the answer.
func askNotifications(done func(string)) {
	n := js.Global().Get("Notification")
	if !n.Truthy() {
		return
	}
	var then js.Func
	then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done(args[0].String())
		then.Release()
		return nil
	})
	n.Call("requestPermission").Call("then", then)
}
