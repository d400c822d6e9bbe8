package shared

import (
	"strings"
	"unicode/utf8"
)

// Ticket statuses. Issue 6 adds the full lifecycle; the walking skeleton only
// creates tickets.
const (
	StatusNew = "new"
)

// Ticket is a request for help.
type Ticket struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Category    string `json:"category,omitempty"`
	Status      string `json:"status"`
	Lang        string `json:"lang,omitempty"`
	ClientID    string `json:"client_id"`  // device that filed it
	CreatedAt   int64  `json:"created_at"` // Unix milliseconds, as the device saw it
}

// Field limits for tickets.
const (
	MaxTicketTitle       = 200
	MaxTicketDescription = 20_000
)

// TicketCreate is the argument of the "ticket.create" mutation.
type TicketCreate struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category,omitempty"`
	Lang        string `json:"lang,omitempty"`
	CreatedAt   int64  `json:"created_at"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with t.
// Client and server call it: the client before it queues the mutation, so the
// user sees the problem at once; the server before it applies it, because a
// client can be forged.
func (t *TicketCreate) Validate() error {
	switch {
	case !ValidUUID(t.ID):
		return Errorf(EINVALID, "ticket.bad_id", t.ID)
	case strings.TrimSpace(t.Title) == "":
		return Errorf(EINVALID, "ticket.title_required")
	case utf8.RuneCountInString(t.Title) > MaxTicketTitle:
		return Errorf(EINVALID, "field.too_long", "title", MaxTicketTitle)
	case utf8.RuneCountInString(t.Description) > MaxTicketDescription:
		return Errorf(EINVALID, "field.too_long", "description", MaxTicketDescription)
	case t.Category != "" && !ValidCategory(t.Category):
		return Errorf(EINVALID, "category.unknown", t.Category)
	case t.Lang != "" && !ValidLang(t.Lang):
		return Errorf(EINVALID, "ticket.bad_lang", t.Lang)
	case t.CreatedAt < 0 || t.CreatedAt > 1<<53:
		return Errorf(EINVALID, "ticket.bad_time")
	}
	return nil
}

// Ticket returns the ticket that t creates for client clientID.
func (t *TicketCreate) Ticket(clientID string) Ticket {
	return Ticket{
		ID:          t.ID,
		Title:       strings.TrimSpace(t.Title),
		Description: t.Description,
		Category:    t.Category,
		Status:      StatusNew,
		Lang:        t.Lang,
		ClientID:    clientID,
		CreatedAt:   t.CreatedAt,
	}
}
