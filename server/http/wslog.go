package http

import (
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"
)

// wsStats is what one websocket session did, for its log line. Only the
// connection's reading goroutine touches it.
type wsStats struct {
	began     time.Time
	pushes    int
	mutations int
	pulls     int
	ended     string // how it ended: "closed by the client", "server shutting down", a refusal's code and key
}

// pushed records a push of n mutations, answered after took.
func (c *wsConn) pushed(n int, took time.Duration) {
	c.stats.pushes++
	c.stats.mutations += n
	c.s.Metrics.Push(took)
}

// endedBy notes why the session ended, if nothing was noted before.
func (c *wsConn) endedBy(why string) {
	if c.stats.ended == "" {
		c.stats.ended = why
	}
}

// logSession writes the session's one line: who, what, how long, result.
// The client ID is a random device ID; the user is an ID, never an
// address; no token, no mutation's content.
func (c *wsConn) logSession() {
	user, role := "", "anonymous"
	if c.user != nil {
		user, role = c.user.UserID, c.user.Role
	}
	c.endedBy("closed")
	c.log.Info("socket session",
		"user", user, "role", role,
		"duration_ms", c.s.clock().Since(c.stats.began).Milliseconds(),
		"pushes", c.stats.pushes, "mutations", c.stats.mutations, "pulls", c.stats.pulls,
		"result", c.stats.ended)
}

// endedByRead notes why reading failed: the client closed, the server
// closed the socket (shutting down, a failed write), or the link was lost.
func (c *wsConn) endedByRead(err error) {
	c.wmu.Lock()
	closed := c.closed
	c.wmu.Unlock()
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce) || errors.Is(err, io.EOF):
		c.endedBy("closed by the client")
	case closed:
		c.endedBy("closed by the server")
	default:
		c.endedBy("connection lost")
	}
}
