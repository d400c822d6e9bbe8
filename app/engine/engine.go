// Package engine is the client half of sync: it keeps the local replica
// (app/store) in step with the server over one websocket. User actions become
// mutations in the persistent outbox; the engine pushes them in order until
// each is acknowledged, pulls changes by cursor, and reconnects with
// exponential backoff and full jitter when the link drops.
package engine

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"outpost/app/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// Status is what the status indicator shows.
type Status struct {
	Online         bool // a websocket is open and the hello was answered
	Syncing        bool // a push or pull is in flight
	Pending        int  // mutations in the outbox
	Synced         bool // at least one full pull has completed on this device
	UpdateRequired bool // the server no longer speaks this app's protocol
	// Identity is who the server says this device is signed in as (nil:
	// signed out, or not heard yet). SignIn, if set, is the catalog key of
	// why the device must sign in again (auth.expired …): until it does,
	// the engine neither pushes nor pulls, and the outbox waits.
	Identity *shared.Identity
	SignIn   string
	StoreErr string // the last local storage error, for the user
	Changes  int    // counts changes to the replica, so views know to reload
	// StoreFull says StoreErr is the browser refusing to store more: the
	// device has no room left (store.QuotaError).
	StoreFull bool
	// SyncDone and SyncTotal count the changes of a pull that takes several
	// pages (a first sync): the progress bar. Both are 0 otherwise.
	SyncDone, SyncTotal int
	// Held, if set, is the catalog key of a server quota this device met
	// (quota.pulls …), and HeldSecs the seconds it waits before it tries
	// again; both clear at the next welcome.
	Held     string
	HeldSecs int
}

// Backoff bounds for reconnecting, and the watchdog's defaults.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 15 * time.Second

	// DefaultReplyTimeout is how long the server may take to answer hello,
	// a push or a pull before the connection is deemed dead.
	DefaultReplyTimeout = 20 * time.Second
	// DefaultHeartbeat is how long an idle connection waits before it pulls
	// just to prove the server still answers.
	DefaultHeartbeat = 30 * time.Second
)

// errNoReply ends a session whose server stopped answering: a half-open
// connection, which a browser cannot see through websocket pings.
var errNoReply = errors.New("the server stopped answering")

// Engine syncs one replica.
type Engine struct {
	Store store.Store
	// Dial opens a websocket to the server.
	Dial func(ctx context.Context) (Conn, error)
	// Clock tells the time for new IDs and runs the backoff and the
	// watchdog (nil: the wall clock); tests move a clock.Fake.
	Clock clock.Clock
	// OnReject is told of every mutation the server rejected, before it
	// leaves the outbox, so the app can show why and keep the user's words.
	// If it returns an error (the device had no room for them), the
	// mutation stays in the outbox, the status shows the error, and it is
	// pushed again at the next push the user or the browser asks for, or
	// the next connection: the server remembers the rejection and gives it
	// again.
	OnReject func(m wire.Mutation, r wire.Result) error
	// ReplyTimeout and Heartbeat tune the watchdog (zero: the defaults).
	ReplyTimeout time.Duration
	Heartbeat    time.Duration
	// OnLocal, if set, is told of what this tab did that the tab syncing
	// for the browser must act on: "mutate" (the outbox grew), "reconnect"
	// (a sign-in or sign-out) and "switch" (a new client ID).
	OnLocal func(what string)

	clientID  string        // guarded by mu
	kick      chan struct{} // outbox changed, or try to connect now
	reconnect chan struct{} // end the session and dial again now
	mu        sync.Mutex
	status    Status
	subs      map[int]func()
	nextSub   int
	mirrored  int // the leader's Changes count last mirrored
}

// Start loads the replica's identity and syncs in the background until ctx
// ends.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.Load(); err != nil {
		return err
	}
	e.Lead(ctx)
	return nil
}

// Lead starts syncing in the background until ctx ends. Call it once,
// after Load: in a browser, in the one tab that holds the sync lock.
func (e *Engine) Lead(ctx context.Context) { go e.run(ctx) }

