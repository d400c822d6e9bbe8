// Package sync applies clients' mutations and answers their pulls: the
// server half of the sync model in docs/ARCHITECTURE.md. It knows nothing of
// websockets; server/http carries its messages.
package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"time"

	"outpost/server/logsafe"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

// Service applies mutations and serves pulls.
type Service struct {
	Store store.Store
	Log   *slog.Logger
	// Clock is the time mutations are stamped with and the SLA, retention
	// and related-words loops wait on; nil means the wall clock.
	Clock clock.Clock

	// AfterApply, if set, runs after a mutation is committed and before it
	// is acknowledged. Fault tests use it to kill the server in that window.
	AfterApply func(clientID string, seq uint64)
	// Observe, if set, is told about mutations, pulls and SLA marks
	// (observe.go).
	Observe Observer
	// Admit, if set, is asked before each new mutation is applied (not a
	// resend); an error stops the push there, recording nothing, and is
	// returned: the HTTP server's quotas on signed-out writes.
	Admit func(a Actor, name string) error

	categories categoriesInUse // the tree mutations are checked against (categories.go)

	mu       gosync.Mutex
	watchers map[*watcher]struct{}            // who watches
	watchBy  map[string]map[*watcher]struct{} // the same, by watchKeys
}

// Now returns the time on the service's clock.
func (s *Service) Now() time.Time { return s.clock().Now() }

// clock returns s.Clock, or the wall clock if none is set.
func (s *Service) clock() clock.Clock { return clock.Or(s.Clock) }

// Actor is who pushes or pulls: the device, and the signed-in user if there
// is one.
type Actor struct {
	ClientID string
	User     *shared.Identity // nil when signed out
	Addr     string           // the address (group) it connects from, for Service.Admit
}

// Identity returns the user acting, or the zero Identity (nobody) when
// signed out, for shared.Allowed.
func (a Actor) Identity() shared.Identity {
	if a.User == nil {
		return shared.Identity{}
	}
	return *a.User
}

// staff reports whether a works tickets: an agent or an admin.
func (a Actor) staff() bool {
	return a.User.IsStaff()
}

// ErrSignIn is returned by PushAs when a mutation needs a signed-in user
// the push does not have; the mutation and the rest stay unanswered.
var ErrSignIn = shared.Errorf(shared.EUNAUTHORIZED, "auth.required")

// errRejected aborts a transaction whose mutation was rejected, so none of
// its effects are kept.
var errRejected = errors.New("mutation rejected")

// Push applies a client's mutations in order, each in its own transaction
// together with the client's last applied sequence. A mutation at or below
// that sequence was handled before and gets the same answer again: OK, or
// the rejection it got then (see kindRejections). It returns a result for
// every mutation handled; on an internal error it stops there and returns
// the error, leaving the rest for the client to resend.
func (s *Service) Push(ctx context.Context, clientID string, ms []wire.Mutation) ([]wire.Result, error) {
	return s.PushAs(ctx, Actor{ClientID: clientID}, ms)
}

// PushAs is Push for an actor who may be signed in. It returns ErrSignIn,
// with the results before it, when a mutation needs a user it does not have,
// and EINVALID wire.seq_jump, recording nothing, for a sequence more than
// wire.MaxSeqGap past the client's last one.
//
// Each new mutation goes through the steps of applyOne, in its own
// transaction: sequence check, decode (its handler), authorize (Admit),
// apply (the handler); then recordRejection keeps a rejection, or afterCommit
// runs the effects of an applied one.
func (s *Service) PushAs(ctx context.Context, a Actor, ms []wire.Mutation) ([]wire.Result, error) {
	p := &pusher{s: s, a: a, results: make([]wire.Result, 0, len(ms))}
	defer p.pokeWatchers()
	if len(ms) > 1 {
		if err := p.readHandled(ctx, ms[0].Seq); err != nil {
			return p.results, err
		}
	}
	for _, m := range ms {
		r, err := p.answer(ctx, m, ms[0].Seq)
		if err != nil {
			return p.results, err
		}
		p.results = append(p.results, r)
	}
	return p.results, nil
}

