package sync_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/sla"
	"outpost/shared/wire"
)

var (
	slaMadrid, _ = time.LoadLocation("Europe/Madrid")
	slaAgent3    = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000070a3",
		User: &shared.Identity{UserID: "u-tess", Email: "tess@example.com", Name: "Tess Tier3", Role: shared.RoleAgent, Tier: 3}}
	slaAdmin = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000070ad",
		User: &shared.Identity{UserID: "u-adam", Email: "adam@example.com", Role: shared.RoleAdmin}}
	slaOther = outsync.Actor{ClientID: "0190c3a1-0000-7000-8000-0000000070c2",
		User: &shared.Identity{UserID: "u-omar", Email: "omar@example.com", Role: shared.RoleRequester}}
)

func slaID(n int) string { return fmt.Sprintf("0190c3a1-0000-7000-8000-%012d", 7000+n) }

// madrid is a local time in Madrid, where the default calendar counts.
func madrid(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, slaMadrid)
}

// slaServer is the sync service on Badger in dir, seeded with the default
// calendar and policy, whose clock reads *now.
type slaServer struct {
	*outsync.Service
	db store.Store
}

func openSLA(t *testing.T, dir string, now *time.Time) *slaServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := badger.Open(dir, log, badger.WithClock(func() time.Time { return *now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := outsync.SeedSLA(context.Background(), db, sla.DefaultZone); err != nil {
		t.Fatal(err)
	}
	return &slaServer{&outsync.Service{Store: db, Log: log, Clock: readClock{at: now}}, db}
}

// readClock is the wall clock's timers with the time read from *at: the
// SLA tests move the time of day between rounds they run by hand.
type readClock struct {
	clock.Real
	at *time.Time
}

func (c readClock) Now() time.Time                  { return *c.at }
func (c readClock) Since(t time.Time) time.Duration { return c.at.Sub(t) }

func (s *slaServer) close(t *testing.T) {
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// check runs the SLA clock once and returns how many marks it wrote.
func (s *slaServer) check(t *testing.T) int {
	t.Helper()
	n, err := s.CheckSLA(context.Background())
	if err != nil {
		t.Fatalf("CheckSLA: %v", err)
	}
	return n
}

// history returns ticket id's entries by kind.
func (s *slaServer) history(t *testing.T, id string) map[string][]shared.Entry {
	t.Helper()
	out := map[string][]shared.Entry{}
	err := s.db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each(wire.TypeEntry, func(_ string, data []byte) error {
			var e shared.Entry
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			if e.TicketID == id {
				out[e.Kind] = append(out[e.Kind], e)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// marks returns the sla marks es holds, oldest first.
func marks(es []shared.Entry) []string {
	slices.SortStableFunc(es, func(a, b shared.Entry) int { return cmp.Compare(a.At, b.At) })
	var out []string
	for _, e := range es {
		out = append(out, e.From+" "+e.To)
	}
	return out
}

func mustOK(t *testing.T, r wire.Result) {
	t.Helper()
	if !r.OK {
		t.Fatalf("mutation rejected: %+v", r)
	}
}

// TestSLAWarnsBreachesEscalatesOnceAcrossRestarts runs a P3 ticket (8 h
// first response, 3 business days resolution, Mon–Fri 08:00–18:00 Madrid)
// through its warnings and breaches, restarting the server in between.
// Each mark is written once, and each breach escalates once: tier 1 → 2 →
// 3; a ticket already at tier 3 gets a higher priority instead.
func TestSLAWarnsBreachesEscalatesOnceAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := madrid(2026, 1, 5, 9, 0) // a Monday
	s := openSLA(t, dir, &now)
	id := slaID(1)
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "Laptop will not boot", CreatedAt: now.UnixMilli()}))

	steps := []struct {
		at        time.Time
		want      int    // marks written
		wantTier  int    // after the step
		wantMarks string // every sla mark so far
	}{
		{madrid(2026, 1, 5, 14, 59), 0, 1, ""},
		{madrid(2026, 1, 5, 15, 0), 1, 1, "first_response warned"}, // 6 h of 8 = 75 %
		{madrid(2026, 1, 5, 16, 0), 0, 1, "first_response warned"},
		{madrid(2026, 1, 5, 17, 0), 1, 2, "first_response warned,first_response breached"}, // due: 8 h, a response now is late
		{madrid(2026, 1, 7, 11, 30), 1, 2, "first_response warned,first_response breached,resolution warned"},
		{madrid(2026, 1, 8, 9, 0), 1, 3, "first_response warned,first_response breached,resolution warned,resolution breached"},
		{madrid(2026, 1, 20, 9, 0), 0, 3, "first_response warned,first_response breached,resolution warned,resolution breached"},
	}
	for i, st := range steps {
		now = st.at
		if got := s.check(t); got != st.want {
			t.Fatalf("step %d (%v): CheckSLA wrote %d marks; want %d", i, st.at, got, st.want)
		}
		if got := s.check(t); got != 0 {
			t.Fatalf("step %d: CheckSLA again wrote %d marks; want 0", i, got)
		}
		// Restart on the same data directory after every step.
		s.close(t)
		s = openSLA(t, dir, &now)
		tk, _ := get[shared.Ticket](t, s.db, wire.TypeTicket, id)
		h := s.history(t, id)
		if got := strings.Join(marks(h[sla.EntryKind]), ","); got != st.wantMarks {
			t.Fatalf("step %d: marks %q; want %q", i, got, st.wantMarks)
		}
		if max(tk.Tier, 1) != st.wantTier || len(h[shared.EntryEscalate]) != st.wantTier-1 {
			t.Fatalf("step %d: tier %d with %d escalations; want %d", i, tk.Tier, len(h[shared.EntryEscalate]), st.wantTier)
		}
	}
	h := s.history(t, id)
	for _, e := range h[sla.EntryKind] {
		if !e.Internal || e.AuthorStaff || e.AuthorName != "Outpost" {
			t.Errorf("mark %+v: want internal, by Outpost", e)
		}
	}
	if e := h[sla.EntryKind][1]; e.Body != madrid(2026, 1, 5, 17, 0).UTC().Format(time.RFC3339) {
		t.Errorf("breach mark body = %q; want the due time 17:00 Madrid", e.Body)
	}
	if esc := h[shared.EntryEscalate]; esc[0].From != "1" || esc[0].To != "2" || esc[1].To != "3" || !esc[0].Internal || esc[0].Body == "" {
		t.Errorf("escalations = %+v; want 1→2 then 2→3, internal, with a reason", esc)
	}

	// A ticket already at the top tier gets a higher priority instead.
	now = madrid(2026, 1, 12, 9, 0)
	top := slaID(2)
	mustOK(t, push(t, s.Service, requester, 2, shared.OpTicketCreate, shared.TicketCreate{ID: top, Title: "Payroll export fails", CreatedAt: now.UnixMilli()}))
	mustOK(t, push(t, s.Service, slaAgent3, 1, shared.OpTicketEscalate, shared.TicketOp{ID: slaID(3), TicketID: top, Tier: 3, Body: "Database specialist", CreatedAt: now.UnixMilli()}))
	now = madrid(2026, 1, 12, 17, 0)
	if got := s.check(t); got != 1 {
		t.Fatalf("breach at tier 3: %d marks; want 1", got)
	}
	s.check(t)
	tk, _ := get[shared.Ticket](t, s.db, wire.TypeTicket, top)
	if tk.Priority != shared.PriorityP2 || tk.Urgency != shared.LevelHigh || tk.Tier != 3 {
		t.Errorf("after a breach at tier 3: %s (%s/%s) tier %d; want P2 (medium/high) tier 3", tk.Priority, tk.Impact, tk.Urgency, tk.Tier)
	}
	if p := s.history(t, top)[shared.EntryPriority]; len(p) != 1 || p[0].From != "P3" || p[0].To != "P2" {
		t.Errorf("priority entries = %+v; want one, P3 → P2", p)
	}
	s.close(t)
}

// TestSLAOfflineTicketGetsAFairStart files a ticket offline on Friday
// evening that reaches the server on Monday at 10:00: its clock starts at
// 09:45 (sla.Start's grace), so it is not breached by Monday afternoon, as
// it would be counted from Friday.
func TestSLAOfflineTicketGetsAFairStart(t *testing.T) {
	t.Parallel()
	now := madrid(2026, 1, 12, 10, 0) // Monday
	s := openSLA(t, "", &now)
	defer s.close(t)
	id := slaID(10)
	filed := madrid(2026, 1, 9, 17, 0) // Friday, on the device
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "VPN down at the depot", CreatedAt: filed.UnixMilli()}))

	now = madrid(2026, 1, 12, 15, 44)
	if got := s.check(t); got != 0 {
		t.Fatalf("at 15:44 (5 h 59 min since 09:45) %d marks; want none", got)
	}
	now = madrid(2026, 1, 12, 16, 0)
	if got := s.check(t); got != 1 {
		t.Fatalf("at 16:00: %d marks; want the warning only", got)
	}
	if m := marks(s.history(t, id)[sla.EntryKind]); strings.Join(m, ",") != "first_response warned" {
		t.Fatalf("marks %q; want the first-response warning, no breach", m)
	}
	want := madrid(2026, 1, 12, 17, 45).UTC().Format(time.RFC3339)
	now = madrid(2026, 1, 12, 17, 45)
	s.check(t)
	if h := s.history(t, id)[sla.EntryKind]; len(h) != 2 || h[1].Body != want {
		t.Fatalf("marks %+v; want a breach due %s", h, want)
	}
}

