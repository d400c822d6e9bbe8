package sync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"outpost/server/auth"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// Kiosk mode on the server: kiosks check visitors in (kiosk.checkin), desk
// staff work the site's queue (visit.*), admins enroll kiosks with
// one-time codes. A check-in is split into a visit, which the site's
// kiosks may pull, and a visitor record with the name and e-mail address,
// which only staff may (visibleTo), so a kiosk never receives anyone's
// personal data back.
//
// Unlogged data (store.Tx.PutLocal):
//
//	kioskcode/<SHA-256 of the code, hex>  an enrollment code (kioskCode), kept a week past its expiry
//	visitnum/<site>/<number>             the visit holding a queue number, for a day

const (
	kindKioskCode = "kioskcode"
	kindVisitNum  = "visitnum"
	// codeMemory is how long a code is remembered after it expires, so
	// using it says "expired" rather than "unknown".
	codeMemory = 7 * 24 * time.Hour
	// numberMemory is how long a queue number stays taken.
	numberMemory = 24 * time.Hour
)

// kioskCheckin puts a visitor in the queue of the kiosk's site. Only a
// kiosk may, only at its own site, only with numbers of its own letter. A
// number already held by another visit of the site (a kiosk that lost its
// counter) gets a suffix rather than losing the visitor.
func kioskCheckin(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
	var c shared.KioskCheckin
	if err := json.Unmarshal(args, &c); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := c.Validate(cats); err != nil {
		return err
	}
	if a.User == nil {
		return ErrSignIn
	}
	who := a.Identity()
	switch {
	case who.Role != shared.RoleKiosk:
		return shared.Errorf(shared.EFORBIDDEN, "kiosk.kiosks_only")
	case c.Site != who.Site:
		return shared.Errorf(shared.EFORBIDDEN, "perm.kiosk_other_site")
	}
	var k shared.KioskDevice
	switch err := getRecord(tx, shared.TypeKiosk, who.UserID, &k); {
	case shared.ErrorCode(err) == shared.ENOTFOUND:
		return shared.Errorf(shared.EFORBIDDEN, "kiosk.not_enrolled")
	case err != nil:
		return err
	case k.RevokedAt != 0:
		return shared.Errorf(shared.EFORBIDDEN, "kiosk.revoked")
	case !strings.HasPrefix(c.Number, k.Letter+"-"):
		return shared.Errorf(shared.EINVALID, "kiosk.bad_number", c.Number)
	}
	if err := mustBeNew(tx, shared.TypeVisit, c.ID, "kiosk.visit_exists"); err != nil {
		return err
	}
	email, _ := shared.NormalizeEmail(c.Email)
	number, err := freeNumber(tx, c.Site, c.Number, c.ID, now)
	if err != nil {
		return err
	}
	v := shared.Visit{
		ID: c.ID, Site: c.Site, Number: number, Reason: c.Reason, Status: shared.VisitWaiting,
		KioskID: who.UserID, CreatedAt: c.CreatedAt, Received: now.UnixMilli(),
	}
	if err := putJSON(tx, shared.TypeVisit, v.ID, v); err != nil {
		return err
	}
	return putJSON(tx, shared.TypeVisitor, v.ID, shared.Visitor{ID: v.ID, Site: v.Site, Name: strings.TrimSpace(c.Name), Email: email})
}

// freeNumber returns number, or number with a suffix if another visit of
// the site still in the queue holds it, and takes it for visit id.
func freeNumber(tx store.Tx, site, number, id string, now time.Time) (string, error) {
	for i := 1; ; i++ {
		n := number
		if i > 1 {
			n = fmt.Sprintf("%s-%d", number, i)
		}
		key := site + "/" + n
		holder, err := tx.GetLocal(kindVisitNum, key)
		switch shared.ErrorCode(err) {
		case "":
			var v shared.Visit
			if string(holder) != id && getRecord(tx, shared.TypeVisit, string(holder), &v) == nil && shared.VisitActive(v.Status) {
				continue
			}
		case shared.ENOTFOUND:
		default:
			return "", err
		}
		return n, tx.PutLocal(kindVisitNum, key, []byte(id), now.Add(numberMemory))
	}
}

