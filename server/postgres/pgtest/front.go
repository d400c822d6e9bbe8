package pgtest

import (
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Front is one address in front of a cluster that can move to another,
// as a virtual IP, a DNS name or pgbouncer does on failover: nodes keep
// their -store URL, and the connections open when it moves break.
type Front struct {
	l     net.Listener
	mu    sync.Mutex
	to    *Server
	conns map[net.Conn]bool
}

// NewFront listens on a loopback port and forwards to s, until the test
// ends.
func NewFront(t testing.TB, s *Server) *Front {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Front{l: l, to: s, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { l.Close(); f.MoveTo(nil) })
	go f.serve()
	return f
}

// URL is the URL of database db ("" for the superuser's) through the front.
func (f *Front) URL(db string) string {
	f.mu.Lock()
	u := f.to.DB(db)
	f.mu.Unlock()
	return strings.Replace(u, "127.0.0.1:"+strconv.Itoa(f.to.port), f.l.Addr().String(), 1)
}

// MoveTo sends new connections to s and breaks the open ones.
func (f *Front) MoveTo(s *Server) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s != nil {
		f.to = s
	}
	for c := range f.conns {
		c.Close()
		delete(f.conns, c)
	}
}

func (f *Front) serve() {
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		addr := "127.0.0.1:" + strconv.Itoa(f.to.port)
		f.mu.Unlock()
		up, err := net.Dial("tcp", addr)
		if err != nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		f.conns[c], f.conns[up] = true, true
		f.mu.Unlock()
		go func() { io.Copy(up, c); f.drop(c, up) }()
		go func() { io.Copy(c, up); f.drop(c, up) }()
	}
}

func (f *Front) drop(cs ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(f.conns, c)
	}
}
