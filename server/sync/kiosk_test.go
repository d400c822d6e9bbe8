package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"outpost/server/auth"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

var kioskNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func visitID(n int) string { return fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 9000+n) }

// enroll issues a code for site and enrolls a kiosk with it, as the HTTP
// API does, and returns the kiosk's actor.
func enroll(t *testing.T, db store.Store, site string, n int) (outsync.Actor, shared.KioskDevice) {
	t.Helper()
	ctx := context.Background()
	code, _, err := outsync.IssueKioskCode(ctx, db, site, "admin", kioskNow)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 8000+n)
	var k shared.KioskDevice
	err = db.Update(ctx, func(tx store.Tx) error {
		want, err := outsync.CheckKioskCode(tx, code, kioskNow)
		if err != nil {
			return err
		}
		k, err = outsync.EnrollKiosk(tx, code, want, id, "Kiosk", kioskNow)
		return err
	})
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	who := &shared.Identity{UserID: id, Email: fmt.Sprintf("kiosk%d@kiosk.invalid", n), Role: shared.RoleKiosk, Site: site}
	return outsync.Actor{ClientID: fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 7000+n), User: who}, k
}

var deskAgent = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-000000006001", User: &shared.Identity{
	UserID: "0190c3a1-0000-7000-8000-000000006002", Email: "desk@example.com", Name: "Dana Desk", Role: shared.RoleAgent, Tier: 1,
}}

func checkin(n int, site, number, name string) shared.KioskCheckin {
	return shared.KioskCheckin{
		ID: visitID(n), Site: site, Number: number, Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@example.com",
		Reason: "network/wifi", CreatedAt: kioskNow.UnixMilli() + int64(n),
	}
}

func pushOne(t *testing.T, s *outsync.Service, a outsync.Actor, seq uint64, name string, args any) wire.Result {
	t.Helper()
	res, err := s.PushAs(context.Background(), a, []wire.Mutation{mutation(t, seq, name, args)})
	if err != nil || len(res) != 1 {
		t.Fatalf("PushAs(%s) = %+v, %v", name, res, err)
	}
	return res[0]
}

