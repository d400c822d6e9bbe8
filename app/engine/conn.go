package engine

import (
	"context"
	"time"
)

// Conn is one websocket to the server, carrying text frames. DialWS returns
// the browser's WebSocket in WebAssembly and gorilla/websocket natively, so
// the engine runs, and is tested, the same way on both.
type Conn interface {
	Send(ctx context.Context, b []byte) error
	// Recv returns the next frame. After the server closed the socket it
	// returns a *CloseError.
	Recv(ctx context.Context) ([]byte, error)
	Close() error
}

// CloseError is how the server closed the socket.
type CloseError struct {
	Code int
	Text string
	// Retry, if set, is how long the server asked the device to wait
	// before it connects again (a quota).
	Retry time.Duration
}

func (e *CloseError) Error() string { return "websocket closed: " + e.Text }
