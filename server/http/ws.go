package http

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"outpost/server/logsafe"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// Websocket timing.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	pokeEvery  = 250 * time.Millisecond // the most often a connection is poked
)

// upgrader accepts same-origin upgrades only (gorilla's default origin
// check): another site's page cannot speak for a user's browser.
var upgrader = websocket.Upgrader{
	// An idle connection holds its read buffer only: a small one (bigger
	// frames are read in several calls), while write buffers are lent
	// from a pool for the length of one write.
	ReadBufferSize:    1024,
	WriteBufferPool:   &sync.Pool{},
	EnableCompression: true,
}

// pokeFrame is the poke message, encoded once.
var pokeFrame, _ = wire.Encode(wire.Msg{T: wire.TPoke})

// wsConn is one device's websocket. One goroutine reads and answers; pokes
// and pings are written from short-lived timer goroutines, so an idle
// connection costs one parked goroutine and a few small buffers.
type wsConn struct {
	s        *Server
	ws       *websocket.Conn
	log      *slog.Logger
	done     chan struct{} // closed when the connection is closed and forgotten
	clientID string
	addr     string           // the client's address group (IPv6: its /64)
	token    string           // the session cookie, "" if none
	user     *shared.Identity // signed-in user, nil if none
	authKey  string           // why the cookie was refused, if it was
	epoch    string           // the store's epoch the device was welcomed with
	stats    wsStats          // for the session's log line (wslog.go)

	wmu    sync.Mutex // serializes writes of data frames; guards closed and ping
	closed bool
	ping   clock.Timer // the next ping

	rmu      sync.Mutex  // guards the read deadline
	readBy   clock.Timer // ends a read that waits past the deadline (readWithin)
	readTurn int         // counts readWithin calls: a late timer of an earlier one does nothing

	pmu         sync.Mutex // guards the poke state
	holding     bool       // a poke was sent less than pokeEvery ago
	pokePending bool       // a poke arrived meanwhile
	// answering is set while a push is answered for a client that pulls
	// after every ack (protocol 4): that pull covers what a poke would.
	answering bool
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	// Gorilla refuses a frame that declares more than this outright; frames
	// between MaxFrame and this get a clear error from read.
	ws.SetReadLimit(2 * wire.MaxFrame)
	// net/http's deadlines for the request may still be set on the
	// hijacked connection: from here on the socket keeps its own.
	ws.NetConn().SetDeadline(time.Time{})
	c := &wsConn{s: s, ws: ws, log: s.requestLog(r), done: make(chan struct{}), stats: wsStats{began: s.clock().Now()}, addr: s.addrGroup(r)}
	c.authenticate(r)
	if c.user != nil {
		noteUser(r, c.user.UserID, c.user.Role) // for the upgrade's log line
	}
	err = s.admitNewSocket(c) // quotas.go
	if err == nil {
		err = s.track(c)
	}
	if err != nil {
		if err != errShut {
			c.log.Info("websocket refused", "addr", c.addr, "reason", logsafe.Err(err))
			c.fail(websocket.ClosePolicyViolation, err)
		}
		ws.Close()
		return
	}
	// The connection outlives this handler: returning lets net/http drop
	// the request, its buffers and its goroutine's deep stack.
	go c.run()
}

func (c *wsConn) run() {
	defer close(c.done)
	defer c.s.untrack(c)
	c.wmu.Lock()
	if !c.closed { // not shut down already
		c.ping = c.s.clock().AfterFunc(pingPeriod, c.pingPeer)
	}
	c.wmu.Unlock()
	c.readLoop(context.Background())
	c.close(websocket.CloseNormalClosure, "")
	c.logSession()
}

// shutdown asks the connection to close because the server is stopping.
func (c *wsConn) shutdown() { c.close(websocket.CloseGoingAway, "server shutting down") }

// close sends a close frame and closes the socket, which ends the reader;
// later sends are dropped.
func (c *wsConn) close(code int, text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	if c.ping != nil {
		c.ping.Stop()
	}
	c.rmu.Lock()
	if c.readBy != nil {
		c.readBy.Stop()
	}
	c.rmu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.ws.Close()
}

// send writes one text frame, compressed if it is big enough to gain; a
// write that fails closes the connection.
func (c *wsConn) send(data []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return
	}
	c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	c.ws.EnableWriteCompression(len(data) >= compressAbove)
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		c.closed = true
		c.ws.Close()
	}
}

func (c *wsConn) sendMsg(m wire.Msg) {
	b, err := wire.Encode(m)
	if err != nil {
		c.log.Error("encode message", "err", err)
		return
	}
	c.send(b)
}

