package sync

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"outpost/server/blob"
	"outpost/server/mail"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// ticketCreate files a new ticket: anyone may, signed out too; a signed-in
// user needs shared.ActionCreate. The ticket gets its number here.
func ticketCreate(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
	var tc shared.TicketCreate
	if err := json.Unmarshal(args, &tc); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := tc.Validate(cats); err != nil {
		return err
	}
	who := a.Identity()
	if a.User != nil {
		if err := shared.Allowed(who, shared.ActionCreate, shared.TicketFacts{RequesterID: who.UserID, Status: shared.StatusNew}); err != nil {
			return err
		}
	}
	_, err := tx.Get(wire.TypeTicket, tc.ID)
	switch shared.ErrorCode(err) {
	case "":
		return shared.Errorf(shared.ECONFLICT, "ticket.exists")
	case shared.ENOTFOUND:
	default:
		return err
	}
	tk := tc.TicketBy(a.ClientID, who)
	tk.ReceivedAt, tk.UpdatedAt = now.UnixMilli(), now.UnixMilli()
	if tk.Number, err = nextTicketNumber(tx); err != nil { // number.go
		return err
	}
	if err := blob.Reference(tx, tk.ID, tk.Attachments); err != nil {
		return err // the attachments' bytes may be uploaded once the ticket names them
	}
	return putJSON(tx, wire.TypeTicket, tc.ID, tk)
}

