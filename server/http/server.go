// Package http is Outpost's transport: the go-app handler that serves the app
// shell and prerendered pages, precompressed WebAssembly, the /ws sync
// websocket, /api/search and /healthz.
package http

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"outpost/server/auth"
	"outpost/server/metrics"
	outsync "outpost/server/sync"
	"outpost/shared"
)

// Server serves Outpost over HTTP(S).
type Server struct {
	Addr     string // host:port; port 0 picks a free one
	CertFile string // with KeyFile, serve HTTPS
	KeyFile  string
	Web      fs.FS // the files under /web/
	Sync     *outsync.Service
	Auth     *auth.Service // accounts and sessions
	// MinProtocol raises the oldest client protocol served above
	// wire.MinVersion (tests use it to make the running app outdated).
	MinProtocol int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (clientaddr.go); without them the header is ignored.
	TrustedProxies []netip.Prefix
	// Caps on open websockets per account and per address, how long a new
	// one may take to say hello, and the hourly quotas on signed-out
	// writes per address (zero: the defaults in limits.go).
	SocketsPerAccount int
	SocketsPerAddress int
	HelloTimeout      time.Duration
	AnonQuota         map[string]int
	// Quotas per account on new mutations, per account (or address,
	// signed out) on pulls, and per address on new websockets (zero: the
	// defaults in quotas.go; Unlimited: none).
	AccountWrites, Pulls, NewSockets Rate
	Log                              *slog.Logger
	// Metrics are the server's metrics (default: new ones); MetricsAddr,
	// if set, serves them on a listener of their own (metrics.go).
	Metrics     *metrics.Metrics
	MetricsAddr string
	// Ready, if set, is asked by GET /readyz after the store answered: an
	// error (its text is shown) makes the server not ready (health.go).
	Ready func(context.Context) error

	metricsLn  net.Listener
	metricsSrv *http.Server

	ln     net.Listener
	srv    *http.Server
	web    *webFiles
	mu     sync.Mutex
	ws     map[*wsConn]struct{}
	byAddr map[string]int // open websockets per address group
	byUser map[string]int // and per account
	shut   bool
	quota  *quota
	// accountWrites, pulls and newSockets are the quotas.go buckets.
	accountWrites, pulls, newSockets *buckets
	csp                              cspReports

	search *searcher
}

// Open starts listening and serving in the background.
func (s *Server) Open() error {
	web, err := newWebFiles(s.Web)
	if err != nil {
		return fmt.Errorf("read web files: %w", err)
	}
	s.web = web
	s.ws = make(map[*wsConn]struct{})
	s.byAddr, s.byUser = map[string]int{}, map[string]int{}
	if s.AnonQuota == nil {
		s.AnonQuota = DefaultAnonQuota
	}
	s.quota = newQuota(s.AnonQuota)
	s.accountWrites = newBuckets(rateOr(s.AccountWrites, DefaultAccountWrites))
	s.pulls = newBuckets(rateOr(s.Pulls, DefaultPulls))
	s.newSockets = newBuckets(rateOr(s.NewSockets, DefaultNewSockets))
	if s.Sync.Admit == nil {
		s.Sync.Admit = s.admit
	}
	if s.HelloTimeout <= 0 {
		s.HelloTimeout = DefaultHelloTimeout
	}
	s.search = newSearcher(s.Sync.Store)
	if s.Auth == nil {
		s.Auth = &auth.Service{Store: s.Sync.Store, Log: s.Log}
	}
	if s.Auth.OnSignOut == nil {
		s.Auth.OnSignOut = s.endSessions
	}
	if s.Auth.OnSignOutOthers == nil {
		s.Auth.OnSignOutOthers = s.endOtherSessions // account.go
	}

	if err := s.openMetrics(); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics) // metrics.go
	mux.HandleFunc("GET /readyz", s.handleReady)    // health.go
	mux.HandleFunc("GET /ws", s.handleWS)
	mux.HandleFunc("GET /api/search", s.handleSearch)
	mux.HandleFunc("POST /api/login", s.handleLogin)
	mux.HandleFunc("POST /api/logout", s.handleLogout)
	mux.HandleFunc("GET /api/me", s.handleMe)
	mux.HandleFunc("POST /api/kiosk/codes", s.handleKioskCode) // kiosk enrollment: see kiosk.go
	mux.HandleFunc("POST /api/kiosk/enroll", s.handleKioskEnroll)
	mux.HandleFunc("POST /api/kiosk/revoke", s.handleKioskRevoke)
	mux.HandleFunc("PUT /api/blobs/{sha}", s.handleBlobPut)        // attachments: see blob.go
	mux.HandleFunc("GET /api/blobs/{sha}", s.handleBlobGet)        // and HEAD
	mux.HandleFunc("POST /api/csp-report", s.handleCSPReport)      // headers.go
	mux.HandleFunc("POST /api/account/password", s.handlePassword) // account.go
	mux.HandleFunc("POST /api/account/signout-others", s.handleSignOutOthers)
	mux.HandleFunc("POST /api/account/devices", s.handleDevices)
	mux.Handle("/", s.appHandler())

	s.ln, err = net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	s.srv = &http.Server{
		Handler:           s.logRequests(s.secure(mux)), // logging.go, headers.go
		ReadHeaderTimeout: 10 * time.Second,
		// A request's body (a 256 KiB attachment chunk at most) and its
		// answer (app.wasm, 2 MB, on a slow link) get this long; sockets
		// upgraded to websockets set their own deadlines.
		ReadTimeout:  time.Minute,
		WriteTimeout: 3 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	go func() {
		var err error
		if s.CertFile != "" {
			err = s.srv.ServeTLS(s.ln, s.CertFile, s.KeyFile)
		} else {
			err = s.srv.Serve(s.ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("serve", "err", err)
		}
	}()
	return nil
}

// URL returns the address to open in a browser.
func (s *Server) URL() string {
	scheme := "http"
	if s.CertFile != "" {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// Version returns the app version: a hash of the web files.
func (s *Server) Version() string { return s.web.version }

// Close stops accepting, tells websocket clients the server is going away,
// and waits (up to ctx) for requests in flight.
func (s *Server) Close(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	s.mu.Lock()
	s.shut = true
	conns := make([]*wsConn, 0, len(s.ws))
	for c := range s.ws {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.shutdown()
	}
	err := s.srv.Shutdown(ctx)
	if s.metricsSrv != nil {
		err = errors.Join(err, s.metricsSrv.Shutdown(ctx))
	}
	for _, c := range conns {
		select {
		case <-c.done:
		case <-ctx.Done():
			c.ws.Close()
		}
	}
	return err
}

// track adds c to the open websockets. It returns errShut if the server
// is shutting down, and EFORBIDDEN ws.too_many if c's account or address
// holds as many as it may.
func (s *Server) track(c *wsConn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shut {
		return errShut
	}
	if !s.admitSocket(c) {
		return shared.Errorf(shared.EFORBIDDEN, "ws.too_many")
	}
	s.ws[c] = struct{}{}
	return nil
}

var errShut = errors.New("server shutting down")

func (s *Server) untrack(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ws[c]; ok {
		delete(s.ws, c)
		s.releaseSocket(c)
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, `{"status":"ok","version":%q}`+"\n", s.web.version)
}

// isAsset reports whether path is a file of the app shell rather than a page.
func isAsset(path string) bool {
	return strings.HasPrefix(path, "/web/") || strings.HasSuffix(path, ".js") ||
		strings.HasSuffix(path, ".css") || strings.HasSuffix(path, ".webmanifest")
}