// Load reads the replica's identity and status without syncing. A tab
// that does not sync for the browser stops there and follows the one
// that does (Mirror).
func (e *Engine) Load() error {
	e.Clock = clock.Or(e.Clock)
	if e.ReplyTimeout <= 0 {
		e.ReplyTimeout = DefaultReplyTimeout
	}
	if e.Heartbeat <= 0 {
		e.Heartbeat = DefaultHeartbeat
	}
	e.kick = make(chan struct{}, 1)
	e.reconnect = make(chan struct{}, 1)
	id, err := e.Store.ClientID(func() string { return shared.NewID(e.Now()) })
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.clientID = id
	e.mu.Unlock()
	cursor, err := e.Store.Cursor()
	if err != nil {
		return err
	}
	e.update(func(s *Status) { s.Synced = cursor > 0 })
	e.refreshPending()
	return nil
}

// Mirror shows, in a tab that does not sync, the status of the tab that
// does: the outbox and replica are shared, so when the leader's replica
// changes, this tab's views reload.
func (e *Engine) Mirror(leader Status) {
	e.update(func(s *Status) {
		changed := leader.Changes != e.mirrored
		e.mirrored = leader.Changes
		own := s.Changes
		*s = leader
		s.Changes = own
		if changed {
			s.Changes++
		}
	})
}

// ReloadClientID reads the client ID again, after another tab switched it.
func (e *Engine) ReloadClientID() error {
	id, err := e.Store.ClientID(func() string { return shared.NewID(e.Now()) })
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.clientID = id
	e.mu.Unlock()
	return nil
}

func (e *Engine) local(what string) {
	if e.OnLocal != nil {
		e.OnLocal(what)
	}
}

// ClientID returns this replica's client ID.
func (e *Engine) ClientID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clientID
}

// Reconnect ends the current session and dials again at once: after a
// sign-in or sign-out, so the new session cookie is used.
func (e *Engine) Reconnect() {
	e.reconnectNow()
	e.local("reconnect")
}

func (e *Engine) reconnectNow() {
	// The session in use is ending: until the next one is welcomed and
	// has pulled (another account's view replaces the replica), the device
	// is not online with a settled replica, whatever the old session said.
	e.update(func(s *Status) { s.SignIn, s.Online, s.Syncing = "", false, false })
	select {
	case e.reconnect <- struct{}{}:
	default:
	}
}

// Rejoin is what the syncing tab does when another tab says it signed in,
// out, or switched clients: read the client ID again and reconnect.
func (e *Engine) Rejoin() error {
	if err := e.ReloadClientID(); err != nil {
		return err
	}
	e.reconnectNow()
	return nil
}

// SwitchClient makes this replica a new client, then reconnects. The app
// calls it when the device signs out or in as another account, once the
// outbox is empty: a client ID belongs to the account that first used it.
func (e *Engine) SwitchClient() error {
	id := shared.NewID(e.Now())
	if err := e.Store.SetClientID(id); err != nil {
		e.storeErr(err)
		return err
	}
	e.mu.Lock()
	e.clientID = id
	e.mu.Unlock()
	e.reconnectNow()
	e.local("switch")
	return nil
}

// newDeviceKey makes the secret that proves a client ID is this device's
// (protocol 5): 32 random bytes, base64url.
func newDeviceKey() string {
	var b [32]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic("engine: no randomness for a device key: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Status returns the current sync status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Subscribe calls fn (on some goroutine) whenever the status or the replica
// changes, until cancel is called.
func (e *Engine) Subscribe(fn func()) (cancel func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.subs == nil {
		e.subs = map[int]func(){}
	}
	id := e.nextSub
	e.nextSub++
	e.subs[id] = fn
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.subs, id)
	}
}

// Nudge tells subscribers to redraw, for app state kept beside the status
// (the unread count).
func (e *Engine) Nudge() { e.update(func(*Status) {}) }

func (e *Engine) update(fn func(*Status)) {
	e.mu.Lock()
	fn(&e.status)
	subs := make([]func(), 0, len(e.subs))
	for _, s := range e.subs {
		subs = append(subs, s)
	}
	e.mu.Unlock()
	for _, s := range subs {
		s()
	}
}

func (e *Engine) storeErr(err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	var full *store.QuotaError
	e.update(func(s *Status) { s.StoreErr, s.StoreFull = msg, errors.As(err, &full) })
}