// visitOp returns the handler of one desk operation on a visit: staff only;
// the visit must be where the move starts (a visit another desk called is
// not called twice).
func visitOp(name string) handler {
	return func(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error {
		op, err := decodeOp(a, args, func(op *shared.VisitOp) error { return op.Validate(name, cats) })
		if err != nil {
			return err
		}
		if !a.staff() {
			return shared.Errorf(shared.EFORBIDDEN, "desk.staff_only")
		}
		var v shared.Visit
		switch err := getRecord(tx, shared.TypeVisit, op.ID, &v); {
		case shared.ErrorCode(err) == shared.ENOTFOUND:
			return shared.Errorf(shared.ENOTFOUND, "desk.no_visit", op.ID)
		case err != nil:
			return err
		}
		to, err := shared.NextVisitStatus(v.Status, name)
		if err != nil {
			return err
		}
		ms := now.UnixMilli()
		switch name {
		case shared.OpVisitCall:
			v.Desk, v.CalledAt = strings.TrimSpace(op.Desk), ms
		case shared.OpVisitStart:
			v.Desk, v.StartedAt = strings.TrimSpace(op.Desk), ms
			if v.CalledAt == 0 {
				v.CalledAt = ms
			}
		case shared.OpVisitResolve:
			v.FCR, v.EndedAt = true, ms
		case shared.OpVisitTicket:
			if err := ticketForVisitor(tx, a, &op, &v, now); err != nil {
				return err
			}
			v.TicketID, v.EndedAt = op.TicketID, ms
		case shared.OpVisitNoShow:
			v.EndedAt = ms
		}
		v.Status = to
		return putJSON(tx, shared.TypeVisit, v.ID, v)
	}
}

// ticketForVisitor files the ticket of a visit.ticket. Its requester is
// the visitor: their account if their e-mail address has one, otherwise
// the name and address alone, on the ticket. Either way the visitor should
// hear of it by e-mail; no mail transport exists yet, so that intent is
// recorded as a queued Outmail for staff to see.
func ticketForVisitor(tx store.Tx, a Actor, op *shared.VisitOp, v *shared.Visit, now time.Time) error {
	var who shared.Visitor
	if err := getRecord(tx, shared.TypeVisitor, v.ID, &who); err != nil {
		return err
	}
	if err := mustBeNew(tx, wire.TypeTicket, op.TicketID, "ticket.exists"); err != nil {
		return err
	}
	requester := shared.Identity{Email: who.Email, Name: who.Name}
	switch u, err := auth.UserByEmailTx(tx, who.Email); shared.ErrorCode(err) {
	case "":
		requester = shared.Identity{UserID: u.ID, Email: u.Email, Name: or(u.Name, who.Name)}
	case shared.ENOTFOUND:
	default:
		return err
	}
	tc := op.TicketCreate()
	// The desk files it, but the ticket is the visitor's: it names no
	// device (the visitor would pull the desk's client ID).
	tk := tc.TicketBy("", requester)
	tk.ReceivedAt, tk.UpdatedAt = now.UnixMilli(), now.UnixMilli()
	var err error
	if tk.Number, err = nextTicketNumber(tx); err != nil { // number.go
		return err
	}
	if err := putJSON(tx, wire.TypeTicket, tk.ID, tk); err != nil {
		return err
	}
	mail := shared.Outmail{
		ID: tk.ID, To: who.Email, Name: who.Name, Template: "desk.mail_ticket_filed",
		TicketID: tk.ID, Status: "queued", CreatedAt: now.UnixMilli(),
	}
	return putJSON(tx, shared.TypeOutmail, mail.ID, mail)
}

// kioskCode is an enrollment code as stored, under its hash.
type kioskCode struct {
	Site      string `json:"site"`
	IssuedBy  string `json:"issued_by"`
	ExpiresAt int64  `json:"expires_at"`
	UsedAt    int64  `json:"used_at,omitempty"`
	UsedBy    string `json:"used_by,omitempty"` // the kiosk it made
}

// codeAlphabet has no 0/O or 1/I/L, so a code read off a screen is typed
// right; 8 of them are 40 bits, tried at most a few times a quarter hour
// per address (auth.Limiter) for a day.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func codeKey(code string) string {
	sum := sha256.Sum256([]byte(shared.NormalizeEnrollCode(code)))
	return hex.EncodeToString(sum[:])
}

// IssueKioskCode makes a one-time enrollment code for a kiosk at site,
// valid for shared.EnrollCodeTTL, and returns it as XXXX-XXXX. Only its
// hash is stored. Returns EINVALID for a bad site.
func IssueKioskCode(ctx context.Context, st store.Store, site, issuedBy string, now time.Time) (string, time.Time, error) {
	if !shared.ValidSlug(site) {
		return "", time.Time{}, shared.Errorf(shared.EINVALID, "role.bad_site", site)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, err
	}
	code := make([]byte, 0, 9)
	for i, x := range b {
		if i == 4 {
			code = append(code, '-')
		}
		code = append(code, codeAlphabet[int(x)%len(codeAlphabet)])
	}
	expires := now.Add(shared.EnrollCodeTTL)
	data, err := json.Marshal(kioskCode{Site: site, IssuedBy: issuedBy, ExpiresAt: expires.UnixMilli()})
	if err != nil {
		return "", time.Time{}, err
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		return tx.PutLocal(kindKioskCode, codeKey(string(code)), data, expires.Add(codeMemory))
	})
	return string(code), expires, err
}