// pusher is one PushAs in progress.
type pusher struct {
	s       *Service
	a       Actor
	results []wire.Result
	// What the client had handled before the push, if read ahead
	// (readHandled): its last sequence and the rejections it may not
	// have heard.
	handled uint64
	answers []wire.Result
	written []change // what the applied mutations wrote, to poke whom it concerns
}

// readHandled reads ahead, when the push starts at or below the client's
// last sequence, the answers to the mutations it resends. Mutations handled
// before (resent after a lost ack: after a reconnect, often a whole outbox)
// are answered from one read, not a write transaction each: on a shared
// database a reconnecting crowd would otherwise queue behind the writers. A
// push of one mutation is checked in its transaction, as every mutation
// is, and saves the read.
func (p *pusher) readHandled(ctx context.Context, first uint64) error {
	return p.s.Store.View(ctx, func(tx store.ReadTx) (err error) {
		if p.handled, err = tx.LastSeq(p.a.ClientID); err != nil || first > p.handled {
			return err
		}
		p.answers, err = rejections(tx, p.a.ClientID)
		return err
	})
}

// answer handles one mutation of the push, whose first sequence is first,
// and returns its result. An error stops the push there.
func (p *pusher) answer(ctx context.Context, m wire.Mutation, first uint64) (wire.Result, error) {
	s := p.s
	if m.Seq <= p.handled {
		return p.answerAgain(m.Seq), nil
	}
	began := s.clock().Now()
	out, err := s.applyOne(ctx, p.a, m)
	if errors.Is(err, errRejected) {
		r := wire.Reject(m.Seq, out.rejection)
		if err = s.recordRejection(ctx, p.a.ClientID, r, first); err == nil {
			s.observeMutation(m.Name, ResultRejected, s.clock().Since(began))
			s.Log.Info("mutation rejected", "client", p.a.ClientID, "seq", m.Seq, "name", m.Name, "reason", logsafe.Err(out.rejection))
			return r, nil
		}
	}
	if err != nil {
		return wire.Result{}, err
	}
	if out.earlier != nil || !out.applied {
		s.observeMutation(m.Name, ResultDuplicate, s.clock().Since(began))
	} else {
		s.observeMutation(m.Name, ResultApplied, s.clock().Since(began))
	}
	if out.earlier != nil {
		return *out.earlier, nil
	}
	if out.applied {
		p.written = append(p.written, out.writes...)
		s.afterCommit(ctx, p.a.ClientID, m)
	}
	return wire.Result{Seq: m.Seq, OK: true}, nil
}

// answerAgain returns the answer a mutation handled before the push got:
// its rejection if the client may not have heard it, else OK.
func (p *pusher) answerAgain(seq uint64) wire.Result {
	r := wire.Result{Seq: seq, OK: true}
	for _, a := range p.answers {
		if a.Seq == seq {
			r = a
		}
	}
	return r
}

// pokeWatchers tells the watchers of what the push wrote.
func (p *pusher) pokeWatchers() {
	if len(p.written) > 0 {
		p.s.pokeFor(p.written)
	}
}

// outcome is what the transaction of one mutation decided.
type outcome struct {
	rejection error        // why it was rejected, when applyOne returns errRejected
	earlier   *wire.Result // the answer it got before, if it is a resend (nil: OK)
	applied   bool         // committed now
	writes    []change     // what it wrote, if applied
}

// applyOne handles m in one transaction together with the client's last
// sequence: a resend is answered again, else m is decoded, authorized and
// applied. It returns errRejected, with the reason in the outcome, if m is
// rejected; the transaction then keeps nothing.
func (s *Service) applyOne(ctx context.Context, a Actor, m wire.Mutation) (outcome, error) {
	var out outcome
	err := store.UpdateKeys(ctx, s.Store, keysOf(a.ClientID, m), func(tx store.Tx) error {
		last, err := tx.LastSeq(a.ClientID)
		if err != nil {
			return err
		}
		if m.Seq <= last {
			out.earlier, err = rejectionOf(tx, a.ClientID, m.Seq)
			return err // handled before: answer again
		}
		if err := checkSeqGap(m.Seq, last); err != nil {
			return err
		}
		h, err := decode(m)
		if err != nil {
			out.rejection = err
			return errRejected
		}
		if err := s.authorize(a, m.Name); err != nil {
			return err // not recorded: the mutation waits on the device
		}
		writes, err := s.apply(tx, h, a, m)
		if err != nil {
			if rejects(err) {
				out.rejection = err
				return errRejected
			}
			return err
		}
		out.applied, out.writes = true, writes
		return tx.SetLastSeq(a.ClientID, m.Seq)
	})
	return out, err
}