func (e *Engine) refreshPending() {
	out, err := e.Store.Outbox()
	if err != nil {
		e.storeErr(err)
		return
	}
	e.update(func(s *Status) { s.Pending = len(out); s.Changes++ })
}

// Mutate records a user action in the outbox and wakes the sync loop. If
// clearDraft names a draft, it is deleted in the same transaction. Returns
// EINVALID if args are too large for any push to carry.
func (e *Engine) Mutate(name string, args any, clearDraft string) error {
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	if len(b) > wire.MaxArgs { // the server would refuse every push from here on
		return shared.Errorf(shared.EINVALID, "wire.too_large", wire.MaxArgs)
	}
	if _, err := e.Store.Enqueue(name, b, clearDraft); err != nil {
		e.storeErr(err)
		return err
	}
	if e.Status().StoreErr != "" {
		e.storeErr(nil) // this was saved: whatever stopped the last save is over
	}
	e.refreshPending()
	e.Kick()
	e.local("mutate")
	return nil
}

// Kick asks the loop to push now, or to reconnect now if it is waiting to
// (call it when the browser says it is back online).
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// OutboxGrew is Kick for a change another tab queued: the status counts it
// at once, even while there is no link to push it on (the tabs that follow
// mirror this count).
func (e *Engine) OutboxGrew() {
	e.refreshPending()
	e.Kick()
}

func (e *Engine) run(ctx context.Context) {
	attempt := 0
	for ctx.Err() == nil {
		conn, err := e.Dial(ctx)
		if err == nil {
			err = e.session(ctx, conn)
			conn.Close()
			if e.Status().Online {
				// Welcomed: the server works. One that takes the socket
				// but cannot answer the hello (its database is down) is
				// tried again after a growing wait, not at once.
				attempt = 0
			}
		}
		e.update(func(s *Status) { s.Online, s.Syncing = false, false })
		var ce *CloseError
		if errors.As(err, &ce) && ce.Text == wire.UpdateRequired+": wire.update_required" {
			e.update(func(s *Status) { s.UpdateRequired = true })
			return
		}
		if errors.Is(err, errReconnect) {
			attempt = 0
			continue
		}
		if e.Status().SignIn != "" {
			// Only a sign-in helps: wait for it (Reconnect), not a timer.
			select {
			case <-e.reconnect:
				attempt = 0
				continue
			case <-ctx.Done():
				return
			}
		}
		attempt++
		wait := backoff(attempt)
		if errors.As(err, &ce) && ce.Retry > 0 {
			wait = ce.Retry + wait/2 // with jitter: devices held together do not return together
		}
		if !e.sleep(ctx, wait) {
			return
		}
	}
}

// quotaWait returns the seconds a quota refusal (quota.*, its first
// argument) asks the device to wait, at most an hour.
func quotaWait(m wire.Msg) (int, bool) {
	if !strings.HasPrefix(m.Key, "quota.") || len(m.Args) == 0 {
		return 0, false
	}
	secs, err := strconv.Atoi(m.Args[0])
	if err != nil || secs <= 0 {
		return 0, false
	}
	return min(secs, 3600), true
}

// errReconnect ends a session Reconnect asked to replace.
var errReconnect = errors.New("reconnect requested")

// backoff returns a random wait in [0, min(max, base·2^attempt)): full jitter,
// so a building full of devices coming back does not reconnect in step.
func backoff(attempt int) time.Duration {
	d := backoffBase << min(attempt, 10)
	if d > backoffMax {
		d = backoffMax
	}
	return rand.N(d) + time.Millisecond
}

// Now returns the time on the engine's clock.
func (e *Engine) Now() time.Time { return clock.Or(e.Clock).Now() }

// sleep waits for d, a kick, or the end of ctx, and reports whether to go on.
func (e *Engine) sleep(ctx context.Context, d time.Duration) bool {
	t, fired := clock.Or(e.Clock).NewTimer(d)
	defer t.Stop()
	select {
	case <-fired:
	case <-e.kick:
	case <-e.reconnect:
	case <-ctx.Done():
		return false
	}
	return true
}

