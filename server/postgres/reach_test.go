package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"outpost/server/store"
	"outpost/shared/clock"
)

func TestCannotReach(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", fmt.Errorf("begin: %w", refused), true},
		{"broken mid-statement", fmt.Errorf("commit: %w", io.ErrUnexpectedEOF), true},
		{"shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection exception", &pgconn.PgError{Code: "08006"}, true},
		{"a standby refusing writes", &pgconn.PgError{Code: "25006"}, true},
		{"a unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"a refusal of Outpost's", errors.New("record.not_found"), false},
		{"canceled", context.Canceled, false},
	} {
		if got := cannotReach(c.err); got != c.want {
			t.Errorf("cannotReach(%s: %v) = %v; want %v", c.name, c.err, got, c.want)
		}
	}
}

// TestOutageLoggedOnce: however many calls fail while PostgreSQL cannot
// be reached, the log says so once, and once that it answers again, with
// how long the outage lasted on the store's clock; the errors meanwhile
// wrap store.ErrUnavailable, other errors pass as they are.
func TestOutageLoggedOnce(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	fc := clock.NewFake(time.Unix(1_000_000, 0))
	d := &DB{log: slog.New(slog.NewTextHandler(&log, nil)), where: "db:5432/outpost", clock: fc}
	down := fmt.Errorf("begin: %w", io.ErrUnexpectedEOF)
	for range 100 {
		if err := d.seen(down); !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("seen(%v) = %v; want it wrapped in store.ErrUnavailable", down, err)
		}
	}
	fc.Advance(90 * time.Second)
	refusal := errors.New("record.not_found")
	if err := d.seen(refusal); err != refusal {
		t.Fatalf("seen(%v) = %v; want it as it is", refusal, err)
	}
	for range 10 {
		if err := d.seen(nil); err != nil {
			t.Fatalf("seen(nil) = %v", err)
		}
	}
	got := log.String()
	if n := strings.Count(got, "PostgreSQL cannot be reached"); n != 1 {
		t.Errorf("the log says %d times that PostgreSQL cannot be reached; want once:\n%s", n, got)
	}
	if n := strings.Count(got, "PostgreSQL answers again"); n != 1 {
		t.Errorf("the log says %d times that PostgreSQL answers again; want once:\n%s", n, got)
	}
	if !strings.Contains(got, "down_for=1m30s") {
		t.Errorf("the log does not say the outage lasted 1m30s on the store's clock:\n%s", got)
	}
	if n := strings.Count(got, "\n"); n != 2 {
		t.Errorf("the log has %d lines; want 2:\n%s", n, got)
	}
}
