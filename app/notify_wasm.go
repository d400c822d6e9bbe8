package app

import (
	"encoding/json"
	"sync"
	"syscall/js"
)

// seenKey is the local-storage key of what the user has seen of each of
// their tickets: ticket ID → Unix ms of the latest entry seen.
const seenKey = "seen"

var (
	newsMu     sync.Mutex
	unreadIDs  = map[string]bool{} // tickets with news, for the list's badges
	notified   = map[string]bool{} // entry IDs already announced
	newsEngine *Client
)

func loadSeen() map[string]int64 {
	seen := map[string]int64{}
	if v := js.Global().Get("localStorage").Call("getItem", seenKey); v.Type() == js.TypeString {
		json.Unmarshal([]byte(v.String()), &seen)
	}
	return seen
}

// markSeen records that the user saw ticket id up to entry time at.
func markSeen(id string, at int64) {
	seen := loadSeen()
	if seen[id] >= at {
		return
	}
	seen[id] = at
	b, _ := json.Marshal(seen)
	js.Global().Get("localStorage").Call("setItem", seenKey, string(b))
	go refreshNews(false)
}

// hasNews reports whether ticket id has news the user has not seen.
func hasNews(id string) bool {
	newsMu.Lock()
	defer newsMu.Unlock()
	return unreadIDs[id]
}

// watchNews keeps the unread count current and, when a reply or change
// arrives on one of the user's tickets while the app is open, shows a
// notification (if the user allowed them).
func watchNews(c *Client) {
	newsEngine = c
	last := -1
	c.Engine.Subscribe(func() {
		if s := c.Engine.Status(); s.Changes != last {
			last = s.Changes
			go refreshNews(true)
		}
	})
	go refreshNews(false) // what arrived while the app was closed: a badge, no pop-up
}

func refreshNews(announce bool) {
	c := newsEngine
	if c == nil {
		return
	}
	news, titles, err := c.myNews(loadSeen())
	if err != nil {
		return
	}
	newsMu.Lock()
	unreadIDs = map[string]bool{}
	var fresh []string
	for id, e := range news {
		unreadIDs[id] = true
		if !notified[e.ID] {
			notified[e.ID] = true
			if announce {
				fresh = append(fresh, id)
			}
		}
	}
	unreadCount.Store(int32(len(news)))
	newsMu.Unlock()
	for _, id := range fresh {
		notify(titles[id], news[id].Body, id)
	}
	c.Engine.Nudge()
}

// notify shows a system notification for news on ticket id.
func notify(title, body, id string) {
	n := js.Global().Get("Notification")
	if !n.Truthy() || n.Get("permission").String() != "granted" {
		return
	}
	if body == "" {
		body = t(uiLang, "notify.changed")
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