// session is the state of one connection: which answers the engine waits
// for and whether the server let it sync. The loop in Engine.session reads
// one event at a time (a message, a kick, the watchdog's tick) and hands it
// to a method; only that goroutine touches the fields.
type session struct {
	e    *Engine
	ctx  context.Context
	conn Conn

	welcomed bool // the server answered hello
	halted   bool // the session was refused: wait for a sign-in
	pushing  bool // a push is unanswered
	pulling  bool // a pull is unanswered
	poked    bool // something changed while a pull was out: pull again after it
	// unkept counts the rejections of the last ack that the app could not
	// keep (OnReject failed): they wait in the outbox, and their error
	// stays on the status until they are kept.
	unkept int

	waitingSince time.Time // when the oldest unanswered request went (zero: none)
	lastHeard    time.Time // when the server last said anything
}

// session speaks the protocol on one connection until it fails. A watchdog
// ends it when the server leaves hello, a push or a pull unanswered for
// ReplyTimeout; an idle session pulls every Heartbeat so a dead link is
// noticed even when the user is only reading.
func (e *Engine) session(ctx context.Context, conn Conn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &session{e: e, ctx: ctx, conn: conn}
	if err := s.hello(); err != nil {
		return err
	}
	in, readErr := s.read()
	s.expect() // the welcome
	s.lastHeard = e.Now()
	watchdog, ticks := clock.Or(e.Clock).NewTicker(min(e.ReplyTimeout, e.Heartbeat) / 4)
	defer watchdog.Stop()
	for {
		// A reconnect asked for (a sign-in, a sign-out) goes before
		// anything else: select picks among ready cases at random, and
		// this session's welcome or pull must not mark the device online
		// on the view that is being replaced.
		select {
		case <-e.reconnect:
			return errReconnect
		default:
		}
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.reconnect:
			return errReconnect
		case err := <-readErr:
			return err
		case <-ticks:
			err = s.onTick()
		case <-e.kick:
			err = s.onKick()
		case m := <-in:
			err = s.onMessage(m)
		}
		if err != nil {
			return err
		}
	}
}

// hello proves which device this is: its client ID and the key only it
// holds (protocol 5).
func (s *session) hello() error {
	clientID := s.e.ClientID()
	key, err := s.e.Store.DeviceKey(clientID, newDeviceKey)
	if err != nil {
		s.e.storeErr(err)
		return err
	}
	return s.send(wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: clientID, DeviceKey: key})
}

// read decodes frames on a goroutine of its own until the connection
// fails or the session ends; the loop selects on what it yields.
func (s *session) read() (<-chan wire.Msg, <-chan error) {
	in := make(chan wire.Msg)
	readErr := make(chan error, 1)
	go func() {
		for {
			b, err := s.conn.Recv(s.ctx)
			if err == nil {
				var m wire.Msg
				if m, err = wire.Decode(b); err == nil {
					select {
					case in <- m:
						continue
					case <-s.ctx.Done():
						err = s.ctx.Err()
					}
				}
			}
			readErr <- err
			return
		}
	}()
	return in, readErr
}

func (s *session) send(m wire.Msg) error {
	b, err := wire.Encode(m)
	if err != nil {
		return err
	}
	return s.conn.Send(s.ctx, b)
}

// expect starts the watchdog's clock, unless it already runs for an
// earlier request.
func (s *session) expect() {
	if s.waitingSince.IsZero() {
		s.waitingSince = s.e.Now()
	}
}

// live says the server let this session sync: it answered hello and did
// not refuse the sign-in.
func (s *session) live() bool { return s.welcomed && !s.halted }

// pull asks for the changes after the replica's cursor.
func (s *session) pull() error {
	cursor, err := s.e.Store.Cursor()
	if err != nil {
		s.e.storeErr(err)
		return err
	}
	s.pulling = true
	s.expect()
	return s.send(wire.Msg{T: wire.TPull, Cursor: cursor, Limit: 500})
}

// push sends the oldest pending mutations, if there are any.
func (s *session) push() error {
	out, err := s.e.Store.Outbox()
	if err != nil {
		s.e.storeErr(err)
		return err
	}
	if len(out) == 0 {
		return nil
	}
	s.pushing = true
	s.expect()
	return s.send(wire.Msg{T: wire.TPush, Mutations: batch(out)})
}

