package sync

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// ratingEntryID is the ID of the history entry noting the rating of the
// resolution at resolvedAt: one per resolution, so its existence is the
// "already rated" check.
func ratingEntryID(ticketID string, resolvedAt int64) string {
	return "rating-" + ticketID + "-" + strconv.FormatInt(resolvedAt, 10)
}

// ticketRate records a requester's satisfaction rating of their resolved
// ticket: once per resolution (a reopened ticket resolved again may be
// rated again), as a rating record and a line in the ticket's history.
func ticketRate(tx store.Tx, a Actor, args json.RawMessage, now time.Time, _ shared.CategoryTree) error {
	var r shared.Rating
	if err := json.Unmarshal(args, &r); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if a.User == nil {
		return ErrSignIn
	}
	who := a.Identity()
	var t shared.Ticket
	switch err := getRecord(tx, wire.TypeTicket, r.TicketID, &t); {
	case shared.ErrorCode(err) == shared.ENOTFOUND:
		return shared.Errorf(shared.ENOTFOUND, "ticket.not_found", r.TicketID)
	case err != nil:
		return err
	}
	if shared.Allowed(who, shared.ActionView, t.Facts()) != nil {
		return shared.Errorf(shared.ENOTFOUND, "ticket.not_found", r.TicketID)
	}
	if err := shared.Allowed(who, shared.ActionRate, t.Facts()); err != nil {
		return err
	}
	if err := mustBeNew(tx, wire.TypeRating, r.ID, "rating.exists"); err != nil {
		return err
	}
	e := shared.Entry{
		ID: ratingEntryID(t.ID, t.ResolvedAt), TicketID: t.ID, RequesterID: t.RequesterID, ClientID: t.ClientID,
		Kind: shared.EntryRating, AuthorID: who.UserID, AuthorName: or(who.Name, who.Email),
		To: strconv.Itoa(r.Score), Body: strings.TrimSpace(r.Comment), CreatedAt: r.CreatedAt, At: now.UnixMilli(),
	}
	if err := mustBeNew(tx, wire.TypeEntry, e.ID, "rating.already"); err != nil {
		return err
	}
	r.Comment = e.Body
	rec := shared.RatingRecord{Rating: r, RequesterID: t.RequesterID, ClientID: t.ClientID, ResolvedAt: t.ResolvedAt, ReceivedAt: now.UnixMilli()}
	if err := putJSON(tx, wire.TypeRating, r.ID, rec); err != nil {
		return err
	}
	return putJSON(tx, wire.TypeEntry, e.ID, e)
}
