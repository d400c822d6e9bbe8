package mail

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// smtpServer is a minimal SMTP server on loopback that keeps what it gets:
// the real net/smtp client talks to it over a real socket.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string // "to|data"
}

func newSMTPServer(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test ESMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"), strings.HasPrefix(cmd, "MAIL"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT"):
			to = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, to+"|"+data.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func put(t *testing.T, db store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func putJSON(tx store.Tx, typ, id string, v any) error {
	b, _ := json.Marshal(v)
	_, err := tx.Put(typ, id, b)
	return err
}

func outmail(t *testing.T, db store.Store, id string) shared.Outmail {
	t.Helper()
	var m shared.Outmail
	db.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(shared.TypeOutmail, id)
		if err == nil {
			json.Unmarshal(data, &m)
		}
		return err
	})
	return m
}

// TestVisitorsGetTheirTicketByMail: the desk's "we filed a ticket for you"
// and a later public reply reach the visitor's address; an internal note
// and a ticket whose requester has an account send nothing.
func TestVisitorsGetTheirTicketByMail(t *testing.T) {
	db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.UnixMilli(1_800_000_000_000)
	visitorTicket := shared.Ticket{ID: "t1", Title: "Laptop won't charge", Lang: "en", RequesterEmail: "ana@example.com", RequesterName: "Ana", Status: shared.StatusNew}
	memberTicket := shared.Ticket{ID: "t2", Title: "VPN", Lang: "en", RequesterID: "u1", RequesterEmail: "bo@example.com", Status: shared.StatusNew}
	reply := shared.Entry{ID: "e1", TicketID: "t1", Kind: shared.EntryReply, AuthorID: "agent1", AuthorName: "Tomás", Body: "Try another charger.\nThen tell us.", AuthorStaff: true}
	note := shared.Entry{ID: "e2", TicketID: "t1", Kind: shared.EntryNote, AuthorID: "agent1", Internal: true, Body: "Battery is dead."}
	memberReply := shared.Entry{ID: "e3", TicketID: "t2", Kind: shared.EntryReply, AuthorID: "agent1", Body: "Reinstall it."}
	put(t, db, func(tx store.Tx) error {
		for _, x := range []struct {
			typ, id string
			v       any
		}{{wire.TypeTicket, "t1", visitorTicket}, {wire.TypeTicket, "t2", memberTicket}, {wire.TypeEntry, "e1", reply}, {wire.TypeEntry, "e2", note}} {
			if err := putJSON(tx, x.typ, x.id, x.v); err != nil {
				return err
			}
		}
		if err := putJSON(tx, shared.TypeOutmail, "t1", shared.Outmail{ID: "t1", To: "ana@example.com", Name: "Ana", Template: "desk.mail_ticket_filed", TicketID: "t1", Status: StatusQueued}); err != nil {
			return err
		}
		for _, q := range []struct {
			t *shared.Ticket
			e *shared.Entry
		}{{&visitorTicket, &reply}, {&visitorTicket, &note}, {&memberTicket, &memberReply}} {
			if err := QueueUpdate(tx, q.t, q.e, now); err != nil {
				return err
			}
		}
		return nil
	})

	srv := newSMTPServer(t)
	s := &Sender{Store: db, Addr: srv.ln.Addr().String(), From: "outpost@example.com", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock.NewFake(now)}
	n, err := s.SendQueued(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("SendQueued = %d, %v; want the filing notice and the reply", n, err)
	}
	got := srv.received()
	if len(got) != 2 {
		t.Fatalf("server got %d messages", len(got))
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"ana@example.com|", "Subject: Your IT ticket: Laptop won't charge", "Hello Ana,", "We filed a ticket for you", "Tomás wrote:", "Try another charger.\r\nThen tell us."} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "Battery is dead") || strings.Contains(all, "bo@example.com") {
		t.Errorf("an internal note or a member's ticket was mailed:\n%s", all)
	}
	if m := outmail(t, db, "e1"); m.Status != StatusSent || m.SentAt == 0 || m.Attempts != 1 {
		t.Errorf("outmail after sending = %+v", m)
	}
	// Nothing left: a second round sends nothing again.
	if n, err := s.SendQueued(context.Background()); n != 0 || err != nil {
		t.Errorf("second round sent %d, %v", n, err)
	}
}

// TestUnreachableServerFailsAfterAttempts: a message that cannot be sent
// stays queued with the error, and counts as failed after MaxAttempts.
func TestUnreachableServerFailsAfterAttempts(t *testing.T) {
	db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	put(t, db, func(tx store.Tx) error {
		return putJSON(tx, shared.TypeOutmail, "m1", shared.Outmail{ID: "m1", To: "ana@example.com", Template: "desk.mail_ticket_filed", Status: StatusQueued})
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	s := &Sender{Store: db, Addr: addr, From: "outpost@example.com", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for i := 1; i <= MaxAttempts; i++ {
		s.SendQueued(context.Background())
		m := outmail(t, db, "m1")
		want := StatusQueued
		if i == MaxAttempts {
			want = StatusFailed
		}
		if m.Attempts != i || m.Status != want || m.Error == "" {
			t.Fatalf("after attempt %d: %+v; want status %s with the error", i, m, want)
		}
	}
}
