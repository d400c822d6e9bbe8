// Package server wires Outpost's server together: flags and environment,
// the Badger store, the demo data, the sync service and the HTTP server.
// cmd/outpost is a thin shell around Main, and the e2e tests start Main
// in-process on 127.0.0.1:0 with a temporary data directory.
package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"outpost/server/auth"
	"outpost/server/badger"
	serverhttp "outpost/server/http"
	"outpost/server/mail"
	"outpost/server/seed"
	outsync "outpost/server/sync"
	"outpost/web"
)

// Main is the `outpost serve` program.
type Main struct {
	Addr     string
	DataDir  string
	CertFile string
	KeyFile  string
	// Demo adds demo accounts (seed.DemoUsers) to a portal with none.
	Demo bool
	// SLAZone is the time zone of the default business-hours calendar,
	// stored when the portal has none (OUTPOST_SLA_ZONE).
	SLAZone string
	// SMTPAddr (host:port) and MailFrom send the e-mails queued for
	// visitors without an account; without SMTPAddr they stay queued.
	SMTPAddr, MailFrom string
	// VisitorRetention is how long a kiosk visitor's name and e-mail
	// address outlive their visit; 0 keeps them.
	VisitorRetention time.Duration
	// AckDelay holds every acknowledgement back after its mutation is
	// committed: a fault-injection window for tests (OUTPOST_FAULT_ACK_DELAY).
	AckDelay time.Duration
	Web      fs.FS
	Log      *slog.Logger
	// Now is the one clock of the server (default time.Now): the store's
	// expiry, sessions, SLAs, retention and mail all read it.
	Now func() time.Time

	Store *badger.DB
	HTTP  *serverhttp.Server
	Sync  *outsync.Service
	Auth  *auth.Service

	stopSLA func() // stops the SLA clock, the mail sender and the retention job, and waits for them
}

