package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"outpost/server/store"
)

// reach is whether this node reaches PostgreSQL, as the last statement
// told: the first failure of an outage is logged, and the first success
// after it, each once, however many requests fail meanwhile (a node serving
// thousands of devices would otherwise log every hello, push and pull).
type reach struct {
	down      atomic.Bool // the fast path: every statement that succeeds reads it
	mu        sync.Mutex
	downSince time.Time // zero while PostgreSQL answers
}

// seen notes what err says about reaching PostgreSQL and returns it,
// wrapping store.ErrUnavailable when PostgreSQL could not be reached, so
// callers (/readyz, the websocket) know it is the database, not a bug.
func (d *DB) seen(err error) error {
	if err == nil && !d.reach.down.Load() {
		return nil
	}
	down := cannotReach(err)
	if err != nil && !down {
		return err // PostgreSQL answered, with a refusal of its own
	}
	d.reach.mu.Lock()
	was := d.reach.downSince
	switch {
	case down && was.IsZero():
		d.reach.downSince = d.clock.Now()
	case !down && !was.IsZero():
		d.reach.downSince = time.Time{}
	}
	d.reach.down.Store(down)
	d.reach.mu.Unlock()
	switch {
	case down && was.IsZero():
		d.log.Error("PostgreSQL cannot be reached: devices keep their changes and send them when it is back; /readyz fails meanwhile",
			"database", d.where, "err", err)
	case !down && !was.IsZero():
		d.log.Info("PostgreSQL answers again", "database", d.where, "down_for", d.clock.Since(was).Round(time.Second).String())
	}
	if down {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return nil
}

// cannotReach says whether err means PostgreSQL could not be reached or
// went away (connection refused or broken, the server shutting down or
// starting, a standby not yet promoted that refuses writes), rather than
// an answer to the statement.
func cannotReach(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || // connection exception
			pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || // shutting down, crashed, starting up
			pe.Code == "25006" // read-only: a standby
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "conn closed")
}
