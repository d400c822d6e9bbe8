package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL cluster of one test's own, made with Debian's
// binaries as .ci/with-postgres makes the shared one (initdb in a
// directory under /tmp, as the postgres user when the test runs as root,
// a free loopback port), for tests that stop, restart or promote it:
// failover and an unreachable database. It is configured for streaming
// replication, so Standby can copy it. It is stopped and deleted when the
// test ends.
type Server struct {
	t     testing.TB
	bin   string
	dir   string   // data/, the socket and server.log
	owner []string // runuser -u postgres -- when root: initdb refuses root
	port  int
	opts  string // the settings it is started with
	// URL is the superuser's database, as OUTPOST_TEST_POSTGRES is.
	URL string
}

// Bin returns the directory of PostgreSQL's programs, skipping the test
// without them (failing it under CI), as Cluster does without a cluster.
func Bin(t testing.TB) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorOf(a) - majorOf(b) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_basebackup")); err == nil {
			return dirs[i]
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("PostgreSQL's programs (initdb, pg_ctl, pg_basebackup) are missing under CI: install Debian's postgresql (make test does when root)")
	}
	t.Skip("PostgreSQL's programs are missing: no cluster to start (sudo apt-get install postgresql)")
	return ""
}

func majorOf(bindir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return n
}

// Start initdb's a cluster ready to stream its WAL to standbys and starts
// it. settings are more `-c name=value` options, such as
// synchronous_standby_names.
func Start(t testing.TB, settings ...string) *Server {
	t.Helper()
	s := newServer(t)
	s.run("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	hba, err := os.OpenFile(filepath.Join(s.data(), "pg_hba.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(hba, "host replication all 127.0.0.1/32 trust")
	hba.Close()
	s.opts = strings.Join(append([]string{"-c wal_level=replica -c max_wal_senders=10 -c fsync=off"}, prefixEach("-c ", settings)...), " ")
	s.start()
	return s
}

func prefixEach(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

// Standby makes a streaming standby of s with pg_basebackup -R (which
// writes primary_conninfo and standby.signal), starts it on a port of its
// own, and returns it once it accepts read-only connections.
func (s *Server) Standby(t testing.TB) *Server {
	t.Helper()
	st := newServer(t)
	st.run("pg_basebackup", "-D", st.data(), "-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "postgres",
		"-R", "-X", "stream", "-c", "fast", "--no-sync")
	st.opts = s.opts + " -c hot_standby=on -c hot_standby_feedback=on"
	st.start()
	return st
}

func newServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, bin: Bin(t)}
	// Under /tmp, not t.TempDir: the postgres user must reach it.
	dir, err := os.MkdirTemp("/tmp", "outpost-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL must run as the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		s.owner = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		s.pgctl("-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	return s
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// run runs one of PostgreSQL's programs as the cluster's owner, failing
// the test with its output if it fails.
func (s *Server) run(prog string, args ...string) {
	s.t.Helper()
	if out, err := s.command(prog, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
}

func (s *Server) command(prog string, args ...string) *exec.Cmd {
	argv := append(append(slices.Clone(s.owner), filepath.Join(s.bin, prog)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (s *Server) pgctl(args ...string) error {
	args = append([]string{"-D", s.data(), "-w", "-t", "60"}, args...)
	out, err := s.command("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the cluster on a free port, the first time; on the same
// port afterwards, so URL stays right.
func (s *Server) start() {
	s.t.Helper()
	var err error
	for range 8 {
		port := s.port
		if port == 0 {
			port = freePort(s.t)
		}
		err = s.pgctl("-l", filepath.Join(s.dir, "server.log"),
			"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 %s", port, s.dir, s.opts), "start")
		if err == nil {
			s.port = port
			s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
			return
		}
		if s.port != 0 {
			break
		}
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	s.t.Fatalf("start PostgreSQL: %v\n%s", err, log)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Stop shuts the cluster down: "fast" ends the sessions and shuts down
// cleanly, "immediate" is a crash (the WAL is replayed at the next start).
func (s *Server) Stop(mode string) {
	s.t.Helper()
	if err := s.pgctl("-m", mode, "stop"); err != nil {
		s.t.Fatal(err)
	}
}

// Restart starts a stopped cluster again, on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	s.start()
}

// Promote makes a standby a primary (pg_ctl promote, which waits until it
// accepts writes): it leaves recovery on a new timeline.
func (s *Server) Promote() {
	s.t.Helper()
	if err := s.pgctl("promote"); err != nil {
		s.t.Fatal(err)
	}
}

// Connect opens a connection to database db ("" for the superuser's) of
// the cluster, closed when the test ends.
func (s *Server) Connect(db string) *pgx.Conn {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.DB(db))
	if err != nil {
		s.t.Fatalf("connect to %s: %v", s.DB(db), err)
	}
	s.t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// DB returns the URL of database db of the cluster ("" for the
// superuser's).
func (s *Server) DB(db string) string {
	if db == "" {
		return s.URL
	}
	return strings.Replace(s.URL, "/postgres?", "/"+db+"?", 1)
}

// Port is the loopback port the cluster listens on.
func (s *Server) Port() int { return s.port }

// CreateDB creates database name in the cluster and returns its URL.
func (s *Server) CreateDB(name string) string {
	s.t.Helper()
	if _, err := s.Connect("").Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		s.t.Fatalf("create database %s: %v", name, err)
	}
	return s.DB(name)
}

// WaitReplayed waits until the standby s has replayed everything primary
// has written so far.
func (s *Server) WaitReplayed(primary *Server) {
	s.t.Helper()
	ctx := context.Background()
	var lsn string
	if err := primary.Connect("").QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
		s.t.Fatal(err)
	}
	c := s.Connect("")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var done bool
		if err := c.QueryRow(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn).Scan(&done); err != nil {
			s.t.Fatal(err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the standby has not replayed the primary's WAL up to %s in 20 s", lsn)
		}
	}
}
