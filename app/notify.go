package app

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"outpost/shared"
	"outpost/shared/wire"
)

// newsState is what the user has not seen yet of their tickets
// (notify_wasm.go keeps it).
type newsState struct {
	mu       sync.Mutex
	unread   map[string]bool // tickets with news, for the list's badges
	notified map[string]bool // entry IDs already announced
	// count is how many of my tickets have news I have not seen; the
	// header shows it on "My tickets".
	count atomic.Int32
}

// news returns, for each of my tickets with something new, the latest
// entry someone else added (a reply or a change: my own never count) that
// is newer than what I saw (seen: ticket ID → Unix ms of the last entry I
// saw). Internal entries are never on a requester's device; for staff they
// do not count as news to the requester either.
func news(entries []shared.Entry, myID string, mine map[string]bool, seen map[string]int64) map[string]shared.Entry {
	out := map[string]shared.Entry{}
	for _, e := range entries {
		if !mine[e.TicketID] || e.Internal || e.AuthorID == myID || e.At <= seen[e.TicketID] {
			continue
		}
		if prev, ok := out[e.TicketID]; !ok || e.At > prev.At {
			out[e.TicketID] = e
		}
	}
	return out
}

// myNews reads the replica for news on the signed-in user's tickets.
func (c *Client) myNews(seen map[string]int64) (map[string]shared.Entry, map[string]string, error) {
	who := c.identity()
	if who.UserID == "" {
		return nil, nil, nil
	}
	tickets, err := c.Store.List(wire.TypeTicket)
	if err != nil {
		return nil, nil, err
	}
	mine, titles := map[string]bool{}, map[string]string{}
	for _, r := range tickets {
		var t shared.Ticket
		if json.Unmarshal(r.Data, &t) == nil && t.RequesterID == who.UserID {
			mine[t.ID], titles[t.ID] = true, t.Title
		}
	}
	recs, err := c.Store.List(wire.TypeEntry)
	if err != nil {
		return nil, nil, err
	}
	entries := make([]shared.Entry, 0, len(recs))
	for _, r := range recs {
		var e shared.Entry
		if json.Unmarshal(r.Data, &e) == nil {
			entries = append(entries, e)
		}
	}
	return news(entries, who.UserID, mine, seen), titles, nil
}
