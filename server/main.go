// Package server wires Outpost's server together: flags and environment,
// the store (Badger, or PostgreSQL shared by several nodes), the demo data, the sync service and the HTTP server.
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
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	gosync "sync"
	"time"

	"outpost/server/auth"
	"outpost/server/backup"
	"outpost/server/badger"
	serverhttp "outpost/server/http"
	"outpost/server/mail"
	"outpost/server/metrics"
	"outpost/server/postgres"
	"outpost/server/seed"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared/clock"
	"outpost/web"
)

// Main is the `outpost serve` program.
type Main struct {
	Addr    string
	DataDir string
	// StoreURL, a postgres:// URL, keeps the data in PostgreSQL, where
	// several nodes may share it (OUTPOST_STORE); empty: Badger in DataDir.
	StoreURL string
	CertFile string
	KeyFile  string
	// Demo adds demo accounts (seed.DemoUsers) to a portal with none.
	Demo bool
	// DemoPublic lets Demo serve on an address other than loopback, where
	// anyone who knows the published demo passwords can sign in as admin.
	DemoPublic bool
	// SLAZone is the time zone of the default business-hours calendar,
	// stored when the portal has none (OUTPOST_SLA_ZONE).
	SLAZone string
	// SMTPAddr (host:port) and MailFrom send the e-mails queued for
	// visitors without an account; without SMTPAddr they stay queued.
	SMTPAddr, MailFrom string
	// VisitorRetention is how long a kiosk visitor's name and e-mail
	// address outlive their visit; 0 keeps them.
	VisitorRetention time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client, for sign-in limits and connection caps
	// (OUTPOST_TRUSTED_PROXY, -trusted-proxy).
	TrustedProxies string
	// AnonQuota overrides the hourly quotas on signed-out writes per
	// address (serverhttp.DefaultAnonQuota when nil; empty: none), for
	// tests whose many signed-out devices share one loopback address.
	AnonQuota map[string]int
	// AckDelay holds every acknowledgement back after its mutation is
	// committed: a fault-injection window for tests (OUTPOST_FAULT_ACK_DELAY).
	AckDelay time.Duration
	Web      fs.FS
	Log      *slog.Logger
	// Clock is the one clock of the server (default the wall clock): the
	// store's expiry, sessions, sign-in limits, SLAs, retention, mail and
	// the sockets' timers all follow it.
	Clock clock.Clock
	// MetricsAddr, if set, serves /metrics without authentication on a
	// listener of its own (OUTPOST_METRICS_ADDR); /metrics on Addr is for
	// admins only either way.
	MetricsAddr string
	Metrics     *metrics.Metrics
	// AdminSocket is the unix socket `outpost backup` uses (admin.go).
	AdminSocket string
	admin       *http.Server

	Store store.Store
	HTTP  *serverhttp.Server
	Sync  *outsync.Service
	Auth  *auth.Service

	stopSLA func() // stops the background jobs (SLA clock, mail sender, retention, following other nodes) and waits for them
}

// NewMain returns a Main with defaults from the environment.
func NewMain() *Main {
	return &Main{
		Addr:     envOr("OUTPOST_ADDR", "127.0.0.1:8080"),
		DataDir:  envOr("OUTPOST_DATA", "./data"),
		StoreURL: os.Getenv("OUTPOST_STORE"),
		SLAZone:  envOr("OUTPOST_SLA_ZONE", "Europe/Madrid"),
		SMTPAddr: os.Getenv("OUTPOST_SMTP"),

		TrustedProxies: os.Getenv("OUTPOST_TRUSTED_PROXY"),
		MailFrom:       envOr("OUTPOST_MAIL_FROM", "outpost@localhost"),
		Web:            web.Files,
		Log:            slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Clock:          clock.Real{},

		MetricsAddr:      os.Getenv("OUTPOST_METRICS_ADDR"),
		AdminSocket:      os.Getenv("OUTPOST_ADMIN_SOCKET"),
		VisitorRetention: outsync.DefaultVisitorRetention,
	}
}

