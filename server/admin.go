package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"outpost/server/backup"
)

// The admin socket. `outpost backup` reaches the running server through a
// unix socket in the data directory rather than an HTTP endpoint: whoever
// may read the data directory may already copy everything in it, so the
// file's permissions (0600, the service's user; root) are the right
// authority, with no credentials to issue, store or leak, nothing on the
// network, and it works whatever the proxy in front allows. It serves
// GET /backup (server/backup).

// AdminSocketName is the socket's file name in the data directory.
const AdminSocketName = "admin.sock"

func (m *Main) adminFlags(fs *flag.FlagSet) {
	fs.StringVar(&m.AdminSocket, "admin-socket", m.AdminSocket, "unix socket for `outpost backup`; default: "+AdminSocketName+" in the data directory; \"off\": none (env OUTPOST_ADMIN_SOCKET)")
}

// adminSocketPath returns where the admin socket goes, "" for none.
func (m *Main) adminSocketPath() string {
	switch {
	case m.AdminSocket == "off":
		return ""
	case m.AdminSocket != "":
		return m.AdminSocket
	case m.DataDir != "":
		return filepath.Join(m.DataDir, AdminSocketName)
	}
	return ""
}

// openAdmin listens on the admin socket. A server that cannot is still a
// portal: it says so loudly, and `outpost backup` will say it cannot reach
// it.
func (m *Main) openAdmin() {
	path := m.adminSocketPath()
	if path == "" {
		return
	}
	ln, err := listenAdmin(path)
	if err != nil {
		m.Log.Error("no admin socket: outpost backup cannot reach this server", "socket", path, "err", err)
		return
	}
	mux := http.NewServeMux()
	h := m.logBackup(backup.Handler(m.Store, func() backup.Header {
		return backup.Header{CreatedAt: m.Clock.Now().UnixMilli(), AppVersion: m.HTTP.Version()}
	}))
	mux.Handle("GET /backup", h)  // a full backup
	mux.Handle("POST /backup", h) // an incremental one: the body says since what
	m.admin = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.admin.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("admin socket", "err", err)
		}
	}()
}

// listenAdmin listens on a unix socket at path that only the server's
// user may use.
func listenAdmin(path string) (net.Listener, error) {
	if len(path) > 100 {
		return nil, fmt.Errorf("the path is %d bytes, more than a unix socket's name can hold: set -admin-socket", len(path))
	}
	// A socket left by a server that was killed: nobody listens on it.
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, errors.New("another server listens on it")
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

func (m *Main) logBackup(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := m.Clock.Now()
		incremental := r.Method == http.MethodPost
		m.Log.Info("backup started", "incremental", incremental)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			took := m.Clock.Since(began).Milliseconds()
			if p := recover(); p != nil {
				m.Metrics.Backup(false, m.Clock.Now())
				m.Log.Error("backup failed", "incremental", incremental, "duration_ms", took)
				panic(p)
			}
			if sw.status != 0 && sw.status != http.StatusOK {
				m.Metrics.Backup(false, m.Clock.Now())
				m.Log.Warn("backup refused", "incremental", incremental, "status", sw.status)
				return
			}
			m.Metrics.Backup(true, m.Clock.Now())
			m.Log.Info("backup sent", "incremental", incremental, "bytes", sw.bytes, "duration_ms", took)
		}()
		h.ServeHTTP(sw, r)
	})
}

// statusWriter notes a response's status and size.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// closeAdmin stops the admin socket, ending backups in flight.
func (m *Main) closeAdmin(ctx context.Context) error {
	if m.admin == nil {
		return nil
	}
	err := m.admin.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = m.admin.Close()
	}
	return err
}

// ready is the server's own readiness check (/readyz): no restore into
// its data directory is under way.
func (m *Main) ready(context.Context) error {
	if err := backup.CheckDir(m.DataDir); err != nil {
		return errors.New("a restore into the data directory has not finished")
	}
	return nil
}