// checkSeqGap returns EINVALID wire.seq_jump if seq is more than
// wire.MaxSeqGap past the client's last sequence. No device makes this many
// changes and drops them unsent: the mutation is refused and nothing is
// recorded, so the client's next real sequence still applies.
func checkSeqGap(seq, last uint64) error {
	if last > 0 && seq-last > wire.MaxSeqGap {
		return shared.Errorf(shared.EINVALID, "wire.seq_jump", seq, last)
	}
	return nil
}

// decode returns the handler of m from the table in handlers.go, which
// decodes and validates m.Args itself, or an EINVALID mutation.unknown
// rejection.
func decode(m wire.Mutation) (handler, error) {
	h, ok := handlers[m.Name]
	if !ok {
		return nil, shared.Errorf(shared.EINVALID, "mutation.unknown", m.Name)
	}
	return h, nil
}

// authorize asks Service.Admit, if set, whether a may apply a new mutation
// named name. The handler checks the actor's permission on the records it
// touches (shared.Allowed).
func (s *Service) authorize(a Actor, name string) error {
	if s.Admit == nil {
		return nil
	}
	return s.Admit(a, name)
}

// apply runs h on m's arguments in tx, with the category tree in use,
// and returns what it wrote.
func (s *Service) apply(tx store.Tx, h handler, a Actor, m wire.Mutation) ([]change, error) {
	rec := &recorder{Tx: tx}
	if err := h(rec, a, m.Args, s.Now(), s.Categories()); err != nil {
		return nil, err
	}
	return rec.writes, nil
}

// rejects reports whether a handler's error rejects its mutation: any
// *shared.Error but EINTERNAL (retried) and EUNAUTHORIZED (waits for a
// sign-in).
func rejects(err error) bool {
	code := shared.ErrorCode(err)
	return code != shared.EINTERNAL && code != shared.EUNAUTHORIZED
}

// recordRejection records the client's sequence alone, and its rejection r, so
// that a resend (its ack lost) is rejected again rather than acknowledged.
// first is the push's first sequence: the client holds nothing below it.
func (s *Service) recordRejection(ctx context.Context, clientID string, r wire.Result, first uint64) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		if last, err := tx.LastSeq(clientID); err != nil || r.Seq <= last {
			return err
		}
		if err := tx.SetLastSeq(clientID, r.Seq); err != nil {
			return err
		}
		return rememberRejection(tx, clientID, r, first)
	})
}

// afterCommit runs what follows a committed mutation m of clientID: a saved
// category tree is put in use (categories.go), and AfterApply is called.
func (s *Service) afterCommit(ctx context.Context, clientID string, m wire.Mutation) {
	if m.Name == shared.OpConfigSave && configID(m.Args) == shared.ConfigCategories {
		s.reloadCategories(ctx)
	}
	if s.Log.Enabled(ctx, slog.LevelDebug) { // per mutation: no arguments boxed when nobody reads them
		s.Log.Debug("mutation applied", "client", clientID, "seq", m.Seq, "name", m.Name)
	}
	if s.AfterApply != nil {
		s.AfterApply(clientID, m.Seq)
	}
}

// kindRejections is the unlogged server data, one entry per client (key:
// the client ID), of the rejections that client may not have heard: a
// rejection whose ack was lost is resent, and must be rejected again, or
// the client would drop the user's words as if they had been filed. A
// client sends its outbox oldest first, so once it pushes sequence s it
// holds nothing below s: those entries are dropped when the entry is next
// written. Being unlogged, they take no change-log version and no client
// ever pulls them.
const kindRejections = "rejections"

