package app

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"outpost/shared"
	"outpost/shared/wire"
)

// ticketView is a ticket as this device shows it: the server's copy with
// the changes still in the outbox applied on top (DESIGN.md rule 5), so the
// screen never flickers back while they wait.
type ticketView struct {
	shared.Ticket
	Pending bool // filed, or changed, on this device and not yet acknowledged
}

// entryView is a line of a ticket's history; Pending ones are still in
// the outbox.
type entryView struct {
	shared.Entry
	Pending bool
}

// pendingOps returns the outbox's ticket creations and ticket changes.
func (c *Client) pendingOps() (creates []shared.TicketCreate, ops []namedOp, err error) {
	out, err := c.Store.Outbox()
	if err != nil {
		return nil, nil, err
	}
	for _, m := range out {
		switch m.Name {
		case shared.OpTicketCreate:
			var tc shared.TicketCreate
			if json.Unmarshal(m.Args, &tc) == nil {
				creates = append(creates, tc)
			}
		case shared.OpTicketReply, shared.OpTicketNote, shared.OpTicketStatus, shared.OpTicketPriority, shared.OpTicketAssign, shared.OpTicketEscalate:
			var op shared.TicketOp
			if json.Unmarshal(m.Args, &op) == nil {
				ops = append(ops, namedOp{m.Name, op})
			}
		}
	}
	return creates, ops, nil
}

type namedOp struct {
	name string
	op   shared.TicketOp
}

// rebase applies a pending change to the ticket as the server will, as far
// as this device can tell.
func rebase(t *ticketView, n namedOp, staff bool) {
	t.Pending = true
	switch op := n.op; n.name {
	case shared.OpTicketStatus:
		t.Status = op.To
	case shared.OpTicketPriority:
		if p, err := shared.Priority(op.Impact, op.Urgency); err == nil {
			t.Impact, t.Urgency, t.Priority = op.Impact, op.Urgency, p
		}
	case shared.OpTicketAssign:
		t.AssigneeID, t.Group = op.AssigneeID, op.Group
	case shared.OpTicketEscalate:
		t.Tier, t.AssigneeID, t.AssigneeName = op.Tier, "", ""
	case shared.OpTicketReply:
		if t.Status == shared.StatusPending && !staff {
			t.Status = shared.StatusOpen
		}
	}
}

// tickets returns the tickets on this device with pending changes rebased
// on top, newest first.
func (c *Client) tickets() ([]ticketView, error) {
	recs, err := c.Store.List(wire.TypeTicket)
	if err != nil {
		return nil, err
	}
	creates, ops, err := c.pendingOps()
	if err != nil {
		return nil, err
	}
	byID := map[string]*ticketView{}
	out := make([]ticketView, 0, len(recs)+len(creates))
	for _, r := range recs {
		var tk shared.Ticket
		if json.Unmarshal(r.Data, &tk) == nil {
			out = append(out, ticketView{Ticket: tk})
		}
	}
	for _, tc := range creates {
		if !hasTicket(out, tc.ID) {
			out = append(out, ticketView{Ticket: tc.TicketBy(c.Engine.ClientID(), c.identity()), Pending: true})
		}
	}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	for _, n := range ops {
		if t := byID[n.op.TicketID]; t != nil {
			rebase(t, n, c.isStaff())
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt > out[j].CreatedAt })
	return out, nil
}

func hasTicket(ts []ticketView, id string) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}

// ticket returns one ticket with its history, oldest first, pending
// changes included.
func (c *Client) ticket(id string) (ticketView, []entryView, bool, error) {
	all, err := c.tickets()
	if err != nil {
		return ticketView{}, nil, false, err
	}
	var tv ticketView
	found := false
	for _, t := range all {
		if t.ID == id {
			tv, found = t, true
		}
	}
	if !found {
		return tv, nil, false, nil
	}
	recs, err := c.Store.List(wire.TypeEntry)
	if err != nil {
		return tv, nil, true, err
	}
	var entries []entryView
	seen := map[string]bool{}
	for _, r := range recs {
		var e shared.Entry
		if json.Unmarshal(r.Data, &e) == nil && e.TicketID == id {
			entries = append(entries, entryView{Entry: e})
			seen[e.ID] = true
		}
	}
	_, ops, err := c.pendingOps()
	if err != nil {
		return tv, nil, true, err
	}
	who := c.identity()
	for _, n := range ops {
		if n.op.TicketID != id || seen[n.op.ID] {
			continue
		}
		e := shared.Entry{
			ID: n.op.ID, TicketID: id, AuthorID: who.UserID, AuthorName: or(who.Name, who.Email),
			AuthorStaff: c.isStaff(), CreatedAt: n.op.CreatedAt, At: n.op.CreatedAt, Body: strings.TrimSpace(n.op.Body),
		}
		switch n.name {
		case shared.OpTicketReply:
			e.Kind = shared.EntryReply
		case shared.OpTicketNote:
			e.Kind, e.Internal = shared.EntryNote, true
		case shared.OpTicketStatus:
			e.Kind, e.To = shared.EntryStatus, n.op.To
		case shared.OpTicketPriority:
			e.Kind = shared.EntryPriority
			e.To, _ = shared.Priority(n.op.Impact, n.op.Urgency)
		case shared.OpTicketAssign:
			e.Kind, e.To = shared.EntryAssign, or(n.op.Group, n.op.AssigneeID)
		case shared.OpTicketEscalate:
			e.Kind, e.Internal, e.To = shared.EntryEscalate, true, strconv.Itoa(n.op.Tier)
		}
		entries = append(entries, entryView{Entry: e, Pending: true})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At < entries[j].At })
	return tv, entries, true, nil
}

// changeTicket queues a ticket change made on this device.
func (c *Client) changeTicket(name string, op shared.TicketOp) error {
	now := c.Engine.Now()
	op.ID, op.CreatedAt = shared.NewID(now), now.UnixMilli()
	if err := op.Validate(name); err != nil {
		return err
	}
	return c.Engine.Mutate(name, op, "")
}

// identity returns who this device is signed in as (the zero Identity if
// nobody).
func (c *Client) identity() shared.Identity {
	if c.me() == nil {
		return shared.Identity{}
	}
	return *c.me()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