// TestRepliesRecordTheirStatusChanges: the status changes the server makes
// on a reply are status entries of their own.
func TestRepliesRecordTheirStatusChanges(t *testing.T) {
	t.Parallel()
	now := madrid(2026, 1, 5, 9, 0)
	s := openSLA(t, "", &now)
	defer s.close(t)
	id := slaID(20)
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "Mail quota", CreatedAt: now.UnixMilli()}))
	now = now.Add(time.Minute)
	mustOK(t, push(t, s.Service, agentAna, 1, shared.OpTicketReply, shared.TicketOp{ID: slaID(21), TicketID: id, Body: "Looking at it", CreatedAt: now.UnixMilli()}))
	now = now.Add(time.Minute)
	mustOK(t, push(t, s.Service, agentAna, 2, shared.OpTicketStatus, shared.TicketOp{ID: slaID(22), TicketID: id, To: shared.StatusPending, CreatedAt: now.UnixMilli()}))
	now = now.Add(time.Minute)
	mustOK(t, push(t, s.Service, requester, 2, shared.OpTicketReply, shared.TicketOp{ID: slaID(23), TicketID: id, Body: "Here is the screenshot", CreatedAt: now.UnixMilli()}))
	var got []string
	status := s.history(t, id)[shared.EntryStatus]
	slices.SortStableFunc(status, func(a, b shared.Entry) int { return cmp.Compare(a.At, b.At) })
	for _, e := range status {
		got = append(got, e.From+"→"+e.To)
	}
	if strings.Join(got, ",") != "new→open,open→pending,pending→open" {
		t.Fatalf("status entries %q; want new→open, open→pending, pending→open", got)
	}
	if tk, _ := get[shared.Ticket](t, s.db, wire.TypeTicket, id); tk.Status != shared.StatusOpen {
		t.Fatalf("status %s; want open", tk.Status)
	}
}