// onTick is the watchdog: it ends a session whose server stopped
// answering, and pulls on an idle one to prove the link.
func (s *session) onTick() error {
	now := s.e.Now()
	switch {
	case !s.waitingSince.IsZero() && now.Sub(s.waitingSince) > s.e.ReplyTimeout:
		return errNoReply
	case s.live() && !s.pulling && !s.pushing && now.Sub(s.lastHeard) > s.e.Heartbeat:
		return s.pull()
	}
	return nil
}

// onKick pushes what the outbox holds, unless a push is already out (its
// ack pushes the rest).
func (s *session) onKick() error {
	if s.live() && !s.pushing {
		return s.push()
	}
	return nil
}

// onMessage dispatches one message from the server.
func (s *session) onMessage(m wire.Msg) error {
	// Any answer proves the link; keep waiting only for what is still
	// outstanding.
	s.lastHeard, s.waitingSince = s.e.Now(), time.Time{}
	var err error
	switch m.T {
	case wire.TWelcome:
		err = s.onWelcome(m)
	case wire.TAck:
		err = s.onAck(m)
	case wire.TChanges:
		err = s.onChanges(m)
	case wire.TPoke:
		err = s.onPoke()
	case wire.TError:
		return s.onError(m)
	}
	if s.pushing || s.pulling {
		s.expect()
	}
	s.e.update(func(st *Status) { st.Syncing = s.pushing || s.pulling })
	return err
}

// onWelcome starts syncing: check the replica is of this database and
// account, push the outbox, pull what changed.
func (s *session) onWelcome(m wire.Msg) error {
	s.welcomed = true
	if m.Auth != "" {
		// The session cookie was refused (expired, signed out elsewhere):
		// pulling as nobody would skip this user's changes, and pushing
		// would fail. Keep everything and wait for a sign-in.
		s.halted = true
		s.e.update(func(st *Status) { st.Online, st.SignIn = true, m.Auth })
		return nil
	}
	// Syncing from here: the replica may be of another account or
	// database (checkEpoch drops it), so "online" with nothing under way
	// would say the device is settled before it has pulled.
	s.e.update(func(st *Status) {
		st.Online, st.Syncing, st.SignIn, st.Identity, st.Held, st.HeldSecs = true, true, "", m.Identity, "", 0
	})
	if err := s.e.checkEpoch(replicaEpoch(m.Epoch, m.Identity)); err != nil {
		return err
	}
	if err := s.push(); err != nil {
		return err
	}
	return s.pull()
}

// onAck clears the acknowledged mutations, pushes the next ones, and pulls
// the server's copy of what was pushed and anything it committed
// meanwhile: the server sends no poke for it (protocol 4).
func (s *session) onAck(m wire.Msg) error {
	unkept, err := s.e.acked(m.Results)
	s.pushing, s.unkept = false, unkept
	if err == nil && unkept == 0 {
		// A rejection the app could not keep is not pushed again at once:
		// it would be rejected again, as fast as the link allows.
		err = s.push()
	}
	switch {
	case err != nil:
		return err
	case s.pulling:
		s.poked = true
		return nil
	default:
		return s.pull()
	}
}

// onChanges stores a page of changes with its cursor, and pulls the next
// page, or again if something changed while this one was out.
func (s *session) onChanges(m wire.Msg) error {
	if err := s.e.Store.Apply(m.Changes, m.Cursor); err != nil {
		s.e.storeErr(err)
		return err
	}
	s.e.update(func(st *Status) {
		if s.unkept == 0 { // else the app still has no room for refused words
			st.StoreErr, st.StoreFull = "", false
		}
		st.Changes++
		if m.More || st.SyncTotal > 0 {
			st.SyncDone += len(m.Changes)
			st.SyncTotal = st.SyncDone + m.Remaining
		}
		if !m.More {
			st.SyncDone, st.SyncTotal = 0, 0
		}
	})
	s.pulling = false
	if m.More || s.poked {
		s.poked = false
		return s.pull()
	}
	s.e.update(func(st *Status) { st.Synced = true })
	return nil
}

// onPoke pulls what another device changed, after the pull in flight if
// there is one.
func (s *session) onPoke() error {
	if s.pulling {
		s.poked = true
		return nil
	}
	return s.pull()
}