// NewMain returns a Main with defaults from the environment.
func NewMain() *Main {
	return &Main{
		Addr:     envOr("OUTPOST_ADDR", "127.0.0.1:8080"),
		DataDir:  envOr("OUTPOST_DATA", "./data"),
		SLAZone:  envOr("OUTPOST_SLA_ZONE", "Europe/Madrid"),
		SMTPAddr: os.Getenv("OUTPOST_SMTP"),
		MailFrom: envOr("OUTPOST_MAIL_FROM", "outpost@localhost"),
		Web:      web.Files,
		Log:      slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Now:      time.Now,

		VisitorRetention: outsync.DefaultVisitorRetention,
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// ParseFlags reads the flags of `outpost serve`.
func (m *Main) ParseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("outpost serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&m.Addr, "addr", m.Addr, "address to listen on, host:port (env OUTPOST_ADDR)")
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory, created if missing (env OUTPOST_DATA)")
	fs.StringVar(&m.CertFile, "tls-cert", m.CertFile, "TLS certificate file (PEM); with -tls-key, serve HTTPS")
	fs.StringVar(&m.KeyFile, "tls-key", m.KeyFile, "TLS private key file (PEM)")
	fs.StringVar(&m.SLAZone, "sla-zone", m.SLAZone, "time zone of the default SLA calendar, if none is stored (env OUTPOST_SLA_ZONE)")
	fs.StringVar(&m.SMTPAddr, "smtp", m.SMTPAddr, "SMTP server host:port for e-mails to visitors without an account (env OUTPOST_SMTP); none: they stay queued")
	fs.StringVar(&m.MailFrom, "mail-from", m.MailFrom, "From address of those e-mails (env OUTPOST_MAIL_FROM)")
	fs.DurationVar(&m.VisitorRetention, "visitor-retention", m.VisitorRetention, "how long a kiosk visitor's name and e-mail address are kept after the visit ends; 0: kept")
	fs.BoolVar(&m.Demo, "demo", m.Demo, "add demo accounts (password "+seed.DemoPassword+") if there is no account yet")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if m.VisitorRetention < 0 {
		return errors.New("-visitor-retention cannot be negative")
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if d := os.Getenv("OUTPOST_FAULT_ACK_DELAY"); d != "" {
		delay, err := time.ParseDuration(d)
		if err != nil {
			return fmt.Errorf("OUTPOST_FAULT_ACK_DELAY: %w", err)
		}
		m.AckDelay = delay
	}
	return nil
}

// Run opens the store, seeds demo data into an empty one, and starts
// serving. It returns once the server is listening.
func (m *Main) Run(ctx context.Context) (err error) {
	if m.DataDir != "" {
		if err := os.MkdirAll(m.DataDir, 0o750); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Store, err = badger.Open(m.DataDir, m.Log, badger.WithClock(m.Now)); err != nil {
		return err
	}
	// The stored category tree first: articles are checked against it.
	if err := outsync.LoadCategories(ctx, m.Store); err != nil {
		return fmt.Errorf("load the category tree: %w", err)
	}
	n, err := seed.IfEmpty(ctx, m.Store, m.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	if n > 0 {
		m.Log.Info("loaded demo knowledge base", "articles", n)
	}
	// After the demo data: seed.IfEmpty seeds an empty store only.
	if seeded, err := outsync.SeedCategories(ctx, m.Store); err != nil {
		return fmt.Errorf("store the default category tree: %w", err)
	} else if seeded {
		m.Log.Info("stored the default category tree")
	}
	if n, err := seed.Trees(ctx, m.Store); err != nil {
		m.Log.Warn("some demo troubleshooting trees were not loaded", "loaded", n, "err", err)
	} else if n > 0 {
		m.Log.Info("loaded demo troubleshooting trees", "trees", n)
	}
	if n, err := outsync.SeedSLA(ctx, m.Store, m.SLAZone); err != nil {
		return fmt.Errorf("store the default SLA calendar and policy: %w", err)
	} else if n > 0 {
		m.Log.Info("stored the default SLA calendar and policy", "zone", m.SLAZone)
	}
	if n, err := outsync.NumberTickets(ctx, m.Store); err != nil {
		return fmt.Errorf("number the tickets filed before ticket numbers: %w", err)
	} else if n > 0 {
		m.Log.Info("numbered tickets filed before ticket numbers", "tickets", n)
	}
	m.Auth = &auth.Service{Store: m.Store, Log: m.Log, Now: m.Now}
	if m.Demo {
		if n, err := seed.Users(ctx, m.Auth); err != nil {
			return fmt.Errorf("seed demo accounts: %w", err)
		} else if n > 0 {
			m.Log.Info("added demo accounts", "accounts", n, "password", seed.DemoPassword)
		}
	}
	m.Sync = &outsync.Service{Store: m.Store, Log: m.Log, Now: m.Now}
	if m.AckDelay > 0 {
		m.Sync.AfterApply = func(client string, seq uint64) {
			m.Log.Info("mutation applied; its ack is held back (OUTPOST_FAULT_ACK_DELAY)", "client", client, "seq", seq, "delay", m.AckDelay)
			time.Sleep(m.AckDelay)
		}
	}
	m.HTTP = &serverhttp.Server{
		Addr: m.Addr, CertFile: m.CertFile, KeyFile: m.KeyFile,
		Web: m.Web, Sync: m.Sync, Auth: m.Auth, Log: m.Log,
	}
	if err := m.HTTP.Open(); err != nil {
		return err
	}
	slaCtx, stopSLA := context.WithCancel(context.Background())
	slaDone := make(chan struct{})
	mailDone := make(chan struct{})
	sender := &mail.Sender{Store: m.Store, Addr: m.SMTPAddr, From: m.MailFrom, Log: m.Log, Now: m.Now}
	wake, stopWake := m.Sync.Watch()
	go func() { defer close(mailDone); defer stopWake(); sender.Run(slaCtx, 30*time.Second, wake) }()
	retentionDone := make(chan struct{})
	m.stopSLA = func() { stopSLA(); <-slaDone; <-mailDone; <-retentionDone }
	go func() { defer close(slaDone); m.Sync.RunSLA(slaCtx, time.Minute) }() // server/sync/sla.go
	// Visitor data past retention: server/sync/retention.go.
	go func() {
		defer close(retentionDone)
		if m.VisitorRetention > 0 {
			m.Sync.RunRetention(slaCtx, m.VisitorRetention, time.Hour)
		}
	}()
	m.Log.Info("Outpost is running: open "+m.HTTP.URL(), "data", m.DataDir, "version", m.HTTP.Version())
	return nil
}

// Close stops serving, closing websockets, then closes the store.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if m.stopSLA != nil {
		m.stopSLA()
	}
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Close(ctx))
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}
