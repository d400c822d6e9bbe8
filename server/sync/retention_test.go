package sync_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
)

// TestRetentionPurgesVisitorData: a visitor's name and e-mail address, and
// the e-mails sent to them, are deleted once the visit ended longer ago than
// the retention (or never ended and is that old); visits stay, recent
// visitors and queued e-mails stay, and staff devices are told to drop what
// went.
func TestRetentionPurgesVisitorData(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	ctx := context.Background()
	at := clock.NewFake(kioskNow)
	s.Clock = at
	kiosk, _ := enroll(t, db, "lobby", 1)
	seq := uint64(0)
	push := func(op string, args any) {
		t.Helper()
		seq++
		who := deskAgent
		if op == shared.OpKioskCheckin {
			who = kiosk
		}
		if r := pushOne(t, s, who, seq, op, args); !r.OK {
			t.Fatalf("%s: %+v", op, r)
		}
	}
	// Ana is served and resolved, Bo never shows and nobody ends the visit,
	// Cy gets a ticket (and an e-mail, sent), all on day one; Di comes on
	// day 20.
	for i, name := range []string{"Ana Visitor", "Bo Visitor", "Cy Visitor"} {
		push(shared.OpKioskCheckin, checkin(i+1, "lobby", shared.VisitNumber("A", i+1), name))
	}
	push(shared.OpVisitCall, shared.VisitOp{ID: visitID(1), Desk: "Desk 1"})
	push(shared.OpVisitResolve, shared.VisitOp{ID: visitID(1)})
	const cyTicket = "0190c3a1-0000-7000-8000-000000005101"
	push(shared.OpVisitTicket, shared.VisitOp{ID: visitID(3), TicketID: cyTicket, Title: "Wi-Fi drops", Description: "Walk-in", Category: "network", CreatedAt: 5})
	sent, _ := get[shared.Outmail](t, db, shared.TypeOutmail, cyTicket)
	sent.Status, sent.SentAt = "sent", at.Now().Add(time.Hour).UnixMilli()
	queued := shared.Outmail{ID: "0190c3a1-0000-7000-8000-000000005102", To: "later@example.com", Template: "desk.mail_ticket_filed", Status: "queued", CreatedAt: at.Now().UnixMilli()}
	if err := db.Update(ctx, func(tx store.Tx) error {
		for _, m := range []shared.Outmail{sent, queued} {
			b, _ := json.Marshal(m)
			if _, err := tx.Put(shared.TypeOutmail, m.ID, b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	at.Set(kioskNow.Add(20 * 24 * time.Hour))
	di := checkin(4, "lobby", "A-004", "Di Visitor")
	di.CreatedAt = at.Now().UnixMilli()
	push(shared.OpKioskCheckin, di)
	push(shared.OpVisitCall, shared.VisitOp{ID: visitID(4), Desk: "Desk 1"})
	push(shared.OpVisitResolve, shared.VisitOp{ID: visitID(4)})

	before, err := s.PullAs(ctx, deskAgent, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	visitors, mails, err := s.PurgeVisitorData(ctx, kioskNow.Add(10*24*time.Hour))
	if err != nil || visitors != 3 || mails != 1 {
		t.Fatalf("PurgeVisitorData = %d visitors, %d e-mails, %v; want 3 and 1", visitors, mails, err)
	}
	for n := 1; n <= 4; n++ {
		if _, ok := get[shared.Visit](t, db, shared.TypeVisit, visitID(n)); !ok {
			t.Errorf("visit %d was deleted; visits stay", n)
		}
		if _, ok := get[shared.Visitor](t, db, shared.TypeVisitor, visitID(n)); ok != (n == 4) {
			t.Errorf("visitor %d kept = %v; want %v", n, ok, n == 4)
		}
	}
	if _, ok := get[shared.Outmail](t, db, shared.TypeOutmail, cyTicket); ok {
		t.Error("the sent e-mail outlived the retention")
	}
	if _, ok := get[shared.Outmail](t, db, shared.TypeOutmail, queued.ID); !ok {
		t.Error("a queued e-mail was purged before it was sent")
	}
	// Staff devices are told to drop the visitors.
	after, err := s.PullAs(ctx, deskAgent, before.Cursor, 0)
	if err != nil {
		t.Fatal(err)
	}
	dropped := map[string]bool{}
	for _, c := range after.Changes {
		if c.Type == shared.TypeVisitor && c.Deleted {
			dropped[c.ID] = true
		}
	}
	if len(dropped) != 3 || dropped[visitID(4)] {
		t.Errorf("staff pull after the purge drops visitors %v; want 1 to 3", dropped)
	}
	if v, m, err := s.PurgeVisitorData(ctx, kioskNow.Add(10*24*time.Hour)); v+m != 0 || err != nil {
		t.Errorf("a second purge = %d, %d, %v; want nothing", v, m, err)
	}
}

// TestRunRetentionOnItsClock: the retention job purges a visitor once the
// visit is older than keep on the service's clock, at the job's next
// round, and not while it is younger.
func TestRunRetentionOnItsClock(t *testing.T) {
	t.Parallel()
	s, db := newService(t)
	at := clock.NewFake(kioskNow)
	s.Clock = at
	kiosk, _ := enroll(t, db, "lobby", 1)
	if r := pushOne(t, s, kiosk, 1, shared.OpKioskCheckin, checkin(1, "lobby", "A-001", "Ana Visitor")); !r.OK {
		t.Fatal(r)
	}
	if r := pushOne(t, s, deskAgent, 1, shared.OpVisitCall, shared.VisitOp{ID: visitID(1), Desk: "Desk 1"}); !r.OK {
		t.Fatal(r)
	}
	if r := pushOne(t, s, deskAgent, 2, shared.OpVisitResolve, shared.VisitOp{ID: visitID(1)}); !r.OK {
		t.Fatal(r)
	}
	const keep, every = 10 * 24 * time.Hour, time.Hour
	purged, stop := s.Watch() // a purge that deletes tells the watchers
	defer stop()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.RunRetention(ctx, keep, every); close(done) }()
	defer func() { cancel(); <-done }()
	wait, stopWait := context.WithTimeout(t.Context(), 10*time.Second)
	defer stopWait()
	kept := func() bool {
		_, ok := get[shared.Visitor](t, db, shared.TypeVisitor, visitID(1))
		return ok
	}
	if err := at.BlockUntil(wait, 1); err != nil {
		t.Fatalf("RunRetention is not waiting on its ticker: %v", err)
	}
	at.Advance(keep - every) // rounds until a day short of keep: nothing goes
	if !kept() {
		t.Fatalf("the visitor was purged %v after the visit; keep is %v", keep-every, keep)
	}
	for kept() {
		if err := at.BlockUntil(wait, 1); err != nil {
			t.Fatalf("RunRetention stopped waiting on its ticker: %v", err)
		}
		at.Advance(every)
		select {
		case <-purged:
		case <-time.After(20 * time.Millisecond): // a round that purged nothing tells nobody
		case <-wait.Done():
			t.Fatalf("the visitor is kept %v after the visit; keep is %v", at.Since(kioskNow), keep)
		}
	}
	if past := at.Since(kioskNow); past < keep || past > keep+3*every {
		t.Errorf("the visitor was purged %v after the visit; want at the first round past %v", past, keep)
	}
}