// rejectionOf returns the rejection clientID got for seq, or nil if seq was
// applied (or its rejection is too old to be resent).
func rejectionOf(tx store.ReadTx, clientID string, seq uint64) (*wire.Result, error) {
	rs, err := rejections(tx, clientID)
	for _, r := range rs {
		if r.Seq == seq {
			return &r, nil
		}
	}
	return nil, err
}

func rejections(tx store.ReadTx, clientID string) ([]wire.Result, error) {
	b, err := tx.GetLocal(kindRejections, clientID)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rs []wire.Result
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("read rejections of %s: %w", clientID, err)
	}
	return rs, nil
}

// rememberRejection adds r to clientID's rejections, dropping those below
// floor, which the client no longer holds.
func rememberRejection(tx store.Tx, clientID string, r wire.Result, floor uint64) error {
	rs, err := rejections(tx, clientID)
	if err != nil {
		return err
	}
	kept := []wire.Result{}
	for _, old := range rs {
		if old.Seq >= floor && old.Seq != r.Seq {
			kept = append(kept, old)
		}
	}
	b, err := json.Marshal(append(kept, r))
	if err != nil {
		return err
	}
	return tx.PutLocal(kindRejections, clientID, b, time.Time{})
}

// Pull returns the next page of changes a signed-out clientID may see after
// cursor.
func (s *Service) Pull(ctx context.Context, clientID string, cursor uint64, limit int) (wire.Msg, error) {
	return s.PullAs(ctx, Actor{ClientID: clientID}, cursor, limit)
}

// PullAs returns the next page of changes a may see after cursor.
func (s *Service) PullAs(ctx context.Context, a Actor, cursor uint64, limit int) (wire.Msg, error) {
	if limit <= 0 || limit > wire.MaxPullLimit {
		limit = wire.MaxPullLimit
	}
	visible := visibleTo(a)
	// Everyone may have held an article or a troubleshooter that has since
	// been archived, unpublished or made internal: those go out as
	// removals, so no device keeps showing what it may no longer see.
	withRemovals := func(typ string, data []byte) bool {
		return removable[typ] || visible(typ, data)
	}
	staff := a.staff()
	// Staff read the whole log; anyone else only the scopes they could
	// see into, so a signed-out pull costs what it returns (store.RecordScopes).
	scopes := readScopes(a)
	var changes []wire.Change
	var next uint64
	var more bool
	var err error
	if staff {
		changes, next, more, err = s.Store.Changes(ctx, cursor, limit, wire.MaxPageBytes, withRemovals)
	} else {
		changes, next, more, err = s.Store.ChangesIn(ctx, scopes, cursor, limit, wire.MaxPageBytes, withRemovals)
	}
	if err != nil {
		return wire.Msg{}, err
	}
	for i, c := range changes {
		if !c.Deleted && removable[c.Type] && !visible(c.Type, c.Data) {
			changes[i] = wire.Change{V: c.V, Type: c.Type, ID: c.ID, Deleted: true}
		}
		if !staff && !c.Deleted && carriesClientID[c.Type] {
			changes[i].Data = withoutOthersClientID(c.Data, a.ClientID)
		}
	}
	if err := s.agentSight(ctx, a, changes); err != nil { // sight.go
		return wire.Msg{}, err
	}
	page := wire.Msg{T: wire.TChanges, Changes: changes, Cursor: next, More: more}
	if s.Observe != nil {
		n := 0
		for _, c := range changes {
			n += len(c.Data)
		}
		s.Observe.Pulled(len(changes), n)
	}
	switch {
	case more && staff:
		page.Remaining, err = s.Store.Remaining(ctx, next)
	case more:
		page.Remaining, err = s.Store.RemainingIn(ctx, scopes, next)
	}
	if err != nil {
		return wire.Msg{}, err
	}
	return page, nil
}

// readScopes are the scopes of the change log (store.RecordScopes) that
// hold every record visibleTo(a) may let through, for anyone but staff:
// what everyone sees, what this device filed signed out, and the user's
// own records, or a kiosk's site queue.
func readScopes(a Actor) []string {
	scopes := []string{store.ScopeAll, store.ScopeClient(a.ClientID)}
	if who := a.Identity(); who.UserID != "" {
		scopes = append(scopes, store.ScopeUser(who.UserID))
		if who.Role == shared.RoleKiosk && who.Site != "" {
			scopes = append(scopes, store.ScopeSite(who.Site))
		}
	}
	return scopes
}

