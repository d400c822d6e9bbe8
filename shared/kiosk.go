package shared

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Kiosk mode: a walk-up desk. Kiosk devices check visitors in; desk staff
// call them, serve them, resolve at the desk or file a ticket for them.
//
// A check-in becomes two records: a Visit, which the kiosks of its site
// may see (number, reason, status, times: no one's name), and a Visitor
// with the name and e-mail address, which only support staff ever
// receive. So no kiosk holds visitor data once its outbox is empty.

// Record types of kiosk mode.
const (
	TypeVisit   = "visit"   // Visit: the site's queue, visible to its kiosks and to staff
	TypeVisitor = "visitor" // Visitor: who a visit is (name, e-mail), staff only; ID = the visit's ID
	TypeKiosk   = "kiosk"   // KioskDevice: an enrolled kiosk; ID = its account's user ID
	TypeOutmail = "outmail" // Outmail: an e-mail that should be sent, staff only
)

// Visit statuses.
//
//	waiting ──► called ──► serving ──► resolved | ticketed
//	   │          │  ▲        │
//	   │          └──┘ (called again)
//	   └──────────┴──► noshow
const (
	VisitWaiting  = "waiting"
	VisitCalled   = "called"
	VisitServing  = "serving"
	VisitResolved = "resolved" // at the desk: counts as first-contact resolution
	VisitTicketed = "ticketed" // a ticket was filed for the visitor
	VisitNoShow   = "noshow"
)

// Field limits of kiosk mode.
const (
	MaxVisitNumber = 16
	MaxDeskName    = 40
	// MaxArrivalSkew bounds how far before the server first heard of a
	// check-in its device time may place it in the queue (see Arrival).
	MaxArrivalSkew = 8 * time.Hour
	// EnrollCodeTTL is how long an enrollment code may be used.
	EnrollCodeTTL = 24 * time.Hour
)

// Visit is one visitor's place in a site's queue. It carries no personal
// data: kiosks of the site receive it.
type Visit struct {
	ID        string `json:"id"`
	Site      string `json:"site"`
	Number    string `json:"number"` // "A-007": the kiosk's letter, then its count of the day
	Reason    string `json:"reason"` // a category, or "category/subcategory"
	Status    string `json:"status"`
	KioskID   string `json:"kiosk_id,omitempty"`
	Desk      string `json:"desk,omitempty"`       // the desk that called or serves the visitor
	CreatedAt int64  `json:"created_at"`           // Unix ms, the kiosk's clock
	Received  int64  `json:"received_at"`          // Unix ms, server time of the first push
	CalledAt  int64  `json:"called_at,omitempty"`  // latest call
	StartedAt int64  `json:"started_at,omitempty"` // the desk session began
	EndedAt   int64  `json:"ended_at,omitempty"`   // resolved, ticketed or no-show
	FCR       bool   `json:"fcr,omitempty"`        // resolved at the desk, first contact
	TicketID  string `json:"ticket_id,omitempty"`
}

