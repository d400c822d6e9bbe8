package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"outpost/server/seed"
	sstore "outpost/server/store"
	"outpost/shared/wire"
)

// countingConn counts the bytes read from the network.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// BenchmarkFirstSync pulls 2,400 articles (the demo set, 100 times over)
// from scratch, with permessage-deflate and without, and reports the bytes
// that crossed the wire per sync. make bench prints both.
func BenchmarkFirstSync(b *testing.B) {
	s := newServer(b)
	articles, err := seed.Articles(1)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		err = s.db.Update(context.Background(), func(tx sstore.Tx) error {
			for _, a := range articles {
				a.ID = fmt.Sprintf("%s-%d", a.ID, i)
				data, _ := json.Marshal(a)
				if _, err := tx.Put(wire.TypeArticle, a.ID, data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, compress := range []bool{true, false} {
		name := "plain"
		if compress {
			name = "deflate"
		}
		b.Run(name, func(b *testing.B) {
			var wireBytes atomic.Int64
			var records int
			for i := 0; i < b.N; i++ {
				d := websocket.Dialer{
					EnableCompression: compress,
					NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
						c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
						return countingConn{c, &wireBytes}, err
					},
				}
				ws, _, err := d.Dial(s.wsURL(), map[string][]string{"Origin": {s.URL()}})
				if err != nil {
					b.Fatal(err)
				}
				ws.SetReadLimit(2 * wire.MaxFrame)
				records = pullAll(b, ws)
				ws.Close()
			}
			b.ReportMetric(float64(wireBytes.Load())/float64(b.N), "wire-bytes/sync")
			b.ReportMetric(float64(records), "records/sync")
		})
	}
}

func pullAll(b *testing.B, ws *websocket.Conn) int {
	write := func(m wire.Msg) {
		data, _ := wire.Encode(m)
		if err := ws.WriteMessage(websocket.TextMessage, data); err != nil {
			b.Fatal(err)
		}
	}
	read := func() wire.Msg {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				b.Fatal(err)
			}
			m, err := wire.Decode(data)
			if err != nil {
				b.Fatal(err)
			}
			if m.T != wire.TPoke {
				return m
			}
		}
	}
	write(wire.Msg{T: wire.THello, Protocol: wire.Version, ClientID: clientA, DeviceKey: keyOf(clientA)})
	if m := read(); m.T != wire.TWelcome {
		b.Fatalf("hello answered %+v", m)
	}
	n := 0
	var cursor uint64
	for more := true; more; {
		write(wire.Msg{T: wire.TPull, Cursor: cursor})
		m := read()
		if m.T != wire.TChanges {
			b.Fatalf("pull answered %s: %s", m.T, strings.Join(m.Args, " "))
		}
		n += len(m.Changes)
		cursor, more = m.Cursor, m.More
	}
	return n
}