// carriesClientID are the record types that name the device that made
// them. Only staff see another device's client ID: a requester's phone is
// not told its laptop's, nor a visitor the desk's.
var carriesClientID = map[string]bool{wire.TypeTicket: true, wire.TypeEntry: true, wire.TypeRating: true}

// withoutOthersClientID returns data without its client_id field unless
// that is own.
func withoutOthersClientID(data []byte, own string) []byte {
	var named struct {
		ClientID string `json:"client_id"`
	}
	if json.Unmarshal(data, &named) != nil || named.ClientID == "" || named.ClientID == own {
		return data
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return data
	}
	delete(fields, "client_id")
	out, err := json.Marshal(fields)
	if err != nil {
		return data
	}
	return out
}

// removable are the record types a device loses sight of by a change to
// the record itself (DESIGN.md rule 6), and so is told to drop. Only their
// ID travels; an article's ID is a readable slug, so a slug must not hold
// anything secret.
var removable = map[string]bool{wire.TypeArticle: true, wire.TypeTree: true}

// Record types only support staff see: feedback and the figures agents
// read.
var staffOnly = map[string]bool{
	wire.TypeFeedback: true, wire.TypeArticleStats: true, wire.TypeSearchMiss: true, TypeTreeStats: true,
	shared.RevisionType: true, // article history, for the editors
	tree.TypeRevision:   true, // troubleshooting trees' history, likewise
}

// visibleTo says which records a may see (DESIGN.md rule 6): published
// public articles and troubleshooters for everyone, internal articles for
// agents and admins, every ticket for admins and for agents those
// shared.Allowed lets them view (decided after it, by agentSight, which
// sends the others as removals), and for a requester their own
// tickets and the public entries of their history. A signed-out device
// sees the tickets it filed signed out. Kiosks see no ticket.
func visibleTo(a Actor) func(typ string, data []byte) bool {
	who, staff := a.Identity(), a.staff()
	mine := func(requesterID, clientID string) bool {
		if requesterID != "" {
			return who.UserID == requesterID
		}
		return clientID == a.ClientID && who.Role != shared.RoleKiosk
	}
	return func(typ string, data []byte) bool {
		switch typ {
		case wire.TypeArticle:
			var ar struct{ Visibility, Status string }
			if json.Unmarshal(data, &ar) != nil {
				return false
			}
			if staff {
				return true // drafts and internal articles too: agents write them
			}
			return ar.Visibility == shared.Public && (ar.Status == "" || ar.Status == shared.ArticlePublished)
		case wire.TypeTree:
			var tr struct{ Status string }
			return json.Unmarshal(data, &tr) == nil && (staff || tr.Status == "published")
		case wire.TypeTicket:
			var t struct {
				RequesterID string `json:"requester_id"`
				ClientID    string `json:"client_id"`
			}
			return json.Unmarshal(data, &t) == nil && (staff || mine(t.RequesterID, t.ClientID))
		case wire.TypeEntry:
			var e struct {
				RequesterID string `json:"requester_id"`
				ClientID    string `json:"client_id"`
				Internal    bool
			}
			return json.Unmarshal(data, &e) == nil && (staff || !e.Internal && mine(e.RequesterID, e.ClientID))
		case shared.TypeVisit, shared.TypeVisitor, shared.TypeKiosk, shared.TypeOutmail:
			return kioskVisible(a, typ, data) // kiosk.go: a kiosk sees its site's visits, never a visitor
		case wire.TypeConfig:
			return true // sla.go, categories.go: the calendar, the SLA policy and the category tree, so every device has them offline
		case wire.TypeRating:
			var r struct {
				RequesterID string `json:"requester_id"`
				ClientID    string `json:"client_id"`
			}
			return json.Unmarshal(data, &r) == nil && (staff || mine(r.RequesterID, r.ClientID))
		case wire.TypeUser:
			var u struct{ ID string }
			return json.Unmarshal(data, &u) == nil && (staff || u.ID == who.UserID && who.UserID != "")
		}
		return staff && staffOnly[typ]
	}
}