// KioskEnrollment is what an enrollment code makes: where the kiosk
// stands and the letter of its queue numbers.
type KioskEnrollment struct {
	Site, Letter string
}

// CheckKioskCode says where a code would enroll a kiosk and with which
// letter, without using it. Returns ENOTFOUND kiosk.code_unknown,
// ECONFLICT kiosk.code_used or kiosk.code_expired.
func CheckKioskCode(tx store.ReadTx, code string, now time.Time) (KioskEnrollment, error) {
	c, err := readCode(tx, code, now)
	if err != nil {
		return KioskEnrollment{}, err
	}
	n := 0
	err = tx.Each(shared.TypeKiosk, func(_ string, data []byte) error {
		var k struct{ Site string }
		if json.Unmarshal(data, &k) == nil && k.Site == c.Site {
			n++
		}
		return nil
	})
	return KioskEnrollment{Site: c.Site, Letter: shared.KioskLetter(n)}, err
}

func readCode(tx store.ReadTx, code string, now time.Time) (kioskCode, error) {
	var c kioskCode
	data, err := tx.GetLocal(kindKioskCode, codeKey(code))
	switch {
	case shared.ErrorCode(err) == shared.ENOTFOUND:
		return c, shared.Errorf(shared.ENOTFOUND, "kiosk.code_unknown")
	case err != nil:
		return c, err
	case json.Unmarshal(data, &c) != nil:
		return c, fmt.Errorf("read enrollment code: bad data")
	case c.UsedAt != 0:
		return c, shared.Errorf(shared.ECONFLICT, "kiosk.code_used")
	case now.UnixMilli() >= c.ExpiresAt:
		return c, shared.Errorf(shared.ECONFLICT, "kiosk.code_expired")
	}
	return c, nil
}

// EnrollKiosk burns code and records kiosk u, in tx, with the enrollment
// CheckKioskCode promised; if another kiosk took that letter meanwhile it
// returns ECONFLICT kiosk.enroll_race and writes nothing, to be retried.
func EnrollKiosk(tx store.Tx, code string, want KioskEnrollment, kioskID, name string, now time.Time) (shared.KioskDevice, error) {
	got, err := CheckKioskCode(tx, code, now)
	if err != nil {
		return shared.KioskDevice{}, err
	}
	if got != want {
		return shared.KioskDevice{}, shared.Errorf(shared.ECONFLICT, "kiosk.enroll_race")
	}
	c, err := readCode(tx, code, now)
	if err != nil {
		return shared.KioskDevice{}, err
	}
	c.UsedAt, c.UsedBy = now.UnixMilli(), kioskID
	data, err := json.Marshal(c)
	if err != nil {
		return shared.KioskDevice{}, err
	}
	if err := tx.PutLocal(kindKioskCode, codeKey(code), data, time.UnixMilli(c.ExpiresAt).Add(codeMemory)); err != nil {
		return shared.KioskDevice{}, err
	}
	k := shared.KioskDevice{ID: kioskID, Site: want.Site, Letter: want.Letter, Name: name, EnrolledAt: now.UnixMilli(), EnrolledBy: c.IssuedBy}
	return k, putJSON(tx, shared.TypeKiosk, k.ID, k)
}

// RevokeKiosk marks kiosk id revoked. The caller disables its account,
// which ends its session. Returns ENOTFOUND kiosk.no_kiosk.
func RevokeKiosk(ctx context.Context, st store.Store, id string, now time.Time) (shared.KioskDevice, error) {
	var k shared.KioskDevice
	err := st.Update(ctx, func(tx store.Tx) error {
		switch err := getRecord(tx, shared.TypeKiosk, id, &k); {
		case shared.ErrorCode(err) == shared.ENOTFOUND:
			return shared.Errorf(shared.ENOTFOUND, "kiosk.no_kiosk", id)
		case err != nil:
			return err
		case k.RevokedAt != 0:
			return nil
		}
		k.RevokedAt = now.UnixMilli()
		return putJSON(tx, shared.TypeKiosk, k.ID, k)
	})
	return k, err
}

// kioskVisible says which kiosk-mode records a may see: staff see them
// all; a kiosk sees the visits of its site and its own kiosk record, and
// never a visitor or an outmail.
func kioskVisible(a Actor, typ string, data []byte) bool {
	if a.staff() {
		return true
	}
	who := a.Identity()
	if who.Role != shared.RoleKiosk || who.Site == "" {
		return false
	}
	switch typ {
	case shared.TypeVisit:
		var v struct{ Site string }
		return json.Unmarshal(data, &v) == nil && v.Site == who.Site
	case shared.TypeKiosk:
		var k struct{ ID string }
		return json.Unmarshal(data, &k) == nil && k.ID == who.UserID
	}
	return false
}