// loopback says whether addr (host:port) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
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
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory, created if missing (env OUTPOST_DATA); unused with -store")
	fs.StringVar(&m.StoreURL, "store", m.StoreURL, "postgres://user:password@host:port/database to keep the data in PostgreSQL, shared by several nodes (env OUTPOST_STORE); default: Badger in -data")
	fs.StringVar(&m.CertFile, "tls-cert", m.CertFile, "TLS certificate file (PEM); with -tls-key, serve HTTPS")
	fs.StringVar(&m.KeyFile, "tls-key", m.KeyFile, "TLS private key file (PEM)")
	fs.StringVar(&m.SLAZone, "sla-zone", m.SLAZone, "time zone of the default SLA calendar, if none is stored (env OUTPOST_SLA_ZONE)")
	fs.StringVar(&m.SMTPAddr, "smtp", m.SMTPAddr, "SMTP server host:port for e-mails to visitors without an account (env OUTPOST_SMTP); none: they stay queued")
	fs.StringVar(&m.MailFrom, "mail-from", m.MailFrom, "From address of those e-mails (env OUTPOST_MAIL_FROM)")
	fs.DurationVar(&m.VisitorRetention, "visitor-retention", m.VisitorRetention, "how long a kiosk visitor's name and e-mail address are kept after the visit ends; 0: kept")
	fs.BoolVar(&m.Demo, "demo", m.Demo, "add demo accounts (password "+seed.DemoPassword+") if there is no account yet")
	fs.StringVar(&m.MetricsAddr, "metrics-addr", m.MetricsAddr, "also serve /metrics without authentication on this host:port, for Prometheus; bind it to loopback or a private network (env OUTPOST_METRICS_ADDR)")
	fs.StringVar(&m.TrustedProxies, "trusted-proxy", m.TrustedProxies, "CIDRs of reverse proxies whose X-Forwarded-For names the client, comma-separated (env OUTPOST_TRUSTED_PROXY); none: the header is ignored")
	fs.BoolVar(&m.DemoPublic, "demo-public", m.DemoPublic, "with -demo, serve on an address other than loopback although anyone may sign in with the published demo passwords")
	m.adminFlags(fs)
	var logs logFlags
	logs.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := serverhttp.ParseTrustedProxies(m.TrustedProxies); err != nil {
		return fmt.Errorf("-trusted-proxy: %w", err)
	}
	if m.Demo && !m.DemoPublic && !loopback(m.Addr) {
		return fmt.Errorf("-demo adds accounts whose password (%s) is published: on %s anyone who can reach the server could sign in as admin; serve on 127.0.0.1, or add -demo-public if that is really wanted", seed.DemoPassword, m.Addr)
	}
	log, err := logs.logger(os.Stderr)
	if err != nil {
		return err
	}
	m.Log = log
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkStoreURL(m.StoreURL); err != nil {
		return err
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

// checkStoreURL accepts an empty -store (Badger) or a PostgreSQL URL.
func checkStoreURL(u string) error {
	if u == "" || strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return nil
	}
	return errors.New("-store: want a postgres:// URL, or nothing to keep the data in -data")
}

// openStore opens PostgreSQL if StoreURL says so, otherwise Badger in
// DataDir. It also says where the data is, for the log.
func (m *Main) openStore(ctx context.Context) (store.Store, string, error) {
	if err := checkStoreURL(m.StoreURL); err != nil {
		return nil, "", err
	}
	if m.StoreURL != "" {
		db, err := postgres.Open(ctx, m.StoreURL, m.Log, postgres.WithClock(m.Clock))
		if err != nil {
			return nil, "", err
		}
		return db, "postgres://" + db.Where(), nil
	}
	if m.DataDir != "" {
		if err := os.MkdirAll(m.DataDir, 0o750); err != nil {
			return nil, "", fmt.Errorf("create data directory: %w", err)
		}
	}
	if err := backup.CheckDir(m.DataDir); err != nil {
		return nil, "", err
	}
	db, err := badger.Open(m.DataDir, m.Log, badger.WithClock(m.Clock.Now), badger.WithBatchObserver(m.Metrics.Batch))
	if err != nil {
		return nil, "", err
	}
	return db, m.DataDir, nil
}

// exclusive runs fn alone among the nodes sharing the store (start-up
// seeding: two nodes starting on an empty database store defaults once).
func (m *Main) exclusive(ctx context.Context, name string, fn func(context.Context) error) error {
	if sh, ok := m.Store.(store.Shared); ok {
		return sh.Exclusive(ctx, name, fn)
	}
	return fn(ctx)
}

