package engine

import (
	"context"
	"errors"
	"sync"
	"syscall/js"
)

// DialWS opens the browser's WebSocket to url; origin is set by the browser.
func DialWS(ctx context.Context, url, origin string) (Conn, error) {
	ws := js.Global().Get("WebSocket").New(url)
	c := &jsConn{ws: ws, ready: make(chan struct{}, 1), closed: make(chan struct{})}
	opened := make(chan struct{})
	var once sync.Once
	c.funcs = []js.Func{
		js.FuncOf(func(js.Value, []js.Value) any { close(opened); return nil }),
		js.FuncOf(func(_ js.Value, args []js.Value) any {
			data := args[0].Get("data")
			if data.Type() == js.TypeString {
				// Never block here: this goroutine is JavaScript's event loop.
				c.mu.Lock()
				c.queue = append(c.queue, []byte(data.String()))
				c.mu.Unlock()
				select {
				case c.ready <- struct{}{}:
				default:
				}
			}
			return nil
		}),
		js.FuncOf(func(_ js.Value, args []js.Value) any {
			once.Do(func() {
				c.err = &CloseError{Code: args[0].Get("code").Int(), Text: args[0].Get("reason").String()}
				close(c.closed)
			})
			return nil
		}),
	}
	ws.Set("onopen", c.funcs[0])
	ws.Set("onmessage", c.funcs[1])
	ws.Set("onclose", c.funcs[2])
	select {
	case <-opened:
		return c, nil
	case <-c.closed:
		c.release()
		return nil, c.err
	case <-ctx.Done():
		ws.Call("close")
		return nil, ctx.Err()
	}
}

type jsConn struct {
	ws     js.Value
	mu     sync.Mutex
	queue  [][]byte      // frames received, not yet read
	ready  chan struct{} // a frame was queued
	closed chan struct{}
	err    error
	funcs  []js.Func
	rel    sync.Once
}

func (c *jsConn) Send(ctx context.Context, b []byte) error {
	select {
	case <-c.closed:
		return c.err
	default:
	}
	if c.ws.Get("readyState").Int() != 1 {
		return errors.New("websocket not open")
	}
	c.ws.Call("send", string(b))
	return nil
}

func (c *jsConn) Recv(ctx context.Context) ([]byte, error) {
	for {
		// Frames that arrived before the close are delivered first.
		c.mu.Lock()
		if len(c.queue) > 0 {
			b := c.queue[0]
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return b, nil
		}
		c.mu.Unlock()
		select {
		case <-c.ready:
		case <-c.closed:
			c.mu.Lock()
			empty := len(c.queue) == 0
			c.mu.Unlock()
			if empty {
				return nil, c.err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *jsConn) Close() error {
	c.ws.Call("close")
	c.release()
	return nil
}

func (c *jsConn) release() {
	c.rel.Do(func() {
		go func() {
			<-c.closed
			for _, f := range c.funcs {
				f.Release()
			}
		}()
	})
}
