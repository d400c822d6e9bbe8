// Package mail delivers the e-mails Outpost queues as "outmail" records
// (shared.Outmail): to visitors the walk-up desk filed a ticket for, and
// their ticket's updates, since they have no account to follow it in the
// app. A Sender polls the queue, sends each message over SMTP, and marks it
// sent, or failed after a few attempts, in the store; staff see the state.
//
// Without an SMTP server configured the messages stay queued, and the desk
// says so.
package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/smtp"
	"strings"
	"time"

	"outpost/server/logsafe"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
	"outpost/shared/wire"
)

// Statuses of an outmail record.
const (
	StatusQueued = "queued"
	StatusSent   = "sent"
	StatusFailed = "failed"
)

// MaxAttempts is how often a message is tried before it counts as failed.
const MaxAttempts = 5

// Sender sends queued outmail.
type Sender struct {
	Store store.Store
	Addr  string // SMTP server host:port; "" sends nothing
	From  string // the From address
	Log   *slog.Logger
	Clock clock.Clock // nil: the wall clock
	// Send is the transport; nil means net/smtp.SendMail to Addr.
	Send func(addr, from string, to []string, msg []byte) error
}

// Run sends what is queued every interval, and soon after wake receives,
// until ctx ends.
func (s *Sender) Run(ctx context.Context, interval time.Duration, wake <-chan struct{}) {
	if s.Addr == "" {
		return
	}
	tick, ticks := clock.Or(s.Clock).NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := s.SendQueued(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("send mail", "err", logsafe.Err(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		case <-wake:
		}
	}
}

// SendQueued tries every queued message once and reports how many went.
func (s *Sender) SendQueued(ctx context.Context) (int, error) {
	var queued []shared.Outmail
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(shared.TypeOutmail, func(_ string, data []byte) error {
			var m shared.Outmail
			if json.Unmarshal(data, &m) == nil && m.Status == StatusQueued {
				queued = append(queued, m)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range queued {
		msg, err := s.compose(ctx, &m)
		if err == nil {
			err = s.send([]string{m.To}, msg)
		}
		if err := s.record(ctx, m.ID, err); err != nil {
			return sent, err
		}
		if err == nil {
			sent++
			s.Log.Info("mail sent", "id", m.ID, "template", m.Template)
		} else {
			s.Log.Warn("mail not sent", "id", m.ID, "err", logsafe.Err(err))
		}
	}
	return sent, nil
}

func (s *Sender) send(to []string, msg []byte) error {
	if s.Send != nil {
		return s.Send(s.Addr, s.From, to, msg)
	}
	return smtp.SendMail(s.Addr, nil, s.From, to, msg)
}

// record notes the outcome of one attempt.
func (s *Sender) record(ctx context.Context, id string, sendErr error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		data, err := tx.Get(shared.TypeOutmail, id)
		if err != nil {
			return err
		}
		var m shared.Outmail
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		m.Attempts++
		switch {
		case sendErr == nil:
			m.Status, m.SentAt, m.Error = StatusSent, s.now().UnixMilli(), ""
		case m.Attempts >= MaxAttempts:
			m.Status, m.Error = StatusFailed, sendErr.Error()
		default:
			m.Error = sendErr.Error()
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = tx.Put(shared.TypeOutmail, id, b)
		return err
	})
}

func (s *Sender) now() time.Time { return clock.Or(s.Clock).Now() }

// compose writes the message: a plain-text e-mail in the ticket's language
// saying what happened, with the ticket's title and, for an update, the
// reply or the new status.
func (s *Sender) compose(ctx context.Context, m *shared.Outmail) ([]byte, error) {
	var t shared.Ticket
	var e shared.Entry
	err := s.Store.View(ctx, func(tx store.ReadTx) error {
		if m.TicketID != "" {
			if data, err := tx.Get(wire.TypeTicket, m.TicketID); err == nil {
				json.Unmarshal(data, &t)
			}
		}
		if m.EntryID != "" {
			if data, err := tx.Get(wire.TypeEntry, m.EntryID); err == nil {
				json.Unmarshal(data, &e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	lang := t.Lang
	if !shared.ValidLang(lang) {
		lang = i18n.Default
	}
	var body strings.Builder
	if m.Name != "" {
		fmt.Fprintf(&body, "%s\r\n\r\n", i18n.T(lang, "mail.hello", m.Name))
	}
	fmt.Fprintf(&body, "%s\r\n\r\n", i18n.T(lang, m.Template))
	if t.Title != "" {
		fmt.Fprintf(&body, "%s\r\n", i18n.T(lang, "mail.ticket", t.Title))
	}
	switch e.Kind {
	case shared.EntryReply:
		fmt.Fprintf(&body, "\r\n%s\r\n\r\n%s\r\n", i18n.T(lang, "mail.reply_from", e.AuthorName), crlf(e.Body))
	case shared.EntryStatus:
		fmt.Fprintf(&body, "\r\n%s\r\n", i18n.T(lang, "mail.status", i18n.T(lang, "ticket.status."+e.To)))
	}
	fmt.Fprintf(&body, "\r\n-- \r\n%s\r\n", i18n.T(lang, "app.name"))
	subject := i18n.T(lang, "mail.subject", t.Title)
	if t.Number > 0 {
		subject += fmt.Sprintf(" [#%d]", t.Number) // the number to quote when calling the desk
	}
	head := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		s.From, m.To, mime.QEncoding.Encode("utf-8", subject))
	return []byte(head + body.String()), nil
}

// crlf turns a reply's newlines into the e-mail's.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// QueueUpdate queues an e-mail about entry e of ticket t, if t's requester
// has no account (they cannot follow it in the app) but an address: a
// visitor the desk filed a ticket for. Only public replies and status
// changes someone made go out; internal entries never do.
func QueueUpdate(tx store.Tx, t *shared.Ticket, e *shared.Entry, now time.Time) error {
	if t.RequesterID != "" || t.RequesterEmail == "" || e.Internal || e.AuthorID == "" ||
		(e.Kind != shared.EntryReply && e.Kind != shared.EntryStatus) {
		return nil
	}
	m := shared.Outmail{
		ID: e.ID, To: t.RequesterEmail, Name: t.RequesterName, Template: "mail.ticket_updated",
		TicketID: t.ID, EntryID: e.ID, Status: StatusQueued, CreatedAt: now.UnixMilli(),
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = tx.Put(shared.TypeOutmail, m.ID, b)
	return err
}
