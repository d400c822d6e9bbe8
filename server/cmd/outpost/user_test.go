package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"outpost/server/auth"
	"outpost/server/badger"
	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
)

// userNow is the time on the user command's clock in these tests: never
// the wall clock's.
var userNow = time.Now().AddDate(0, 0, -1000).Truncate(time.Millisecond)

// user runs `outpost user args...` with stdin, on a clock that reads
// userNow, and returns its exit status and output.
func user(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = runUser(context.Background(), args, strings.NewReader(stdin), &out, &errs, clock.NewFake(userNow))
	return code, out.String(), errs.String()
}

func TestUserCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // made by the first add
	const pw = "correct horse battery staple\n"

	for _, args := range [][]string{
		{"add", "-data", dir, "--admin", "--name", "Ana Admin", "Ana@Example.com"},
		{"add", "luis@example.com", "-data", dir, "--agent", "--tier", "2", "--group", "network", "--group", "field"},
		{"add", "-data", dir, "--kiosk", "--site", "lobby", "--password-stdin", "lobby@example.com"},
		{"add", "-data", dir, "rita@example.com"},
	} {
		if code, out, errs := user(t, pw, args...); code != 0 || !strings.HasPrefix(out, "added ") {
			t.Fatalf("user %q = %d, %q, %q; want added", args, code, out, errs)
		}
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // in stderr
	}{
		{"same e-mail", pw, []string{"add", "-data", dir, "ANA@example.com"}, 1, "There is already an account with the e-mail address ana@example.com."},
		{"short password", "short\n", []string{"add", "-data", dir, "bob@example.com"}, 1, "The password must be at least 10 characters long."},
		{"no password", "", []string{"add", "-data", dir, "bob@example.com"}, 1, "no password given"},
		{"two roles", pw, []string{"add", "-data", dir, "--admin", "--agent", "bob@example.com"}, 1, "give one role"},
		{"agent without tier", pw, []string{"add", "-data", dir, "--agent", "bob@example.com"}, 1, "An agent's tier must be 1, 2 or 3, not 0."},
		{"bad e-mail", pw, []string{"add", "-data", dir, "bob"}, 1, `"bob" is not a valid e-mail address.`},
		{"no e-mail", pw, []string{"add", "-data", dir}, 2, "usage: outpost user"},
		{"unknown flag", pw, []string{"add", "-data", dir, "--root", "bob@example.com"}, 2, "flag provided but not defined: -root"},
		{"unknown user", "", []string{"disable", "-data", dir, "bob@example.com"}, 1, "There is no account with the e-mail address bob@example.com."},
		{"unknown command", "", []string{"delete", "bob@example.com"}, 2, `unknown command "delete"`},
		{"missing data directory", "", []string{"list", "-data", filepath.Join(dir, "nope")}, 1, "no data directory"},
	}
	for _, tt := range tests {
		code, _, errs := user(t, tt.stdin, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("%s: user %q = %d, stderr %q; want %d and %q", tt.name, tt.args, code, errs, tt.code, tt.want)
		}
	}

	if code, out, errs := user(t, "", "disable", "rita@example.com", "-data", dir); code != 0 || !strings.Contains(out, "disabled rita@example.com") {
		t.Fatalf("user disable = %d, %q, %q", code, out, errs)
	}
	code, out, errs := user(t, "", "list", "-data", dir)
	if code != 0 {
		t.Fatalf("user list = %d, %q", code, errs)
	}
	wantRows := [][]string{
		{"EMAIL", "ROLE", "STATUS", "NAME", "CREATED"},
		{"ana@example.com", "admin", "active", "Ana", "Admin"},
		{"lobby@example.com", "kiosk,", "site", "lobby", "active"},
		{"luis@example.com", "agent,", "tier", "2,", "groups", "field+network", "active"},
		{"rita@example.com", "requester", "disabled"},
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(wantRows) {
		t.Fatalf("user list printed %d lines; want %d:\n%s", len(lines), len(wantRows), out)
	}
	for i, want := range wantRows {
		if got := strings.Fields(lines[i]); len(got) < len(want) || strings.Join(got[:len(want)], " ") != strings.Join(want, " ") {
			t.Errorf("user list line %d = %q; want it to start with %q", i, lines[i], want)
		}
	}

	if code, out, _ := user(t, "", "enable", "-data", dir, "rita@example.com"); code != 0 || !strings.Contains(out, "enabled rita@example.com") {
		t.Errorf("user enable = %d, %q", code, out)
	}

	// The accounts sign in with the password from stdin (without its line
	// ending), and the new data directory got the demo knowledge base.
	db, err := badger.Open(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &auth.Service{Store: db}
	for _, e := range []string{"ana@example.com", "rita@example.com"} {
		if _, u, err := s.Login(context.Background(), e, strings.TrimSpace(pw), "127.0.0.1"); err != nil || u.Email != e {
			t.Errorf("Login(%s) = %+v, %v", e, u, err)
		}
	}
	articles := 0
	db.View(context.Background(), func(tx store.ReadTx) error {
		return tx.Each("article", func(id string, data []byte) error {
			articles++
			var a shared.Article
			if err := json.Unmarshal(data, &a); err != nil || a.UpdatedAt != userNow.UnixMilli() {
				t.Errorf("article %s stamped %v, %v; want the command's clock, %v", id, time.UnixMilli(a.UpdatedAt), err, userNow)
			}
			return nil
		})
	})
	if articles == 0 {
		t.Errorf("the data directory made by user add has no articles; serve would have loaded the demo knowledge base")
	}
}

// TestUserOnPostgres: -store manages the accounts of a portal kept in
// PostgreSQL, with the demo knowledge base loaded into an empty one as
// serve would.
func TestUserOnPostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	code := runUser(ctx, []string{"add", "-store", dsn, "--admin", "--name", "Ana Admin", "--password-stdin", "ana@example.com"}, strings.NewReader("correct horse battery staple\n"), &out, &errOut, clock.NewFake(userNow))
	if code != 0 {
		t.Fatalf("user add -store: exit %d, %s", code, errOut.String())
	}
	out.Reset()
	if code := runUser(ctx, []string{"list", "-store", dsn}, nil, &out, &errOut, clock.NewFake(userNow)); code != 0 || !strings.Contains(out.String(), "ana@example.com") {
		t.Fatalf("user list -store: exit %d, %q, %s", code, out.String(), errOut.String())
	}
	errOut.Reset()
	if code := runUser(ctx, []string{"list", "-store", "postgres://x@127.0.0.1:1/none?connect_timeout=2"}, nil, &out, &errOut, clock.NewFake(userNow)); code != 1 || !strings.Contains(errOut.String(), "cannot reach PostgreSQL at 127.0.0.1:1/none") {
		t.Fatalf("user list on an unreachable store: exit %d, %s", code, errOut.String())
	}
}