// TestRatingOncePerResolution: only the requester rates, only once the
// ticket is resolved, once per resolution; a reopened ticket resolved
// again may be rated again. Requesters see their own ratings only.
func TestRatingOncePerResolution(t *testing.T) {
	t.Parallel()
	now := madrid(2026, 1, 5, 9, 0)
	s := openSLA(t, "", &now)
	defer s.close(t)
	id := slaID(30)
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "Printer", CreatedAt: now.UnixMilli()}))
	rate := func(a outsync.Actor, seq uint64, n, score int) wire.Result {
		now = now.Add(time.Minute)
		return push(t, s.Service, a, seq, shared.OpTicketRate, shared.Rating{ID: slaID(n), TicketID: id, Score: score, Comment: " Quick fix ", CreatedAt: now.UnixMilli()})
	}
	if r := rate(requester, 2, 31, 5); r.OK || r.Key != "perm.rate_not_resolved" {
		t.Fatalf("rating an open ticket = %+v; want perm.rate_not_resolved", r)
	}
	mustOK(t, push(t, s.Service, agentAna, 1, shared.OpTicketStatus, shared.TicketOp{ID: slaID(32), TicketID: id, To: shared.StatusResolved, CreatedAt: now.UnixMilli()}))
	if r := rate(agentAna, 2, 33, 5); r.OK || r.Code != shared.EFORBIDDEN {
		t.Fatalf("an agent rating = %+v; want EFORBIDDEN", r)
	}
	if r := rate(requester, 3, 34, 0); r.OK || r.Key != "rating.bad_score" {
		t.Fatalf("score 0 = %+v; want rating.bad_score", r)
	}
	mustOK(t, rate(requester, 4, 35, 4))
	if r := rate(requester, 5, 36, 2); r.OK || r.Key != "rating.already" {
		t.Fatalf("second rating of one resolution = %+v; want rating.already", r)
	}
	rec, ok := get[shared.RatingRecord](t, s.db, wire.TypeRating, slaID(35))
	if !ok || rec.Score != 4 || rec.Comment != "Quick fix" || rec.RequesterID != "u-rita" || rec.ResolvedAt == 0 {
		t.Fatalf("rating record %+v", rec)
	}
	if n := s.history(t, id)[shared.EntryRating]; len(n) != 1 || n[0].To != "4" || n[0].Internal {
		t.Fatalf("rating entries %+v; want one public, score 4", n)
	}

	// Reopen, resolve again: a new rating is allowed.
	now = now.Add(time.Hour)
	mustOK(t, push(t, s.Service, requester, 6, shared.OpTicketStatus, shared.TicketOp{ID: slaID(37), TicketID: id, To: shared.StatusOpen, CreatedAt: now.UnixMilli()}))
	now = now.Add(time.Hour)
	mustOK(t, push(t, s.Service, agentAna, 3, shared.OpTicketStatus, shared.TicketOp{ID: slaID(38), TicketID: id, To: shared.StatusResolved, CreatedAt: now.UnixMilli()}))
	mustOK(t, rate(requester, 7, 39, 2))
	if n := s.history(t, id)[shared.EntryRating]; len(n) != 2 {
		t.Fatalf("%d rating entries; want 2", len(n))
	}

	seen := func(a outsync.Actor, typ string) int {
		page, err := s.PullAs(context.Background(), a, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range page.Changes {
			if c.Type == typ {
				n++
			}
		}
		return n
	}
	if got := seen(requester, wire.TypeRating); got != 2 {
		t.Errorf("the requester pulls %d ratings; want their 2", got)
	}
	if got := seen(slaOther, wire.TypeRating); got != 0 {
		t.Errorf("another requester pulls %d ratings; want 0", got)
	}
	if got := seen(agentAna, wire.TypeRating); got != 2 {
		t.Errorf("an agent pulls %d ratings; want 2", got)
	}
	if got := seen(outsync.Actor{ClientID: slaID(99)}, wire.TypeConfig); got != 2 {
		t.Errorf("a signed-out device pulls %d config records; want the calendar and the policy", got)
	}
}