// decodeOp decodes the arguments of an operation on a ticket or a visit,
// which needs a signed-in user, and checks them with validate.
func decodeOp[T any](a Actor, args json.RawMessage, validate func(*T) error) (T, error) {
	var op T
	if err := json.Unmarshal(args, &op); err != nil {
		return op, shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := validate(&op); err != nil {
		return op, err
	}
	if a.User == nil {
		return op, ErrSignIn
	}
	return op, nil
}

// ticketOp returns the handler of one ticket change: it checks the
// arguments, that the user may do it to this ticket now, then writes the
// ticket and a history entry in the mutation's transaction.
func ticketOp(name string) handler {
	return func(tx store.Tx, a Actor, args json.RawMessage, now time.Time, _ shared.CategoryTree) error {
		op, err := decodeOp(a, args, func(op *shared.TicketOp) error { return op.Validate(name) })
		if err != nil {
			return err
		}
		who := a.Identity()
		var t shared.Ticket
		switch err := getRecord(tx, wire.TypeTicket, op.TicketID, &t); {
		case shared.ErrorCode(err) == shared.ENOTFOUND:
			return shared.Errorf(shared.ENOTFOUND, "ticket.not_found", op.TicketID)
		case err != nil:
			return err
		}
		// A user who may not even see the ticket learns nothing of it. Staff
		// are told the real reason below (perm.out_of_scope), not that it
		// does not exist: an agent's device may hold a ticket that has
		// since left their groups.
		if !a.staff() && shared.Allowed(who, shared.ActionView, t.Facts()) != nil {
			return shared.Errorf(shared.ENOTFOUND, "ticket.not_found", op.TicketID)
		}
		if err := mustBeNew(tx, wire.TypeEntry, op.ID, "ticket.op_exists"); err != nil {
			return err
		}
		e := shared.Entry{
			ID: op.ID, TicketID: t.ID, RequesterID: t.RequesterID, ClientID: t.ClientID,
			AuthorID: who.UserID, AuthorName: or(who.Name, who.Email), AuthorStaff: a.staff(),
			CreatedAt: op.CreatedAt, At: now.UnixMilli(),
		}
		before := t.Facts()
		if err := apply(tx, name, &op, &t, &e, who, now); err != nil {
			return err
		}
		if after := t.Facts(); after.Group != before.Group || after.AssigneeID != before.AssigneeID {
			if err := retag(tx, &t); err != nil { // sight.go: its history follows it to whoever sees it now
				return err
			}
		}
		t.UpdatedAt = now.UnixMilli()
		if err := putJSON(tx, wire.TypeTicket, t.ID, t); err != nil {
			return err
		}
		if err := putJSON(tx, wire.TypeEntry, e.ID, e); err != nil {
			return err
		}
		// A requester without an account (a visitor the desk filed for)
		// hears of replies and status changes by e-mail.
		return mail.QueueUpdate(tx, &t, &e, now)
	}
}

// apply makes the change op names to t, and says what it was in e.
func apply(tx store.Tx, name string, op *shared.TicketOp, t *shared.Ticket, e *shared.Entry, who shared.Identity, now time.Time) error {
	facts := t.Facts()
	staff := who.IsStaff()
	switch name {
	case shared.OpTicketReply:
		if err := shared.Allowed(who, shared.ActionReply, facts); err != nil {
			return err
		}
		e.Kind, e.Body = shared.EntryReply, strings.TrimSpace(op.Body)
		switch {
		case staff && who.UserID != t.RequesterID:
			if t.FirstResponseAt == 0 {
				t.FirstResponseAt = now.UnixMilli()
			}
			if t.Status == shared.StatusNew {
				t.Status = shared.StatusOpen
				return implicitStatus(tx, e, shared.StatusNew, shared.StatusOpen) // sla.go: the SLA clock sees it
			}
		case t.Status == shared.StatusPending:
			t.Status = shared.StatusOpen // the requester answered: the clock runs again
			return implicitStatus(tx, e, shared.StatusPending, shared.StatusOpen)
		}
	case shared.OpTicketNote:
		if err := shared.Allowed(who, shared.ActionNote, facts); err != nil {
			return err
		}
		e.Kind, e.Body, e.Internal = shared.EntryNote, strings.TrimSpace(op.Body), true
	case shared.OpTicketStatus:
		if err := shared.CanTransition(who, facts, op.To, now, shared.DefaultReopenWindow); err != nil {
			return err
		}
		e.Kind, e.From, e.To = shared.EntryStatus, t.Status, op.To
		t.Status = op.To
		if op.To == shared.StatusResolved {
			t.ResolvedAt = now.UnixMilli()
		}
	case shared.OpTicketPriority:
		if err := shared.Allowed(who, shared.ActionChangePriority, facts); err != nil {
			return err
		}
		p, _ := shared.Priority(op.Impact, op.Urgency)
		e.Kind, e.From, e.To, e.Body = shared.EntryPriority, t.Priority, p, op.Impact+"/"+op.Urgency
		t.Impact, t.Urgency, t.Priority = op.Impact, op.Urgency, p
	case shared.OpTicketAssign:
		if err := shared.Allowed(who, shared.ActionAssign, facts); err != nil {
			return err
		}
		name := ""
		if op.AssigneeID != "" {
			var u struct {
				Name, Email, Role string
			}
			err := getRecord(tx, wire.TypeUser, op.AssigneeID, &u)
			if shared.ErrorCode(err) == shared.ENOTFOUND || err == nil && !shared.IsStaffRole(u.Role) {
				return shared.Errorf(shared.ENOTFOUND, "ticket.no_assignee", op.AssigneeID)
			}
			if err != nil {
				return err
			}
			name = or(u.Name, u.Email)
		}
		e.Kind, e.From, e.To = shared.EntryAssign, or(t.AssigneeName, t.Group), or(name, op.Group)
		t.AssigneeID, t.AssigneeName, t.Group = op.AssigneeID, name, op.Group
	case shared.OpTicketEscalate:
		if err := shared.Allowed(who, shared.ActionEscalate, facts); err != nil {
			return err
		}
		if err := shared.ValidateEscalation(facts, op.Tier, op.Body); err != nil {
			return err
		}
		from := max(t.Tier, shared.Tier1)
		e.Kind, e.Internal, e.Body = shared.EntryEscalate, true, strings.TrimSpace(op.Body)
		e.From, e.To = strconv.Itoa(from), strconv.Itoa(op.Tier)
		// The next tier picks it up from its queue.
		t.Tier, t.AssigneeID, t.AssigneeName = op.Tier, "", ""
	}
	return nil
}

// Claim gives a user the tickets a device filed signed out, with their
// history, when the device first signs in: the field worker who filed
// offline before signing in follows them from any device afterwards.
func Claim(tx store.Tx, clientID string, who shared.Identity) error {
	// The device's signed-out records are indexed under its client scope
	// (store.RecordScopes): a new client ID reads nothing, not every ticket.
	var ids []string
	err := tx.EachIn(store.ScopeClient(clientID), func(typ, id string, data []byte) error {
		var t struct {
			RequesterID string `json:"requester_id"`
			ClientID    string `json:"client_id"`
		}
		if typ == wire.TypeTicket && json.Unmarshal(data, &t) == nil && t.RequesterID == "" && t.ClientID == clientID {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		var t shared.Ticket
		if err := getRecord(tx, wire.TypeTicket, id, &t); err != nil {
			return err
		}
		t.RequesterID, t.RequesterEmail, t.RequesterName = who.UserID, who.Email, who.Name
		if err := putJSON(tx, wire.TypeTicket, id, t); err != nil {
			return err
		}
	}
	return nil
}

// mustBeNew refuses, as ECONFLICT key, a mutation whose record typ/id is
// already stored: an ID the client made must not name another record.
func mustBeNew(tx store.ReadTx, typ, id, key string) error {
	switch _, err := tx.Get(typ, id); shared.ErrorCode(err) {
	case "":
		return shared.Errorf(shared.ECONFLICT, key)
	case shared.ENOTFOUND:
		return nil
	default:
		return err
	}
}

// getRecord decodes a record into v; ENOTFOUND if there is none.
func getRecord(tx store.ReadTx, typ, id string, v any) error {
	data, err := tx.Get(typ, id)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
