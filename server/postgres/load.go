package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Sink takes what Load copies in: records at their versions, client
// sequences and unlogged data, as another store holds them.
type Sink struct {
	tx       pgx.Tx
	ctx      context.Context
	rows     map[string][][]any
	size     int
	copied   int
	progress func(copied int)
}

// loadFlush is how much a Sink buffers before it copies into the tables.
const loadFlush = 8 << 20

var loadColumns = map[string][]string{
	"records": {"typ", "id", "version", "deleted", "data"},
	"clients": {"id", "seq"},
	"local":   {"kind", "key", "data", "expires_at"},
}

func (s *Sink) add(table string, size int, row ...any) error {
	s.rows[table] = append(s.rows[table], row)
	s.size += size + 32
	s.copied++
	if s.progress != nil && s.copied%1000 == 0 {
		s.progress(s.copied)
	}
	if s.size >= loadFlush {
		return s.flush()
	}
	return nil
}

func (s *Sink) flush() error {
	for table, rows := range s.rows {
		if len(rows) == 0 {
			continue
		}
		if _, err := s.tx.CopyFrom(s.ctx, pgx.Identifier{table}, loadColumns[table], pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		s.rows[table] = rows[:0]
	}
	s.size = 0
	if s.progress != nil {
		s.progress(s.copied)
	}
	return nil
}

// Record copies a record (a tombstone if deleted) at its version.
func (s *Sink) Record(typ, id string, version uint64, deleted bool, data []byte) error {
	if err := checkKey("record", typ, id); err != nil {
		return err
	}
	return s.add("records", len(typ)+len(id)+len(data), typ, id, int64(version), deleted, append([]byte{}, data...))
}

// Client copies a client's last applied mutation sequence.
func (s *Sink) Client(id string, seq uint64) error {
	if err := checkKey("client", "c", id); err != nil {
		return err
	}
	return s.add("clients", len(id), id, int64(seq))
}

// Local copies unlogged data; expires is Unix ms by the store's clock, 0
// for never.
func (s *Sink) Local(kind, key string, data []byte, expires int64) error {
	if err := checkKey("local", kind, key); err != nil {
		return err
	}
	return s.add("local", len(kind)+len(key)+len(data), kind, key, append([]byte{}, data...), expires)
}

// Load fills an empty database with another store's data in one
// transaction: all of it or, on any error, nothing. fill copies the data
// in and returns the other store's change-log head; that head and epoch
// become this database's, so devices synced from the other store carry on
// from their cursors. progress, if set, is called with the number of
// entries copied so far.
func (d *DB) Load(ctx context.Context, epoch string, fill func(*Sink) (head uint64, err error), progress func(copied int)) error {
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := lockHead(ctx, tx); err != nil {
			return d.unreachable(err)
		}
		var empty bool
		err := tx.QueryRow(ctx, `SELECT (SELECT version FROM outpost_head) = 0 AND NOT EXISTS (SELECT 1 FROM records)
			AND NOT EXISTS (SELECT 1 FROM clients) AND NOT EXISTS (SELECT 1 FROM local)`).Scan(&empty)
		if err != nil {
			return err
		}
		if !empty {
			return fmt.Errorf("the database at %s already holds a portal: copy into an empty database", d.where)
		}
		s := &Sink{tx: tx, ctx: ctx, rows: map[string][][]any{}, progress: progress}
		head, err := fill(s)
		if err != nil {
			return err
		}
		if err := s.flush(); err != nil {
			return err
		}
		var top int64
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM records").Scan(&top); err != nil {
			return err
		}
		if uint64(top) > head {
			return fmt.Errorf("a record has version %d, past the change-log head %d: the source is inconsistent", top, head)
		}
		if _, err := tx.Exec(ctx, "UPDATE outpost_head SET version = $1", int64(head)); err != nil {
			return err
		}
		var cluster string
		if err := tx.QueryRow(ctx, "SELECT value FROM outpost_meta WHERE key = 'cluster'").Scan(&cluster); err != nil {
			return fmt.Errorf("read the cluster: %w", err)
		}
		if err := setEpoch(ctx, tx, epoch, cluster); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM outpost_meta WHERE key = 'scopes'"); err != nil {
			return err
		}
		return buildScopes(ctx, tx) // scope.go: index what was copied
	})
	if err == nil {
		d.epoch.Store(&epoch)
	}
	return err
}
