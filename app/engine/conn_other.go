//go:build !wasm

package engine

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"outpost/shared/wire"
)

// DialWS opens a websocket to url (ws:// or wss://), sending origin as the
// Origin header as a browser would.
func DialWS(ctx context.Context, url, origin string) (Conn, error) {
	return DialWSHeader(ctx, url, http.Header{"Origin": {origin}})
}

// DialWSHeader opens a websocket sending header h: Origin, and the session
// Cookie a browser would send.
func DialWSHeader(ctx context.Context, url string, h http.Header) (Conn, error) {
	d := websocket.Dialer{EnableCompression: true}
	ws, _, err := d.DialContext(ctx, url, h)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(2 * wire.MaxFrame)
	return &gorillaConn{ws: ws}, nil
}

type gorillaConn struct {
	ws *websocket.Conn
	mu sync.Mutex // one writer at a time
}

func (c *gorillaConn) Send(ctx context.Context, b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := ctx.Deadline(); ok {
		c.ws.SetWriteDeadline(d)
	}
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *gorillaConn) Recv(ctx context.Context) ([]byte, error) {
	_, b, err := c.ws.ReadMessage()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return nil, &CloseError{Code: ce.Code, Text: ce.Text}
	}
	return b, err
}

func (c *gorillaConn) Close() error { return c.ws.Close() }