// TestConfigSaveIsForAdminsAndValidated: only an admin saves the calendar
// and the policy, and the server checks them as the admin screen does.
func TestConfigSaveIsForAdminsAndValidated(t *testing.T) {
	t.Parallel()
	now := madrid(2026, 1, 5, 9, 0)
	s := openSLA(t, "", &now)
	defer s.close(t)
	cal := sla.Calendar{Zone: "Atlantic/Canary", Week: sla.Weekdays(sla.Hours(9, 0, 17, 0)), Holidays: []string{"2026-12-25"}}
	if r := push(t, s.Service, agentAna, 1, shared.OpConfigSave, sla.ConfigSave{ID: sla.ConfigCalendar, Calendar: &cal}); r.OK || r.Key != "slaadmin.admin_only" {
		t.Fatalf("an agent saving = %+v; want slaadmin.admin_only", r)
	}
	bad := cal
	bad.Week = sla.Weekdays(sla.Hours(17, 0, 9, 0))
	if r := push(t, s.Service, slaAdmin, 1, shared.OpConfigSave, sla.ConfigSave{ID: sla.ConfigCalendar, Calendar: &bad}); r.OK || r.Key != "sla.bad_span" {
		t.Fatalf("a reversed span = %+v; want sla.bad_span", r)
	}
	badZone := cal
	badZone.Zone = "Mars/Olympus"
	if r := push(t, s.Service, slaAdmin, 2, shared.OpConfigSave, sla.ConfigSave{ID: sla.ConfigCalendar, Calendar: &badZone}); r.OK || r.Key != "sla.bad_zone" {
		t.Fatalf("an unknown zone = %+v; want sla.bad_zone", r)
	}
	mustOK(t, push(t, s.Service, slaAdmin, 3, shared.OpConfigSave, sla.ConfigSave{ID: sla.ConfigCalendar, Calendar: &cal}))
	got, _ := get[sla.Calendar](t, s.db, wire.TypeConfig, sla.ConfigCalendar)
	if got.Zone != "Atlantic/Canary" || len(got.Week[time.Monday]) != 1 || got.Week[time.Monday][0] != sla.Hours(9, 0, 17, 0) {
		t.Fatalf("stored calendar %+v", got)
	}
	pol := sla.DefaultPolicy()
	delete(pol.Targets, shared.PriorityP4)
	if r := push(t, s.Service, slaAdmin, 4, shared.OpConfigSave, sla.ConfigSave{ID: sla.ConfigPolicy, Policy: pol}); r.OK || r.Key != "sla.missing_priority" {
		t.Fatalf("a policy without P4 = %+v; want sla.missing_priority", r)
	}
}