// fail sends the peer an error message it can show, then closes with code.
func (c *wsConn) fail(code int, err error) {
	c.log.Info("closing websocket", "client", c.clientID, "reason", logsafe.Err(err))
	c.end(code, err)
}

// end sends the peer an error message and closes with code. Unlike fail
// it may be called from any goroutine: it reads nothing the reader sets.
func (c *wsConn) end(code int, err error) {
	if b, e := wire.Encode(wire.ErrorMsg(err)); e == nil {
		c.send(b)
	}
	text := shared.ErrorCode(err)
	if key, _ := shared.ErrorKey(err); key != "" {
		text += ": " + key
	}
	c.endedBy(text) // code and key only: an error's arguments may quote what the user typed
	c.close(code, text)
}

// compressAbove is the size from which a frame is compressed: below it,
// deflate costs more CPU than the bytes it saves (acks and pokes are tens
// of bytes).
const compressAbove = 512

// poke tells the device that changes wait for it, at most once per
// pokeEvery: the pokes meanwhile coalesce into one, and the device's next
// pull takes them all. The Service calls it under its lock, so the write
// happens on another goroutine.
func (c *wsConn) poke() {
	if c.s.Sync.Store.Epoch() != c.epoch {
		// The database is another history now (a promoted standby):
		// the device reconnects, is welcomed with the new epoch, refetches
		// and keeps its outbox.
		go c.close(websocket.CloseServiceRestart, "the database changed: reconnect")
		return
	}
	c.pmu.Lock()
	defer c.pmu.Unlock()
	if c.answering {
		return
	}
	if c.holding {
		c.pokePending = true
		return
	}
	c.holding = true
	go c.sendPoke()
}

func (c *wsConn) setAnswering(on bool) {
	c.pmu.Lock()
	c.answering = on
	c.pmu.Unlock()
}

func (c *wsConn) sendPoke() {
	c.send(pokeFrame)
	c.s.clock().AfterFunc(pokeEvery, func() {
		c.pmu.Lock()
		again := c.pokePending
		c.holding, c.pokePending = again, false
		c.pmu.Unlock()
		if again {
			c.sendPoke()
		}
	})
}

// pingPeer checks that the peer still answers (its pong moves the read
// deadline), every pingPeriod until the connection closes.
func (c *wsConn) pingPeer() {
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
		c.ws.Close() // the reader stops
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.closed {
		c.ping.Reset(pingPeriod)
	}
}

// readWithin gives the reader d on the server's clock from now: past it,
// a read waiting for the peer fails as timed out, as with a read deadline
// on the socket, which it sets when the clock's timer fires. A later call
// replaces the earlier one.
func (c *wsConn) readWithin(d time.Duration) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	c.readTurn++
	turn := c.readTurn
	if c.readBy != nil {
		c.readBy.Stop()
	}
	c.readBy = c.s.clock().AfterFunc(d, func() {
		c.rmu.Lock()
		defer c.rmu.Unlock()
		if c.readTurn == turn {
			c.ws.SetReadDeadline(time.Now()) // the socket's deadline: real time, now
		}
	})
}

// read returns the next message, or an error that says why the connection
// must close, with the close code to use.
func (c *wsConn) read() (wire.Msg, int, error) {
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return wire.Msg{}, 0, err
	}
	if typ != websocket.TextMessage {
		return wire.Msg{}, websocket.CloseUnsupportedData, shared.Errorf(shared.EINVALID, "wire.malformed", "binary frames are not accepted")
	}
	b := frameBufs.Get().(*bytes.Buffer)
	defer putFrameBuf(b)
	if _, err := io.Copy(b, io.LimitReader(r, wire.MaxFrame+1)); err != nil {
		return wire.Msg{}, 0, err
	}
	if b.Len() > wire.MaxFrame {
		return wire.Msg{}, websocket.CloseMessageTooBig, shared.Errorf(shared.EINVALID, "wire.too_large", wire.MaxFrame)
	}
	m, err := wire.Decode(b.Bytes()) // copies what it keeps: the buffer goes back to the pool
	if err != nil {
		return wire.Msg{}, websocket.CloseInvalidFramePayloadData, err
	}
	return m, 0, nil
}

// frameBufs lends read() a buffer for one frame: growing a new one for
// every frame was the largest allocation per mutation (1.5 KiB of a
// push's ~13 KiB). Buffers grown past keepFrameBuf are dropped, so a rare
// big frame does not stay held by the pool.
var frameBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const keepFrameBuf = 64 << 10

func putFrameBuf(b *bytes.Buffer) {
	if b.Cap() <= keepFrameBuf {
		b.Reset()
		frameBufs.Put(b)
	}
}

