package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// What an agent's device holds of the tickets: exactly those
// shared.Allowed lets the agent view (ActionView: assigned to them, or in
// the general queue or one of their groups, any tier), with their history
// and ratings. The same rule checks every change they push, so the pull
// and the permission table cannot disagree. Admins see every ticket.

// agentSight turns the tickets, history entries and ratings in changes
// that agent a may not view into removals, ID only: a ticket regrouped
// away from the agent's groups leaves their device with its history
// (retag makes the history travel again when a ticket changes hands).
// Anyone but an agent is left alone: visibleTo decided for them.
func (s *Service) agentSight(ctx context.Context, a Actor, changes []wire.Change) error {
	if a.User == nil || a.User.Role != shared.RoleAgent {
		return nil
	}
	facts := map[string]*shared.TicketFacts{} // by ticket ID; nil: none (the history is dropped with it)
	// ticketOf names the ticket c belongs to ("" for other records) and
	// the action that reading c needs.
	ticketOf := func(c wire.Change) (id, action string) {
		if c.Deleted || !owned[c.Type] {
			return "", ""
		}
		if c.Type == wire.TypeTicket {
			return c.ID, shared.ActionView
		}
		var r struct {
			TicketID string `json:"ticket_id"`
			Internal bool   `json:"internal"`
		}
		json.Unmarshal(c.Data, &r)
		if r.Internal {
			return r.TicketID, shared.ActionViewInternal // a note on their own ticket in another group is not theirs to read
		}
		return r.TicketID, shared.ActionView
	}
	for _, c := range changes {
		if id, _ := ticketOf(c); id != "" && c.Type == wire.TypeTicket {
			var t shared.Ticket
			if json.Unmarshal(c.Data, &t) == nil {
				f := t.Facts()
				facts[id] = &f
			}
		}
	}
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		for _, c := range changes {
			id, _ := ticketOf(c)
			if _, known := facts[id]; id == "" || known {
				continue
			}
			var t shared.Ticket
			switch err := getRecord(tx, wire.TypeTicket, id, &t); {
			case err == nil:
				f := t.Facts()
				facts[id] = &f
			case shared.ErrorCode(err) == shared.ENOTFOUND:
				facts[id] = nil
			default:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	who := a.Identity()
	for i, c := range changes {
		id, action := ticketOf(c)
		if id == "" {
			continue
		}
		if f := facts[id]; f == nil || shared.Allowed(who, action, *f) != nil {
			changes[i] = wire.Change{V: c.V, Type: c.Type, ID: c.ID, Deleted: true}
		}
	}
	return nil
}

// retag writes again, at new versions, the history entries and rating of
// ticket t, after a change of who may view it (its group or assignee): an
// agent it came into sight of pulls its history, one it left gets the
// history's removal. They are found in the requester's scope and the
// filing device's (store.RecordScopes: what was written before a device's
// tickets were claimed by its user stays in the device's), not by reading
// every entry.
func retag(tx store.Tx, t *shared.Ticket) error {
	var scopes []string
	if t.RequesterID != "" {
		scopes = append(scopes, store.ScopeUser(t.RequesterID))
	}
	if t.ClientID != "" {
		scopes = append(scopes, store.ScopeClient(t.ClientID))
	}
	type rec struct {
		typ, id string
		data    []byte
	}
	var recs []rec
	collect := func(typ, id string, data []byte) error {
		if typ != wire.TypeEntry && typ != wire.TypeRating {
			return nil
		}
		var r struct {
			TicketID string `json:"ticket_id"`
		}
		if json.Unmarshal(data, &r) == nil && r.TicketID == t.ID {
			recs = append(recs, rec{typ, id, data})
		}
		return nil
	}
	for _, scope := range scopes {
		if err := tx.EachIn(scope, collect); err != nil {
			return err
		}
	}
	if len(scopes) == 0 { // a visitor's ticket, filed by the desk: in no scope, so read them all
		for _, typ := range []string{wire.TypeEntry, wire.TypeRating} {
			err := tx.Each(typ, func(id string, data []byte) error { return collect(typ, id, data) })
			if err != nil {
				return err
			}
		}
	}
	for _, r := range recs {
		if _, err := tx.Put(r.typ, r.id, r.data); err != nil {
			return err
		}
	}
	return nil
}

// ViewEpoch is the epoch a device is told in its welcome: the store's,
// tagged for staff and kiosks with what decides their view (role, groups,
// site). When an admin moves an agent to other groups (or changes a role)
// the device is told another epoch at its next connection, so it drops its
// replica, outbox kept, and pulls afresh what it sees now: the tickets of
// its old groups do not linger, those of its new ones are not missing.
// Requesters and signed-out devices see only their own records and keep
// the store's epoch.
func ViewEpoch(epoch string, who *shared.Identity) string {
	if who == nil || who.Role == shared.RoleRequester || who.Role == "" {
		return epoch
	}
	groups := slices.Sorted(slices.Values(who.Groups))
	sum := sha256.Sum256([]byte(who.Role + "\n" + who.Site + "\n" + strings.Join(groups, "\n")))
	return epoch + "-v" + hex.EncodeToString(sum[:6])
}