// Visitor is who a visit is for: staff only.
type Visitor struct {
	ID    string `json:"id"` // the visit's ID
	Site  string `json:"site"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// KioskDevice is an enrolled kiosk. Its letter prefixes the queue numbers
// it issues, so two kiosks of a site never issue the same number, even
// offline; letters are never reused at a site.
type KioskDevice struct {
	ID         string `json:"id"` // the kiosk account's user ID
	Site       string `json:"site"`
	Letter     string `json:"letter"`
	Name       string `json:"name"`
	EnrolledAt int64  `json:"enrolled_at"`
	EnrolledBy string `json:"enrolled_by,omitempty"`
	RevokedAt  int64  `json:"revoked_at,omitempty"`
}

// Outmail is an e-mail Outpost means to send (server/mail sends it when an
// SMTP server is configured): to a visitor without an account, about the
// ticket the desk filed for them and its updates.
type Outmail struct {
	ID        string `json:"id"`
	To        string `json:"to"`
	Name      string `json:"name,omitempty"`
	Template  string `json:"template"` // a catalog key, e.g. "desk.mail_ticket_filed"
	TicketID  string `json:"ticket_id,omitempty"`
	EntryID   string `json:"entry_id,omitempty"` // the reply or change an update is about
	Status    string `json:"status"`             // queued, sent or failed
	Attempts  int    `json:"attempts,omitempty"`
	Error     string `json:"error,omitempty"` // the last attempt's
	SentAt    int64  `json:"sent_at,omitempty"`
	CreatedAt int64  `json:"created_at"`
}

// KioskCheckin is the argument of kiosk.checkin.
type KioskCheckin struct {
	ID        string `json:"id"` // UUIDv7, the visit's
	Site      string `json:"site"`
	Number    string `json:"number"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Reason    string `json:"reason"`
	CreatedAt int64  `json:"created_at"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with c,
// whose reason must be in cats, the category tree in use.
func (c *KioskCheckin) Validate(cats CategoryTree) error {
	switch {
	case !ValidUUID(c.ID):
		return Errorf(EINVALID, "kiosk.bad_id", c.ID)
	case !ValidSlug(c.Site):
		return Errorf(EINVALID, "role.bad_site", c.Site)
	case !ValidVisitNumber(c.Number):
		return Errorf(EINVALID, "kiosk.bad_number", c.Number)
	case strings.TrimSpace(c.Name) == "":
		return Errorf(EINVALID, "kiosk.name_required")
	case utf8.RuneCountInString(c.Name) > MaxName:
		return Errorf(EINVALID, "auth.name_too_long", MaxName)
	case !ValidReason(cats, c.Reason):
		return Errorf(EINVALID, "kiosk.bad_reason", c.Reason)
	case c.CreatedAt <= 0 || c.CreatedAt > 1<<53:
		return Errorf(EINVALID, "ticket.bad_time")
	}
	if _, err := NormalizeEmail(c.Email); err != nil {
		return Errorf(EINVALID, "kiosk.bad_email")
	}
	return nil
}

// ValidReason reports whether r is a category, or category/subcategory, of
// cats.
func ValidReason(cats CategoryTree, r string) bool {
	cat, sub, hasSub := strings.Cut(r, "/")
	if !hasSub {
		return cats.Has(cat)
	}
	return cats.HasSubcategory(cat, sub)
}

// ReasonCategory returns the category of a reason.
func ReasonCategory(r string) string {
	cat, _, _ := strings.Cut(r, "/")
	return cat
}

// ReasonKey returns the catalog key that names reason r.
func ReasonKey(r string) string {
	if cat, sub, ok := strings.Cut(r, "/"); ok {
		return "subcategory." + cat + "." + sub
	}
	return "category." + r
}

// ValidVisitNumber reports whether n looks like a queue number: upper-case
// letters, a hyphen, digits, at most MaxVisitNumber bytes.
func ValidVisitNumber(n string) bool {
	letter, digits, ok := strings.Cut(n, "-")
	if !ok || !ValidLetter(letter) || digits == "" || len(n) > MaxVisitNumber {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ValidLetter reports whether s is a kiosk letter: 1–3 of A–Z.
func ValidLetter(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// KioskLetter returns the letter of a site's n-th kiosk (from 0): A … Z,
// then AA, AB …
func KioskLetter(n int) string {
	if n < 26 {
		return string(rune('A' + n))
	}
	return KioskLetter(n/26-1) + string(rune('A'+n%26))
}

// VisitNumber formats a kiosk's count-th number: "A-007".
func VisitNumber(letter string, count int) string {
	return fmt.Sprintf("%s-%03d", letter, count)
}

// NumberCount returns the count of a visit number ("A-007" → 7), 0 if it
// has none.
func NumberCount(n string) int {
	_, digits, _ := strings.Cut(n, "-")
	c := 0
	for _, r := range digits {
		if r < '0' || r > '9' || c > 1e6 {
			return 0
		}
		c = c*10 + int(r-'0')
	}
	return c
}

// VisitOp is the argument of the visit.* mutations. ID names the visit;
// the other fields depend on the mutation (see the Op constants).
type VisitOp struct {
	ID          string `json:"id"`
	Desk        string `json:"desk,omitempty"`
	TicketID    string `json:"ticket_id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Category    string `json:"category,omitempty"`
	Subcategory string `json:"subcategory,omitempty"`
	Lang        string `json:"lang,omitempty"`
	CreatedAt   int64  `json:"created_at"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with op
// as the argument of mutation name; the ticket a visit.ticket files is
// checked against cats, the category tree in use.
func (op *VisitOp) Validate(name string, cats CategoryTree) error {
	switch {
	case !slices.Contains(VisitOps, name):
		return Errorf(EINVALID, "mutation.unknown", name)
	case !ValidUUID(op.ID):
		return Errorf(EINVALID, "kiosk.bad_id", op.ID)
	case utf8.RuneCountInString(op.Desk) > MaxDeskName:
		return Errorf(EINVALID, "desk.bad_desk", MaxDeskName)
	case (name == OpVisitCall || name == OpVisitStart) && strings.TrimSpace(op.Desk) == "":
		return Errorf(EINVALID, "desk.desk_required")
	case op.CreatedAt < 0 || op.CreatedAt > 1<<53:
		return Errorf(EINVALID, "ticket.bad_time")
	}
	if name == OpVisitTicket {
		tc := op.TicketCreate()
		return tc.Validate(cats)
	}
	return nil
}

// TicketCreate returns the ticket a visit.ticket files, as a ticket.create
// would describe it.
func (op *VisitOp) TicketCreate() TicketCreate {
	return TicketCreate{
		ID: op.TicketID, Title: op.Title, Description: op.Description, Category: op.Category,
		Subcategory: op.Subcategory, Lang: op.Lang, CreatedAt: op.CreatedAt,
	}
}

// NextVisitStatus returns the status a visit in status from moves to by
// mutation name, or an ECONFLICT *Error if that move is not allowed now.
func NextVisitStatus(from, name string) (string, error) {
	open := from == VisitWaiting || from == VisitCalled
	switch name {
	case OpVisitCall:
		if open {
			return VisitCalled, nil
		}
	case OpVisitStart:
		if open {
			return VisitServing, nil
		}
	case OpVisitResolve:
		if open || from == VisitServing {
			return VisitResolved, nil
		}
	case OpVisitTicket:
		if open || from == VisitServing {
			return VisitTicketed, nil
		}
	case OpVisitNoShow:
		if open {
			return VisitNoShow, nil
		}
	default:
		return "", Errorf(EINVALID, "mutation.unknown", name)
	}
	return "", Errorf(ECONFLICT, "desk.visit_moved", from)
}

// VisitActive reports whether a visit is still in the queue or at a desk.
func VisitActive(status string) bool {
	return status == VisitWaiting || status == VisitCalled || status == VisitServing
}

// Arrival is when a visit counts as having arrived, for the queue order:
// the kiosk's clock, bounded by the server's. A visit cannot have arrived
// after the server first heard of it (Received), so a kiosk whose clock
// runs fast cannot push its visitors back; and a kiosk whose clock is
// hours slow cannot put its visitors ahead of the whole day: the device
// time counts only down to MaxArrivalSkew before Received. A visit the
// server has not seen yet (Received 0, on the kiosk that made it) arrives
// at its device time.
func (v *Visit) Arrival() int64 {
	at := v.CreatedAt
	if v.Received > 0 {
		at = min(at, v.Received)
		at = max(at, v.Received-MaxArrivalSkew.Milliseconds())
	}
	return at
}

// SortQueue orders visits by arrival, then number, then ID: the site's one
// queue, the same on every device that holds the same visits.
func SortQueue(vs []Visit) {
	slices.SortStableFunc(vs, func(a, b Visit) int {
		if x, y := a.Arrival(), b.Arrival(); x != y {
			if x < y {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Number, b.Number); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// DefaultServiceTime is the service time assumed before a site has served
// anyone, and WaitSamples how many recent served visits the estimate uses.
const (
	DefaultServiceTime = 5 * time.Minute
	WaitSamples        = 10
)

// ServiceTimes returns how long the last WaitSamples served visits of vs
// took at the desk (start to end, or call to end), newest first.
func ServiceTimes(vs []Visit) []time.Duration {
	type served struct {
		end int64
		d   time.Duration
	}
	var all []served
	for _, v := range vs {
		if v.Status != VisitResolved && v.Status != VisitTicketed || v.EndedAt == 0 {
			continue
		}
		start := v.StartedAt
		if start == 0 {
			start = v.CalledAt
		}
		if start == 0 || v.EndedAt < start {
			continue
		}
		all = append(all, served{v.EndedAt, time.Duration(v.EndedAt-start) * time.Millisecond})
	}
	slices.SortFunc(all, func(a, b served) int {
		switch {
		case a.end > b.end:
			return -1
		case a.end < b.end:
			return 1
		}
		return 0
	})
	out := make([]time.Duration, 0, min(len(all), WaitSamples))
	for i := 0; i < len(all) && i < WaitSamples; i++ {
		out = append(out, all[i].d)
	}
	return out
}

// EstimateWait estimates the wait of someone with ahead people before them,
// from recent service times: the median service time × ahead, as a range
// from the lower to the upper quartile × ahead, never below a minute per
// person. With no service times it uses DefaultServiceTime, ±40%.
func EstimateWait(ahead int, times []time.Duration) (mid, lo, hi time.Duration) {
	if ahead <= 0 {
		return 0, 0, 0
	}
	var m, q1, q3 time.Duration
	if len(times) == 0 {
		m = DefaultServiceTime
		q1, q3 = m*6/10, m*14/10
	} else {
		s := slices.Clone(times)
		slices.Sort(s)
		m, q1, q3 = quantile(s, 0.5), quantile(s, 0.25), quantile(s, 0.75)
	}
	per := func(d time.Duration) time.Duration { return max(d, time.Minute) * time.Duration(ahead) }
	return per(m), per(q1), per(q3)
}

// quantile of sorted s by linear interpolation.
func quantile(s []time.Duration, q float64) time.Duration {
	if len(s) == 1 {
		return s[0]
	}
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	frac := pos - float64(i)
	return s[i] + time.Duration(frac*float64(s[i+1]-s[i]))
}

// WaitMinutes rounds a wait up to whole minutes, at least 1 for a wait
// that is not zero.
func WaitMinutes(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Minute - 1) / time.Minute)
}

// NormalizeEnrollCode returns an enrollment code as stored: upper case,
// without spaces or hyphens, so "7kq4-mz2p" and "7KQ4MZ2P" are the same.
func NormalizeEnrollCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// LocalDay returns the date of t in its location, YYYY-MM-DD: the day a
// kiosk's numbers count in.
func LocalDay(t time.Time) string { return t.Format("2006-01-02") }
