package sync

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/sla"
	"outpost/shared/wire"
)

// The SLA clock on the server. It is driven by the server's own ordered
// log, never by a device's clock: a ticket's clock starts at sla.Start of
// its stored times, its status changes are the history entries the server
// wrote (at server time), and "now" is Service.Now. The server writes what
// the clock decides into the ticket's history: a warning when a timer
// crosses its threshold, a breach when it reaches its target, and then an
// escalation to the next tier (or, at the top tier, a higher priority).
// Every mark has a derived entry ID (sla.MarkID), so each is written once
// per ticket and timer, across restarts and however often the clock runs.

// systemName is the author of the entries the SLA clock writes.
const systemName = "Outpost"

// SeedSLA stores the default calendar (in zone) and SLA policy if the
// portal has none, and reports how many records it stored.
func SeedSLA(ctx context.Context, st store.Store, zone string) (int, error) {
	if zone == "" {
		zone = sla.DefaultZone
	}
	cal, err := sla.DefaultCalendar(zone, nil)
	if err != nil {
		return 0, err
	}
	n := 0
	err = st.Update(ctx, func(tx store.Tx) error {
		n = 0
		for id, v := range map[string]any{sla.ConfigCalendar: cal, sla.ConfigPolicy: sla.DefaultPolicy()} {
			switch _, err := tx.Get(wire.TypeConfig, id); shared.ErrorCode(err) {
			case "":
				continue
			case shared.ENOTFOUND:
			default:
				return err
			}
			if err := putJSON(tx, wire.TypeConfig, id, v); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// loadSLA reads the calendar and policy, or the defaults where there is
// none (a portal that was never seeded). A stored calendar whose zone this
// machine cannot load counts in UTC, and says so in the error.
func loadSLA(tx store.ReadTx) (*sla.Calendar, *sla.Policy, error) {
	cal, pol := &sla.Calendar{}, sla.DefaultPolicy()
	data, err := tx.Get(wire.TypeConfig, sla.ConfigCalendar)
	switch shared.ErrorCode(err) {
	case "":
		if err := json.Unmarshal(data, cal); err != nil {
			return nil, nil, err
		}
	case shared.ENOTFOUND:
		if cal, err = sla.DefaultCalendar(sla.DefaultZone, nil); err != nil {
			cal = &sla.Calendar{Zone: "UTC", Week: sla.Weekdays(sla.Hours(8, 0, 18, 0))}
		}
	default:
		return nil, nil, err
	}
	if err := getJSON(tx, wire.TypeConfig, sla.ConfigPolicy, pol); err != nil {
		return nil, nil, err
	}
	var zoneErr error
	if cal.Location == nil {
		zoneErr = cal.LoadZone(nil) // on failure the calendar counts in UTC
	}
	return cal, pol, zoneErr
}

// slaSettle is how long RunSLA waits after a change before its round.
const slaSettle = time.Second

// RunSLA runs the SLA clock until ctx ends: every interval, and soon after
// every applied change (a reply stops a timer, a priority change moves a
// due time). Errors are logged, and the next round tries again.
func (s *Service) RunSLA(ctx context.Context, interval time.Duration) {
	changed, stop := s.Watch()
	defer stop()
	tick, ticks := s.clock().NewTicker(interval)
	defer tick.Stop()
	settle, settled := s.clock().NewTimer(slaSettle)
	settle.Stop()
	for {
		if _, err := s.CheckSLA(ctx); err != nil && ctx.Err() == nil {
			s.Log.Log(ctx, store.FailureLevel(err), "SLA clock", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		case <-changed:
			// Let a burst of pushes settle: one round covers them all.
			settle.Reset(slaSettle)
			select {
			case <-ctx.Done():
				settle.Stop()
				return
			case <-settled:
			}
		}
	}
}

// slaMark is one thing the clock decided about a ticket's timer.
type slaMark struct {
	timer, what string // sla.TimerFirstResponse…, sla.StateWarned or sla.StateBreached
	tm          sla.Timer
}

// marksDue returns the marks ticket t has earned at now and not been
// given yet, breaches first. A timer breached before the server noticed
// it warned gets the breach alone.
func marksDue(t *shared.Ticket, entries []shared.Entry, cal *sla.Calendar, pol *sla.Policy, now time.Time) []slaMark {
	if t.Status != shared.StatusNew && t.Status != shared.StatusOpen && t.Status != shared.StatusPending {
		return nil
	}
	timers, err := pol.TicketTimers(cal, t, entries, now)
	if err != nil {
		return nil // no priority the policy knows: nothing promised
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.ID] = true
	}
	var out []slaMark
	for _, x := range []struct {
		name string
		tm   sla.Timer
	}{{sla.TimerFirstResponse, timers.FirstResponse}, {sla.TimerResolution, timers.Resolution}} {
		switch {
		case x.tm.State == sla.StateBreached:
			if !have[sla.MarkID(t.ID, x.name, sla.StateBreached)] {
				out = append(out, slaMark{x.name, sla.StateBreached, x.tm})
			}
		case x.tm.Warned && (x.tm.State == sla.StateRunning || x.tm.State == sla.StatePaused):
			if !have[sla.MarkID(t.ID, x.name, sla.StateWarned)] && !have[sla.MarkID(t.ID, x.name, sla.StateBreached)] {
				out = append(out, slaMark{x.name, sla.StateWarned, x.tm})
			}
		}
	}
	return out
}

// CheckSLA evaluates every active ticket at s.Now() and writes the marks
// (and escalations) due, each ticket in its own transaction that checks
// again what it writes. It returns how many marks it wrote.
func (s *Service) CheckSLA(ctx context.Context) (int, error) {
	now := s.Now()
	var due []string
	var zoneErr error
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		cal, pol, err := loadSLA(tx)
		if cal == nil {
			return err
		}
		zoneErr = err
		tickets := map[string]*shared.Ticket{}
		err = tx.Each(wire.TypeTicket, func(id string, data []byte) error {
			var t shared.Ticket
			if json.Unmarshal(data, &t) == nil && (t.Status == shared.StatusNew || t.Status == shared.StatusOpen || t.Status == shared.StatusPending) {
				tickets[id] = &t
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(tickets) == 0 {
			return nil
		}
		// One pass over the history for all active tickets. (An index of
		// entries by ticket would make this cheaper for a big history.)
		entries := map[string][]shared.Entry{}
		err = tx.Each(wire.TypeEntry, func(_ string, data []byte) error {
			var e shared.Entry
			if json.Unmarshal(data, &e) == nil && tickets[e.TicketID] != nil {
				entries[e.TicketID] = append(entries[e.TicketID], e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for id, t := range tickets {
			if len(marksDue(t, entries[id], cal, pol, now)) > 0 {
				due = append(due, id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if zoneErr != nil {
		s.Log.Warn("SLA calendar zone not loaded; counting in UTC", "err", zoneErr)
	}
	written := 0
	for _, id := range due {
		var marks []slaMark
		err := s.Store.Update(ctx, func(tx store.Tx) (err error) {
			marks, err = markTicket(tx, id, now)
			return err
		})
		if err != nil {
			return written, err
		}
		written += len(marks)
		for _, m := range marks {
			if s.Observe != nil {
				s.Observe.SLAMark(m.timer, m.what)
			}
		}
	}
	if written > 0 {
		s.Log.Info("SLA marks written", "marks", written, "tickets", len(due))
		s.poke()
	}
	return written, nil
}

// markTicket writes the marks ticket id has earned at now, and the
// escalation each breach of a running timer brings, in tx.
func markTicket(tx store.Tx, id string, now time.Time) ([]slaMark, error) {
	cal, pol, err := loadSLA(tx)
	if cal == nil {
		return nil, err
	}
	var t shared.Ticket
	if err := getRecord(tx, wire.TypeTicket, id, &t); err != nil {
		return nil, err
	}
	var entries []shared.Entry
	err = tx.Each(wire.TypeEntry, func(_ string, data []byte) error {
		var e shared.Entry
		if json.Unmarshal(data, &e) == nil && e.TicketID == id {
			entries = append(entries, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	marks := marksDue(&t, entries, cal, pol, now)
	assignee := t.AssigneeID // an escalation takes it from them: sight.go
	lang := t.Lang
	if lang == "" {
		lang = i18n.Default
	}
	entry := func(id, kind string) shared.Entry {
		return shared.Entry{
			ID: id, TicketID: t.ID, RequesterID: t.RequesterID, ClientID: t.ClientID,
			Kind: kind, Internal: true, AuthorName: systemName, CreatedAt: now.UnixMilli(), At: now.UnixMilli(),
		}
	}
	for _, m := range marks {
		e := entry(sla.MarkID(t.ID, m.timer, m.what), sla.EntryKind)
		e.From, e.To, e.Body = m.timer, m.what, m.tm.Due.UTC().Format(time.RFC3339)
		if err := putJSON(tx, wire.TypeEntry, e.ID, e); err != nil {
			return nil, err
		}
		// A breach found after the timer was done (a late reply while the
		// clock was not running) is recorded, not escalated: it is over.
		if m.what != sla.StateBreached || !m.tm.DoneAt.IsZero() {
			continue
		}
		reason := i18n.T(lang, "slaview.reason."+m.timer)
		if tier := max(t.Tier, shared.Tier1); tier < shared.MaxTier {
			e := entry(sla.MarkID(t.ID, m.timer, "escalated"), shared.EntryEscalate)
			e.From, e.To, e.Body = strconv.Itoa(tier), strconv.Itoa(tier+1), reason
			t.Tier, t.AssigneeID, t.AssigneeName = tier+1, "", ""
			if err := putJSON(tx, wire.TypeEntry, e.ID, e); err != nil {
				return nil, err
			}
		} else if impact, urgency, p, ok := raisePriority(t.Impact, t.Urgency); ok {
			e := entry(sla.MarkID(t.ID, m.timer, "raised"), shared.EntryPriority)
			e.From, e.To, e.Body = t.Priority, p, impact+"/"+urgency
			t.Impact, t.Urgency, t.Priority = impact, urgency, p
			if err := putJSON(tx, wire.TypeEntry, e.ID, e); err != nil {
				return nil, err
			}
		}
	}
	if t.AssigneeID != assignee {
		if err := retag(tx, &t); err != nil {
			return nil, err
		}
	}
	if len(marks) > 0 {
		t.UpdatedAt = now.UnixMilli()
		if err := putJSON(tx, wire.TypeTicket, t.ID, t); err != nil {
			return nil, err
		}
	}
	return marks, nil
}

// raisePriority returns the impact and urgency one priority above what
// impact and urgency give, raising urgency first, then impact; ok is false
// at P1.
func raisePriority(impact, urgency string) (string, string, string, bool) {
	up := map[string]string{shared.LevelLow: shared.LevelMedium, shared.LevelMedium: shared.LevelHigh}
	impact, urgency = or(impact, shared.LevelMedium), or(urgency, shared.LevelMedium)
	from, err := shared.Priority(impact, urgency)
	if err != nil {
		return "", "", "", false
	}
	for {
		switch {
		case up[urgency] != "":
			urgency = up[urgency]
		case up[impact] != "":
			impact = up[impact]
		default:
			return "", "", "", false
		}
		if p, _ := shared.Priority(impact, urgency); p < from {
			return impact, urgency, p, true
		}
	}
}

// implicitStatus records a status change the server makes on a reply (a
// staff reply opens a new ticket, the requester's answer reopens a pending
// one) as a status entry of its own, just after reply, so the history and
// the SLA clock see it.
func implicitStatus(tx store.Tx, reply *shared.Entry, from, to string) error {
	e := *reply
	e.ID, e.Kind, e.Body, e.Internal, e.From, e.To = reply.ID+"-status", shared.EntryStatus, "", false, from, to
	return putJSON(tx, wire.TypeEntry, e.ID, e)
}

// slaConfigSave stores the business calendar or the SLA policy an admin
// saved (config.save with ID sla.ConfigCalendar or sla.ConfigPolicy), after
// checking it as the admin screen did. Admins only. It is also the saver of
// an ID no saver knows (configSavers), which sla.ConfigSave.Validate refuses.
func slaConfigSave(tx store.Tx, a Actor, args json.RawMessage) error {
	if a.User.Role != shared.RoleAdmin {
		return shared.Errorf(shared.EFORBIDDEN, "slaadmin.admin_only")
	}
	var s sla.ConfigSave
	if err := json.Unmarshal(args, &s); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := s.Validate(nil); err != nil {
		return err
	}
	if s.Calendar != nil {
		return putJSON(tx, wire.TypeConfig, s.ID, s.Calendar)
	}
	return putJSON(tx, wire.TypeConfig, s.ID, s.Policy)
}
