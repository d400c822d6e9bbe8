package shared

import (
	"strings"
	"unicode/utf8"
)

// StatusNew is a ticket nobody has worked on yet; the rest of the lifecycle
// is in lifecycle.go.
const StatusNew = "new"

// Ticket is a request for help, as the server stores it. The requester's
// device and the agents' devices hold copies; internal notes are not in the
// ticket but in Entry records a requester never receives.
type Ticket struct {
	ID string `json:"id"`
	// Number is the short number people say ("#1042"), given by the server
	// when it first stores the ticket, once, never shared; 0 until then
	// (a device shows "number pending").
	Number      int64  `json:"number,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Category    string `json:"category,omitempty"`
	Subcategory string `json:"subcategory,omitempty"`
	Status      string `json:"status"`
	Lang        string `json:"lang,omitempty"`
	Impact      string `json:"impact,omitempty"`
	Urgency     string `json:"urgency,omitempty"`
	Priority    string `json:"priority,omitempty"` // from impact × urgency

	// The requester: a signed-in user, or (RequesterID "") the device that
	// filed it signed out.
	RequesterID    string `json:"requester_id,omitempty"`
	RequesterEmail string `json:"requester_email,omitempty"`
	RequesterName  string `json:"requester_name,omitempty"`
	ClientID       string `json:"client_id"` // device that filed it

	Tier         int    `json:"tier,omitempty"` // 0 counts as tier 1
	Group        string `json:"group,omitempty"`
	AssigneeID   string `json:"assignee_id,omitempty"`
	AssigneeName string `json:"assignee_name,omitempty"`

	CreatedAt       int64 `json:"created_at"`            // Unix ms, as the device saw it
	ReceivedAt      int64 `json:"received_at,omitempty"` // Unix ms, server time of the first push
	UpdatedAt       int64 `json:"updated_at,omitempty"`  // server time of the latest change
	FirstResponseAt int64 `json:"first_response_at,omitempty"`
	ResolvedAt      int64 `json:"resolved_at,omitempty"`

	Attachments []Attachment `json:"attachments,omitempty"` // see attachment.go
}

// Facts returns what the permission and lifecycle rules need to know.
func (t *Ticket) Facts() TicketFacts {
	return TicketFacts{
		RequesterID: t.RequesterID, Tier: t.Tier, Group: t.Group,
		AssigneeID: t.AssigneeID, Status: t.Status, ResolvedAt: t.ResolvedAt,
	}
}

// Field limits for tickets.
const (
	MaxTicketTitle       = 200
	MaxTicketDescription = 20_000
	MaxReply             = 20_000
)

// TicketCreate is the argument of the "ticket.create" mutation.
type TicketCreate struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category,omitempty"`
	Subcategory string `json:"subcategory,omitempty"`
	Impact      string `json:"impact,omitempty"`  // "" = medium
	Urgency     string `json:"urgency,omitempty"` // "" = medium
	Lang        string `json:"lang,omitempty"`
	CreatedAt   int64  `json:"created_at"`

	Attachments []Attachment `json:"attachments,omitempty"` // references; the bytes follow over HTTP
}

// Validate returns an EINVALID *Error naming the first thing wrong with t,
// whose category and subcategory must be in cats, the tree in use.
// Client and server call it: the client before it queues the mutation, so the
// user sees the problem at once; the server before it applies it, because a
// client can be forged.
func (t *TicketCreate) Validate(cats CategoryTree) error {
	switch {
	case !ValidUUID(t.ID):
		return Errorf(EINVALID, "ticket.bad_id", t.ID)
	case strings.TrimSpace(t.Title) == "":
		return Errorf(EINVALID, "ticket.title_required")
	case utf8.RuneCountInString(t.Title) > MaxTicketTitle:
		return Errorf(EINVALID, "field.too_long", "title", MaxTicketTitle)
	case utf8.RuneCountInString(t.Description) > MaxTicketDescription:
		return Errorf(EINVALID, "field.too_long", "description", MaxTicketDescription)
	case t.Category != "" && !cats.Has(t.Category):
		return Errorf(EINVALID, "category.unknown", t.Category)
	case t.Subcategory != "" && !cats.HasSubcategory(t.Category, t.Subcategory):
		return Errorf(EINVALID, "subcategory.unknown", t.Subcategory, t.Category)
	case t.Impact != "" && !validLevel(t.Impact):
		return Errorf(EINVALID, "ticket.priority.bad_impact", t.Impact)
	case t.Urgency != "" && !validLevel(t.Urgency):
		return Errorf(EINVALID, "ticket.priority.bad_urgency", t.Urgency)
	case t.Lang != "" && !ValidLang(t.Lang):
		return Errorf(EINVALID, "ticket.bad_lang", t.Lang)
	case t.CreatedAt < 0 || t.CreatedAt > 1<<53:
		return Errorf(EINVALID, "ticket.bad_time")
	}
	return ValidateAttachments(t.Attachments)
}

// Ticket returns the ticket that t creates when filed signed out from
// device clientID.
func (t *TicketCreate) Ticket(clientID string) Ticket { return t.TicketBy(clientID, Identity{}) }