// TestRunSLAOnItsClock: the background SLA loop writes a ticket's marks
// when its ticker fires on the service's clock, a fake moved by hand here,
// with no real wait for a minute to pass.
func TestRunSLAOnItsClock(t *testing.T) {
	t.Parallel()
	now := madrid(2026, 1, 5, 9, 0) // a Monday
	s := openSLA(t, "", &now)
	fake := clock.NewFake(now)
	s.Clock = fake
	id := slaID(41)
	mustOK(t, push(t, s.Service, requester, 1, shared.OpTicketCreate, shared.TicketCreate{ID: id, Title: "Laptop will not boot", CreatedAt: now.UnixMilli()}))
	wrote, stop := s.Watch() // a round that writes marks pokes watchers
	defer stop()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.RunSLA(ctx, time.Minute); close(done) }()
	defer func() { cancel(); <-done }()
	wait, stopWait := context.WithTimeout(t.Context(), 10*time.Second)
	defer stopWait()
	// until moves the clock a minute (a tick) at a time until the ticket's
	// marks are want.
	until := func(want string) {
		t.Helper()
		for {
			if got := strings.Join(marks(s.history(t, id)[sla.EntryKind]), ","); got == want {
				return
			}
			if err := fake.BlockUntil(wait, 1); err != nil {
				t.Fatalf("marks %q, and RunSLA is not waiting on its ticker: %v", strings.Join(marks(s.history(t, id)[sla.EntryKind]), ","), err)
			}
			fake.Advance(time.Minute)
			select {
			case <-wrote:
			case <-time.After(20 * time.Millisecond): // a round that wrote nothing pokes nobody
			case <-wait.Done():
				t.Fatalf("marks never became %q", want)
			}
		}
	}
	fake.Set(madrid(2026, 1, 5, 14, 58))
	until("first_response warned") // 6 h of 8, at 15:00
	if at := fake.Now(); at.Before(madrid(2026, 1, 5, 15, 0)) || at.After(madrid(2026, 1, 5, 15, 5)) {
		t.Errorf("the warning came at %v; want soon after 15:00", at)
	}
	fake.Set(madrid(2026, 1, 5, 16, 59))
	until("first_response warned,first_response breached")
}