func TestEnrollmentCodes(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	s.Clock = clock.NewFake(kioskNow)
	ctx := context.Background()
	_, a := enroll(t, db, "lobby", 1)
	_, b := enroll(t, db, "lobby", 2)
	_, c := enroll(t, db, "annex", 3)
	if a.Letter != "A" || b.Letter != "B" || c.Letter != "A" {
		t.Errorf("letters = %q %q %q; want A B A (unique per site)", a.Letter, b.Letter, c.Letter)
	}

	code, expires, err := outsync.IssueKioskCode(ctx, db, "lobby", "admin", kioskNow)
	if err != nil || !expires.Equal(kioskNow.Add(24*time.Hour)) || len(code) != 9 {
		t.Fatalf("IssueKioskCode = %q, %v, %v", code, expires, err)
	}
	if _, _, err := outsync.IssueKioskCode(ctx, db, "Bad Site", "admin", kioskNow); shared.ErrorCode(err) != shared.EINVALID {
		t.Errorf("IssueKioskCode(bad site) = %v; want EINVALID", err)
	}
	check := func(code string, at time.Time) error {
		return db.View(ctx, func(tx store.ReadTx) error {
			_, err := outsync.CheckKioskCode(tx, code, at)
			return err
		})
	}
	tests := []struct {
		name, code string
		at         time.Time
		want       string
	}{
		{"valid, any case and spacing", strings.ToLower(strings.ReplaceAll(code, "-", " ")), kioskNow, ""},
		{"expired", code, kioskNow.Add(25 * time.Hour), "kiosk.code_expired"},
		{"unknown", "ABCD-EFGH", kioskNow, "kiosk.code_unknown"},
	}
	for _, tt := range tests {
		key := ""
		if err := check(tt.code, tt.at); err != nil {
			key, _ = shared.ErrorKey(err)
		}
		if key != tt.want {
			t.Errorf("%s: CheckKioskCode(%q) = %q; want %q", tt.name, tt.code, key, tt.want)
		}
	}
	// The code is burnt by the enrollment that uses it.
	err = db.Update(ctx, func(tx store.Tx) error {
		want, err := outsync.CheckKioskCode(tx, code, kioskNow)
		if err != nil {
			return err
		}
		_, err = outsync.EnrollKiosk(tx, code, want, visitID(99), "Kiosk", kioskNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if key, _ := shared.ErrorKey(check(code, kioskNow)); key != "kiosk.code_used" {
		t.Errorf("a used code: %q; want kiosk.code_used", key)
	}
}

func TestCheckinKeepsVisitorDataFromKiosks(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	s.Clock = clock.NewFake(kioskNow.Add(time.Minute))
	kioskA, _ := enroll(t, db, "lobby", 1)
	other, _ := enroll(t, db, "annex", 2)

	if r := pushOne(t, s, kioskA, 1, shared.OpKioskCheckin, checkin(1, "lobby", "A-001", "Ana Visitor")); !r.OK {
		t.Fatalf("check-in rejected: %+v", r)
	}
	v, ok := get[shared.Visit](t, db, shared.TypeVisit, visitID(1))
	if !ok || v.Number != "A-001" || v.Status != shared.VisitWaiting || v.Received != kioskNow.Add(time.Minute).UnixMilli() {
		t.Fatalf("visit = %+v, %v", v, ok)
	}
	who, _ := get[shared.Visitor](t, db, shared.TypeVisitor, visitID(1))
	if who.Name != "Ana Visitor" || who.Email != "ana@example.com" {
		t.Errorf("visitor = %+v", who)
	}

	pulled := func(a outsync.Actor) string {
		page, err := s.PullAs(context.Background(), a, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(page.Changes)
		return string(b)
	}
	kioskView := pulled(kioskA)
	if !strings.Contains(kioskView, `"A-001"`) {
		t.Errorf("the kiosk does not get its site's queue: %s", kioskView)
	}
	for _, secret := range []string{"Ana", "ana@example.com", `"type":"visitor"`} {
		if strings.Contains(kioskView, secret) {
			t.Errorf("the kiosk's pull holds %q: %s", secret, kioskView)
		}
	}
	if v := pulled(other); strings.Contains(v, "A-001") {
		t.Errorf("a kiosk of another site gets the queue: %s", v)
	}
	if v := pulled(deskAgent); !strings.Contains(v, "ana@example.com") {
		t.Errorf("staff do not get the visitor: %s", v)
	}
	if v := pulled(outsync.Actor{ClientID: client}); strings.Contains(v, "A-001") {
		t.Errorf("a signed-out device gets the queue: %s", v)
	}

	rejects := []struct {
		name    string
		a       outsync.Actor
		op      string
		args    any
		wantKey string
	}{
		{"another site", kioskA, shared.OpKioskCheckin, checkin(2, "annex", "A-002", "Bo Visitor"), "perm.kiosk_other_site"},
		{"another kiosk's letter", kioskA, shared.OpKioskCheckin, checkin(3, "lobby", "B-001", "Bo Visitor"), "kiosk.bad_number"},
		{"staff checking in", deskAgent, shared.OpKioskCheckin, checkin(4, "lobby", "A-002", "Bo Visitor"), "kiosk.kiosks_only"},
		{"a kiosk calling", kioskA, shared.OpVisitCall, shared.VisitOp{ID: visitID(1), Desk: "Desk 1"}, "desk.staff_only"},
		{"no e-mail", kioskA, shared.OpKioskCheckin, shared.KioskCheckin{ID: visitID(5), Site: "lobby", Number: "A-003", Name: "X", Reason: "email", CreatedAt: 1}, "kiosk.bad_email"},
	}
	for i, tt := range rejects {
		r := pushOne(t, s, tt.a, uint64(10+i), tt.op, tt.args)
		if r.OK || r.Key != tt.wantKey {
			t.Errorf("%s: result %+v; want rejection %s", tt.name, r, tt.wantKey)
		}
	}
}

func TestDeskWorksTheQueue(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	at := clock.NewFake(kioskNow)
	s.Clock = at
	kioskA, _ := enroll(t, db, "lobby", 1)
	seq := uint64(0)
	next := func() uint64 { seq++; return seq }
	for i, name := range []string{"Ana Visitor", "Bo Visitor", "Cy Visitor"} {
		if r := pushOne(t, s, kioskA, next(), shared.OpKioskCheckin, checkin(i+1, "lobby", shared.VisitNumber("A", i+1), name)); !r.OK {
			t.Fatalf("check-in %d: %+v", i+1, r)
		}
	}
	// A kiosk that lost its counter issues A-001 again while Ana waits.
	if r := pushOne(t, s, kioskA, next(), shared.OpKioskCheckin, checkin(4, "lobby", "A-001", "Di Visitor")); !r.OK {
		t.Fatal(r)
	}
	if v, _ := get[shared.Visit](t, db, shared.TypeVisit, visitID(4)); v.Number != "A-001-2" {
		t.Errorf("a number in use: got %q; want A-001-2", v.Number)
	}

	desk := func(op string, args shared.VisitOp) wire.Result {
		return pushOne(t, s, deskAgent, next(), op, args)
	}
	steps := []struct {
		op      string
		args    shared.VisitOp
		wantKey string // "" = applied
	}{
		{shared.OpVisitCall, shared.VisitOp{ID: visitID(1), Desk: "Desk 1"}, ""},
		{shared.OpVisitCall, shared.VisitOp{ID: visitID(1)}, "desk.desk_required"},
		{shared.OpVisitStart, shared.VisitOp{ID: visitID(1), Desk: "Desk 1"}, ""},
		{shared.OpVisitCall, shared.VisitOp{ID: visitID(1), Desk: "Desk 2"}, "desk.visit_moved"},
		{shared.OpVisitResolve, shared.VisitOp{ID: visitID(1)}, ""},
		{shared.OpVisitNoShow, shared.VisitOp{ID: visitID(2)}, ""},
		{shared.OpVisitResolve, shared.VisitOp{ID: visitID(2)}, "desk.visit_moved"},
		{shared.OpVisitCall, shared.VisitOp{ID: visitID(77), Desk: "Desk 1"}, "desk.no_visit"},
	}
	for _, st := range steps {
		at.Advance(4 * time.Minute)
		r := desk(st.op, st.args)
		if st.wantKey == "" && !r.OK || st.wantKey != "" && r.Key != st.wantKey {
			t.Errorf("%s %+v = %+v; want %q", st.op, st.args, r, st.wantKey)
		}
	}
	ana, _ := get[shared.Visit](t, db, shared.TypeVisit, visitID(1))
	if ana.Status != shared.VisitResolved || !ana.FCR || ana.Desk != "Desk 1" || ana.EndedAt-ana.StartedAt != (8*time.Minute).Milliseconds() {
		t.Errorf("resolved visit = %+v", ana)
	}
	if times := shared.ServiceTimes([]shared.Visit{ana}); len(times) != 1 || times[0] != 8*time.Minute {
		t.Errorf("ServiceTimes = %v; want [8m]", times)
	}

	// A ticket for Cy, who has no account, and for Di, who has one.
	ticket := func(n int, tid string) shared.VisitOp {
		return shared.VisitOp{ID: visitID(n), TicketID: tid, Title: "Wi-Fi drops at the desk", Description: "Walk-in", Category: "network", CreatedAt: 5}
	}
	authSvc := &auth.Service{Store: db, Hash: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	di, err := authSvc.AddUser(context.Background(), auth.NewUser{Email: "Di@example.com", Name: "Di Account", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	const cyTicket, diTicket = "0190c3a1-0000-7000-8000-000000005001", "0190c3a1-0000-7000-8000-000000005002"
	if r := desk(shared.OpVisitTicket, ticket(3, cyTicket)); !r.OK {
		t.Fatalf("visit.ticket: %+v", r)
	}
	if r := desk(shared.OpVisitTicket, ticket(4, diTicket)); !r.OK {
		t.Fatalf("visit.ticket: %+v", r)
	}
	cy, _ := get[shared.Ticket](t, db, wire.TypeTicket, cyTicket)
	if cy.RequesterID != "" || cy.RequesterEmail != "cy@example.com" || cy.RequesterName != "Cy Visitor" || cy.Title != "Wi-Fi drops at the desk" {
		t.Errorf("ticket for a visitor without an account = %+v", cy)
	}
	dt, _ := get[shared.Ticket](t, db, wire.TypeTicket, diTicket)
	if dt.RequesterID != di.ID || dt.RequesterEmail != "di@example.com" {
		t.Errorf("ticket for a visitor with an account = %+v; want requester %s", dt, di.ID)
	}
	if cy.ClientID != "" || dt.ClientID != "" {
		t.Errorf("tickets filed for visitors name devices %q and %q; want none (the visitor would pull the desk's ID)", cy.ClientID, dt.ClientID)
	}
	if mail, ok := get[shared.Outmail](t, db, shared.TypeOutmail, cyTicket); !ok || mail.To != "cy@example.com" || mail.Status != "queued" {
		t.Errorf("the e-mail to send = %+v, %v", mail, ok)
	}
	if v, _ := get[shared.Visit](t, db, shared.TypeVisit, visitID(3)); v.Status != shared.VisitTicketed || v.TicketID != cyTicket || v.FCR {
		t.Errorf("ticketed visit = %+v", v)
	}
}