// TicketBy returns the ticket that t creates, filed from device clientID by
// who (the zero Identity when signed out). It is how the ticket looks on
// the filing device until the server's copy arrives, and what the server
// stores.
func (t *TicketCreate) TicketBy(clientID string, who Identity) Ticket {
	impact, urgency := or(t.Impact, LevelMedium), or(t.Urgency, LevelMedium)
	priority, _ := Priority(impact, urgency)
	return Ticket{
		ID:             t.ID,
		Title:          strings.TrimSpace(t.Title),
		Description:    t.Description,
		Category:       t.Category,
		Subcategory:    t.Subcategory,
		Status:         StatusNew,
		Lang:           t.Lang,
		Impact:         impact,
		Urgency:        urgency,
		Priority:       priority,
		RequesterID:    who.UserID,
		RequesterEmail: who.Email,
		RequesterName:  who.Name,
		ClientID:       clientID,
		CreatedAt:      t.CreatedAt,
		Attachments:    t.Attachments,
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Kinds of ticket history entries.
const (
	EntryReply    = "reply"    // a public reply: the requester sees it
	EntryNote     = "note"     // an internal note: support staff only
	EntryStatus   = "status"   // From → To
	EntryPriority = "priority" // From → To, Body says impact/urgency
	EntryAssign   = "assign"   // To: assignee name or group
	EntryEscalate = "escalate" // From → To tier, Body: the reason
)

// Entry is one line of a ticket's history: a reply, an internal note, or a
// change with who made it and when. Entries are records of their own so a
// requester's device can be sent the public ones only; RequesterID is
// copied from the ticket for that filter.
type Entry struct {
	ID          string `json:"id"`
	TicketID    string `json:"ticket_id"`
	RequesterID string `json:"requester_id,omitempty"`
	ClientID    string `json:"client_id,omitempty"` // the ticket's filing device, for signed-out requesters
	Kind        string `json:"kind"`
	Internal    bool   `json:"internal,omitempty"`
	AuthorID    string `json:"author_id,omitempty"`
	AuthorName  string `json:"author_name,omitempty"`
	AuthorStaff bool   `json:"author_staff,omitempty"`
	Body        string `json:"body,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	CreatedAt   int64  `json:"created_at"` // Unix ms, as the device saw it
	At          int64  `json:"at"`         // Unix ms, server time
}

// TicketOp is the argument of every ticket mutation but create: ID names
// the history entry it makes (a UUIDv7 from the device, so a resend is
// recognised), TicketID the ticket, and the other fields depend on the
// mutation:
//
//	ticket.reply     Body
//	ticket.note      Body
//	ticket.status    To (a status; reopen is resolved → open)
//	ticket.priority  Impact, Urgency
//	ticket.assign    AssigneeID and/or Group ("" AssigneeID unassigns)
//	ticket.escalate  Tier, Body (the reason)
type TicketOp struct {
	ID         string `json:"id"`
	TicketID   string `json:"ticket_id"`
	Body       string `json:"body,omitempty"`
	To         string `json:"to,omitempty"`
	Impact     string `json:"impact,omitempty"`
	Urgency    string `json:"urgency,omitempty"`
	AssigneeID string `json:"assignee_id,omitempty"`
	Group      string `json:"group,omitempty"`
	Tier       int    `json:"tier,omitempty"`
	CreatedAt  int64  `json:"created_at"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with op
// as the argument of mutation name. Whether the user may do it is
// Allowed's and CanTransition's business.
func (op *TicketOp) Validate(name string) error {
	switch {
	case !ValidUUID(op.ID):
		return Errorf(EINVALID, "ticket.bad_op_id", op.ID)
	case !ValidUUID(op.TicketID):
		return Errorf(EINVALID, "ticket.bad_id", op.TicketID)
	case op.CreatedAt < 0 || op.CreatedAt > 1<<53:
		return Errorf(EINVALID, "ticket.bad_time")
	}
	switch name {
	case OpTicketReply, OpTicketNote:
		if strings.TrimSpace(op.Body) == "" {
			return Errorf(EINVALID, "ticket.reply_required")
		}
		if utf8.RuneCountInString(op.Body) > MaxReply {
			return Errorf(EINVALID, "field.too_long", "reply", MaxReply)
		}
	case OpTicketStatus:
		if !ValidTicketStatus(op.To) {
			return Errorf(EINVALID, "transition.unknown_status", op.To)
		}
	case OpTicketPriority:
		if _, err := Priority(op.Impact, op.Urgency); err != nil {
			return err
		}
	case OpTicketAssign:
		if op.AssigneeID != "" && !ValidUUID(op.AssigneeID) {
			return Errorf(EINVALID, "ticket.bad_assignee", op.AssigneeID)
		}
		if op.Group != "" && !ValidSlug(op.Group) {
			return Errorf(EINVALID, "role.bad_group", op.Group)
		}
	case OpTicketEscalate:
		if op.Tier < Tier1 || op.Tier > MaxTier {
			return Errorf(EINVALID, "role.bad_tier", op.Tier)
		}
		if strings.TrimSpace(op.Body) == "" {
			return Errorf(EINVALID, "transition.reason_required")
		}
		if utf8.RuneCountInString(op.Body) > MaxEscalationReason {
			return Errorf(EINVALID, "transition.reason_too_long", MaxEscalationReason)
		}
	default:
		return Errorf(EINVALID, "mutation.unknown", name)
	}
	return nil
}