// onError ends the session with the server's reason. A refused device
// waits for a sign-in; a quota waits as long as the server says.
func (s *session) onError(m wire.Msg) error {
	if m.Code == shared.EUNAUTHORIZED || m.Key == "client.bound_elsewhere" || m.Key == "client.bad_key" {
		s.e.update(func(st *Status) { st.SignIn = m.Key })
	}
	ce := &CloseError{Text: m.Code + ": " + m.Key}
	if secs, ok := quotaWait(m); ok {
		// A quota: wait as long as the server says, not the short
		// back-off after a connection that worked.
		ce.Retry = time.Duration(secs) * time.Second
		s.e.update(func(st *Status) { st.Held, st.HeldSecs = m.Key, secs })
	}
	return ce
}

// batch returns the oldest mutations of out that fit in one push: at most
// wire.MaxMutations of them in at most wire.MaxFrame bytes. The server
// refuses a bigger frame, so a stack of long tickets written offline would
// otherwise be sent, and refused, forever.
func batch(out []wire.Mutation) []wire.Mutation {
	size := len(`{"t":"push","mutations":[]}`)
	for i, m := range out {
		if i == wire.MaxMutations {
			return out[:i]
		}
		b, err := json.Marshal(m)
		if err != nil {
			return out[:max(i, 1)] // Encode fails on it too, and says so
		}
		size += len(b) + 1 // and a comma
		if size > wire.MaxFrame && i > 0 {
			return out[:i]
		}
	}
	return out
}

// replicaEpoch names what a replica holds: the server database it came
// from and, when signed in, the account whose view it is. A device that
// signs in, out, or as someone else gets another view, so it drops its
// records and pulls afresh (keeping its outbox and drafts).
func replicaEpoch(epoch string, who *shared.Identity) string {
	if who == nil || epoch == "" {
		return epoch
	}
	return epoch + "/" + who.UserID
}

// checkEpoch drops the replica if it came from another server database
// (restored from a backup, or made anew): its cursor means nothing there.
// The outbox is kept and pushed as usual.
func (e *Engine) checkEpoch(epoch string) error {
	local, err := e.Store.Epoch()
	if err != nil {
		e.storeErr(err)
		return err
	}
	if local == epoch || epoch == "" {
		return nil
	}
	if err := e.Store.Reset(epoch); err != nil {
		e.storeErr(err)
		return err
	}
	e.update(func(s *Status) { s.Synced = false; s.Changes++ })
	return nil
}

// acked removes acknowledged mutations from the outbox and reports the
// rejected ones. It returns how many rejected ones stay in the outbox
// because the app could not keep their words.
func (e *Engine) acked(results []wire.Result) (unkept int, err error) {
	out, err := e.Store.Outbox()
	if err != nil {
		e.storeErr(err)
		return 0, err
	}
	bySeq := make(map[uint64]wire.Mutation, len(out))
	for _, m := range out {
		bySeq[m.Seq] = m
	}
	seqs := make([]uint64, 0, len(results))
	// Report rejections before they leave the outbox: if the app cannot keep
	// the user's words (storage full), the mutation stays and is resent.
	for _, r := range results {
		if m, ok := bySeq[r.Seq]; ok && !r.OK && e.OnReject != nil {
			if err := e.OnReject(m, r); err != nil {
				e.storeErr(err)
				unkept++
				continue
			}
		}
		seqs = append(seqs, r.Seq)
	}
	if err := e.Store.Ack(seqs); err != nil {
		e.storeErr(err)
		return unkept, err
	}
	// The outbox shrank, but the replica does not yet hold the server's
	// copy of what was applied: that comes with the pull that follows
	// every ack (the session loop sends it). Views reload on Changes; were
	// they told now, they would read the record as it was before the change
	// (the outbox no longer lays it over), and a select the user had just
	// set would jump back to the old value until the pull. So the count is
	// updated without a reload, and the pull's Changes brings the reload.
	out, err = e.Store.Outbox()
	if err != nil {
		e.storeErr(err)
		return unkept, err
	}
	e.update(func(s *Status) { s.Pending = len(out) })
	return unkept, nil
}