func (c *wsConn) readLoop(ctx context.Context) {
	// A socket that never says hello holds a goroutine and buffers for
	// nothing: it gets HelloTimeout, the rest ping and pong.
	c.readWithin(c.s.HelloTimeout)
	hello, code, err := c.read()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.log.Info("no hello in time", "addr", c.addr)
		c.fail(websocket.ClosePolicyViolation, shared.Errorf(shared.EINVALID, "ws.hello_late"))
		return
	}
	if err != nil {
		c.closeAfterReadError(code, err)
		return
	}
	c.readWithin(pongWait)
	c.ws.SetPongHandler(func(string) error {
		c.readWithin(pongWait)
		return nil
	})
	if hello.T != wire.THello {
		c.fail(websocket.ClosePolicyViolation, shared.Errorf(shared.EINVALID, "wire.hello_first"))
		return
	}
	if hello.Protocol < max(c.s.MinProtocol, wire.MinVersion) {
		c.fail(websocket.ClosePolicyViolation, shared.Errorf(wire.UpdateRequired, "wire.update_required"))
		return
	}
	c.clientID = hello.ClientID
	pullsAfterAck := hello.Protocol >= 4
	c.log = c.log.With("client", c.clientID)
	if err := c.bind(ctx, hello.DeviceKey); err != nil {
		if shared.ErrorCode(err) == shared.EINTERNAL || shared.ErrorCode(err) == "" {
			c.logFailure("bind client", err)
			c.fail(websocket.CloseInternalServerErr, err)
		} else {
			c.fail(websocket.ClosePolicyViolation, err)
		}
		return
	}
	c.epoch = c.s.Sync.Store.Epoch()
	c.sendMsg(wire.Msg{T: wire.TWelcome, Protocol: wire.Version, Epoch: outsync.ViewEpoch(c.epoch, c.user), Identity: c.user, Auth: c.authKey})
	if c.authKey != "" {
		c.log.Info("session refused", "reason", c.authKey)
	}

	defer c.s.Sync.OnChangeAs(c.actor(), c.poke)()

	for {
		m, code, err := c.read()
		if err != nil {
			c.closeAfterReadError(code, err)
			return
		}
		switch m.T {
		case wire.TPush:
			began := c.s.clock().Now()
			if err := c.refused(); err != nil {
				c.fail(websocket.ClosePolicyViolation, err)
				return
			}
			if err := c.recheck(ctx); err != nil {
				c.fail(websocket.ClosePolicyViolation, err)
				return
			}
			c.setAnswering(pullsAfterAck)
			results, err := c.s.Sync.PushAs(ctx, c.actor(), m.Mutations)
			if len(results) > 0 {
				c.sendMsg(wire.Msg{T: wire.TAck, Results: results})
			}
			c.pushed(len(m.Mutations), c.s.clock().Since(began))
			c.setAnswering(false)
			if code := shared.ErrorCode(err); code == shared.EUNAUTHORIZED || code == shared.EINVALID || code == shared.EFORBIDDEN {
				// The rest waits for a sign-in or for the quota to refill,
				// or is refused (wire.seq_jump).
				c.fail(websocket.ClosePolicyViolation, err)
				return
			}
			if err != nil {
				c.logFailure("push", err)
				c.fail(websocket.CloseInternalServerErr, err)
				return
			}
		case wire.TPull:
			c.stats.pulls++
			if err := c.refused(); err != nil {
				c.fail(websocket.ClosePolicyViolation, err)
				return
			}
			if err := c.recheck(ctx); err != nil {
				c.fail(websocket.ClosePolicyViolation, err) // expired or signed out meanwhile: pull nothing more
				return
			}
			if err := c.s.admitPull(c); err != nil {
				c.fail(websocket.ClosePolicyViolation, err) // quotas.go: the device comes back when it says
				return
			}
			page, err := c.s.Sync.PullAs(ctx, c.actor(), m.Cursor, m.Limit)
			if err != nil {
				c.logFailure("pull", err)
				c.fail(websocket.CloseInternalServerErr, err)
				return
			}
			c.sendMsg(page)
		default:
			c.fail(websocket.CloseUnsupportedData, shared.Errorf(shared.EINVALID, "wire.unknown_type", m.T))
			return
		}
	}
}

func (c *wsConn) closeAfterReadError(code int, err error) {
	if code != 0 {
		c.fail(code, err)
		return
	}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) && !errors.Is(err, io.EOF) {
		c.log.Debug("websocket read", "err", err)
	}
	c.endedByRead(err)
}