// Run opens the store, seeds demo data into an empty one, and starts
// serving. It returns once the server is listening.
func (m *Main) Run(ctx context.Context) (err error) {
	m.Clock = clock.Or(m.Clock)
	if m.Metrics == nil {
		m.Metrics = metrics.New()
	}
	var where string
	if m.Store, where, err = m.openStore(ctx); err != nil {
		return err
	}
	if sz, ok := m.Store.(store.Sizer); ok {
		m.Metrics.StoreSize(sz.DiskSize)
	}
	m.Auth = &auth.Service{Store: m.Store, Log: m.Log, Clock: m.Clock}
	m.Sync = &outsync.Service{Store: m.Store, Log: m.Log, Clock: m.Clock, Observe: m.Metrics}
	if err := m.exclusive(ctx, "start", m.seed); err != nil {
		return err
	}
	if m.AckDelay > 0 {
		m.Sync.AfterApply = func(client string, seq uint64) {
			m.Log.Info("mutation applied; its ack is held back (OUTPOST_FAULT_ACK_DELAY)", "client", client, "seq", seq, "delay", m.AckDelay)
			time.Sleep(m.AckDelay)
		}
	}
	m.HTTP = &serverhttp.Server{
		Addr: m.Addr, CertFile: m.CertFile, KeyFile: m.KeyFile,
		Web: m.Web, Sync: m.Sync, Auth: m.Auth, Log: m.Log,
		Metrics: m.Metrics, MetricsAddr: m.MetricsAddr, Ready: m.ready,
		AnonQuota: m.AnonQuota,
	}
	if m.HTTP.TrustedProxies, err = serverhttp.ParseTrustedProxies(m.TrustedProxies); err != nil {
		return fmt.Errorf("-trusted-proxy: %w", err)
	}
	if err := m.HTTP.Open(); err != nil {
		return err
	}
	m.openAdmin() // admin.go
	// The background jobs. On a store several nodes share, each periodic
	// job runs on exactly one node at a time (store.Shared.Lead: the one
	// holding its lock; another takes over if that node goes), and every
	// node follows the others' changes to poke its own connections.
	jobs, stopJobs := context.WithCancel(context.Background())
	var wg gosync.WaitGroup
	multi, _ := m.Store.(store.Shared)
	run := func(lead string, fn func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if multi != nil && lead != "" {
				multi.Lead(jobs, lead, fn)
			} else {
				fn(jobs)
			}
		}()
	}
	sender := &mail.Sender{Store: m.Store, Addr: m.SMTPAddr, From: m.MailFrom, Log: m.Log, Clock: m.Clock}
	wake, stopWake := m.Sync.Watch()
	m.stopSLA = func() { stopJobs(); wg.Wait(); stopWake() }
	if m.SMTPAddr != "" {
		// Without an SMTP server the e-mails wait in the queue: no job, so
		// no node holds (and keeps retaking) its lock for nothing.
		run("mail", func(ctx context.Context) { sender.Run(ctx, 30*time.Second, wake) })
	}
	run("sla", func(ctx context.Context) { m.Sync.RunSLA(ctx, time.Minute) }) // server/sync/sla.go
	// The search related-words table: server/sync/related.go.
	run("related", func(ctx context.Context) { m.Sync.RunRelated(ctx, 3*time.Second) })
	if m.VisitorRetention > 0 {
		// Visitor data past retention: server/sync/retention.go.
		run("retention", func(ctx context.Context) { m.Sync.RunRetention(ctx, m.VisitorRetention, time.Hour) })
	}
	if multi != nil {
		run("", func(ctx context.Context) { m.Sync.Follow(ctx, multi) }) // server/sync/follow.go
	}
	m.Log.Info("Outpost is running: open "+m.HTTP.URL(), "data", where, "version", m.HTTP.Version())
	return nil
}

// seed stores what an empty portal needs (and the demo data with -demo),
// and puts the stored category tree in use on m.Sync.
func (m *Main) seed(ctx context.Context) error {
	// The stored category tree first: a store whose tree does not load is
	// refused before anything is written. (seed.IfEmpty imports the demo
	// articles into an empty store only, checked against the default tree.)
	if err := m.Sync.LoadCategories(ctx); err != nil {
		return fmt.Errorf("load the category tree: %w", err)
	}
	n, err := seed.IfEmpty(ctx, m.Store, m.Clock.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	if n > 0 {
		m.Log.Info("loaded demo knowledge base", "articles", n)
	}
	// After the demo data: seed.IfEmpty seeds an empty store only.
	if seeded, err := m.Sync.SeedCategories(ctx); err != nil {
		return fmt.Errorf("store the default category tree: %w", err)
	} else if seeded {
		m.Log.Info("stored the default category tree")
	}
	if n, err := seed.Trees(ctx, m.Store, m.Sync.Categories()); err != nil {
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
	if m.Demo {
		if n, err := seed.Users(ctx, m.Auth); err != nil {
			return fmt.Errorf("seed demo accounts: %w", err)
		} else if n > 0 {
			m.Log.Info("added demo accounts", "accounts", n, "password", seed.DemoPassword)
		}
	}
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
	errs = append(errs, m.closeAdmin(ctx))
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Close(ctx))
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}
