package shared

import "unicode/utf8"

// Satisfaction ratings: after a ticket is resolved its requester may rate
// it from MinScore (very unhappy) to MaxScore (very happy), once per
// resolution (a reopened and resolved again ticket may be rated again).
const (
	MinScore         = 1
	MaxScore         = 5
	MaxRatingComment = 2000
	EntryRating      = "rating" // the history entry noting a rating: To the score, Body the comment
)

// Rating is the argument of the "ticket.rate" mutation: a requester's
// satisfaction score for their resolved ticket, with an optional comment.
type Rating struct {
	ID        string `json:"id"` // UUIDv7 made by the device
	TicketID  string `json:"ticket_id"`
	Score     int    `json:"score"`
	Comment   string `json:"comment,omitempty"`
	CreatedAt int64  `json:"created_at"` // Unix ms, as the device saw it
}

// Validate returns an EINVALID *Error naming the first thing wrong with r.
// Whether the user may rate the ticket now is Allowed's business
// (ActionRate), and whether this resolution was rated already the server's.
func (r *Rating) Validate() error {
	switch {
	case !ValidUUID(r.ID):
		return Errorf(EINVALID, "rating.bad_id", r.ID)
	case !ValidUUID(r.TicketID):
		return Errorf(EINVALID, "ticket.bad_id", r.TicketID)
	case r.Score < MinScore || r.Score > MaxScore:
		return Errorf(EINVALID, "rating.bad_score", MinScore, MaxScore)
	case utf8.RuneCountInString(r.Comment) > MaxRatingComment:
		return Errorf(EINVALID, "field.too_long", "comment", MaxRatingComment)
	case r.CreatedAt < 0 || r.CreatedAt > 1<<53:
		return Errorf(EINVALID, "ticket.bad_time")
	}
	return nil
}

// RatingRecord is a rating as the server stores it (record type "rating"):
// support staff see every one, a requester their own. ResolvedAt names the
// resolution it rates (the ticket's ResolvedAt then), so a ticket is rated
// at most once per resolution.
type RatingRecord struct {
	Rating
	RequesterID string `json:"requester_id"`
	ClientID    string `json:"client_id,omitempty"`
	ResolvedAt  int64  `json:"resolved_at"`
	ReceivedAt  int64  `json:"received_at"` // Unix ms, server time
}
