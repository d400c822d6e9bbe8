package http

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"outpost/shared"
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
	// Zero: reuse the buffers net/http allocated for the request, so an
	// idle connection costs less memory.
	ReadBufferSize:    0,
	WriteBufferSize:   0,
	EnableCompression: true,
}

// pokeFrame is the poke message, encoded once.
var pokeFrame, _ = wire.Encode(wire.Msg{T: wire.TPoke})

// frame is one message for a connection's writer goroutine: data to send,
// or, if close is set, a close frame after which the writer stops.
type frame struct {
	data      []byte
	close     bool
	closeCode int
	closeText string
}

// wsConn is one device's websocket. The handler goroutine reads; one writer
// goroutine owns every write, so frames never interleave.
type wsConn struct {
	s        *Server
	ws       *websocket.Conn
	log      *slog.Logger
	done     chan struct{} // closed when the writer stops
	clientID string
	token    string           // the session cookie, "" if none
	user     *shared.Identity // signed-in user, nil if none
	authKey  string           // why the cookie was refused, if it was

	watch chan (<-chan struct{}) // hands the writer the pokes after hello

	mu     sync.Mutex // guards out against sends after it is closed
	out    chan frame
	closed bool
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	// Gorilla refuses a frame that declares more than this outright; frames
	// between MaxFrame and this get a clear error from read.
	ws.SetReadLimit(2 * wire.MaxFrame)
	c := &wsConn{s: s, ws: ws, log: s.Log, out: make(chan frame, 16), watch: make(chan (<-chan struct{}), 1), done: make(chan struct{})}
	c.authenticate(r)
	if !s.track(c) {
		ws.Close()
		return
	}
	defer s.untrack(c)
	go c.writeLoop()
	c.readLoop(r.Context())
	c.mu.Lock()
	c.closed = true
	close(c.out)
	c.mu.Unlock()
	<-c.done
}

// shutdown asks the connection to close because the server is stopping.
func (c *wsConn) shutdown() {
	c.send(frame{close: true, closeCode: websocket.CloseGoingAway, closeText: "server shutting down"})
}

func (c *wsConn) send(f frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	select {
	case c.out <- f:
	case <-c.done:
	}
}

func (c *wsConn) sendMsg(m wire.Msg) {
	b, err := wire.Encode(m)
	if err != nil {
		c.log.Error("encode message", "err", err)
		return
	}
	c.send(frame{data: b})
}

// fail sends the peer an error message it can show, then closes with code.
func (c *wsConn) fail(code int, err error) {
	c.log.Info("closing websocket", "client", c.clientID, "reason", err)
	c.sendMsg(wire.ErrorMsg(err))
	text := shared.ErrorCode(err)
	if key, _ := shared.ErrorKey(err); key != "" {
		text += ": " + key
	}
	c.send(frame{close: true, closeCode: code, closeText: text})
}

func (c *wsConn) writeLoop() {
	defer close(c.done)
	defer c.ws.Close()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	var (
		pokes   <-chan struct{}  // changes this connection may see
		wait    <-chan time.Time // set while pokes are held back
		pending bool             // a poke arrived while held back
	)
	poke := func() bool {
		c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		if err := c.ws.WriteMessage(websocket.TextMessage, pokeFrame); err != nil {
			c.drain()
			return false
		}
		// At most one poke per pokeEvery: the ones meanwhile coalesce
		// into one, and the client's next pull takes them all.
		wait = time.After(pokeEvery)
		return true
	}
	for {
		select {
		case pokes = <-c.watch:
		case <-pokes:
			if wait != nil {
				pending = true
			} else if !poke() {
				return
			}
		case <-wait:
			wait = nil
			if pending {
				pending = false
				if !poke() {
					return
				}
			}
		case f, ok := <-c.out:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
				return
			}
			if f.close {
				c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, f.closeText))
				c.drain()
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				c.drain()
				return
			}
		case <-ping.C:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.drain()
				return
			}
		}
	}
}

// drain discards frames until the reader stops, so senders never block on a
// writer that is gone. Closing the socket makes the reader stop soon.
func (c *wsConn) drain() {
	c.ws.Close()
	go func() {
		for range c.out {
		}
	}()
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
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(r, wire.MaxFrame+1)); err != nil {
		return wire.Msg{}, 0, err
	}
	if b.Len() > wire.MaxFrame {
		return wire.Msg{}, websocket.CloseMessageTooBig, shared.Errorf(shared.EINVALID, "wire.too_large", wire.MaxFrame)
	}
	m, err := wire.Decode(b.Bytes())
	if err != nil {
		return wire.Msg{}, websocket.CloseInvalidFramePayloadData, err
	}
	return m, 0, nil
}

func (c *wsConn) readLoop(ctx context.Context) {
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(pongWait))
	})

	hello, code, err := c.read()
	if err != nil {
		c.closeAfterReadError(code, err)
		return
	}
	if hello.T != wire.THello {
		c.fail(websocket.ClosePolicyViolation, shared.Errorf(shared.EINVALID, "wire.hello_first"))
		return
	}
	if hello.Protocol < max(c.s.MinProtocol, wire.MinVersion) {
		c.fail(websocket.ClosePolicyViolation, shared.Errorf(wire.UpdateRequired, "wire.update_required"))
		return
	}
	c.clientID = hello.ClientID
	c.log = c.log.With("client", c.clientID)
	if err := c.bind(ctx); err != nil {
		if shared.ErrorCode(err) == shared.EINTERNAL || shared.ErrorCode(err) == "" {
			c.log.Error("bind client", "err", err)
			c.fail(websocket.CloseInternalServerErr, err)
		} else {
			c.fail(websocket.ClosePolicyViolation, err)
		}
		return
	}
	c.sendMsg(wire.Msg{T: wire.TWelcome, Protocol: wire.Version, Epoch: c.s.Sync.Store.Epoch(), Identity: c.user, Auth: c.authKey})
	if c.authKey != "" {
		c.log.Info("session refused", "reason", c.authKey)
	}

	pokes, stop := c.s.Sync.WatchAs(c.actor())
	defer stop()
	c.watch <- pokes // the writer sends the pokes: no goroutine of their own

	for {
		m, code, err := c.read()
		if err != nil {
			c.closeAfterReadError(code, err)
			return
		}
		switch m.T {
		case wire.TPush:
			if err := c.recheck(ctx); err != nil {
				c.fail(websocket.ClosePolicyViolation, err)
				return
			}
			results, err := c.s.Sync.PushAs(ctx, c.actor(), m.Mutations)
			if len(results) > 0 {
				c.sendMsg(wire.Msg{T: wire.TAck, Results: results})
			}
			if shared.ErrorCode(err) == shared.EUNAUTHORIZED {
				c.fail(websocket.ClosePolicyViolation, err) // the rest waits for a sign-in
				return
			}
			if err != nil {
				c.log.Error("push", "err", err)
				c.fail(websocket.CloseInternalServerErr, err)
				return
			}
		case wire.TPull:
			page, err := c.s.Sync.PullAs(ctx, c.actor(), m.Cursor, m.Limit)
			if err != nil {
				c.log.Error("pull", "err", err)
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
}
