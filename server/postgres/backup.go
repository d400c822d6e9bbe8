package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"outpost/server/store"
)

var (
	_ store.IncrementalBackuper = (*DB)(nil)
	_ store.Restorer            = (*DB)(nil)
)

// Backup implements store.Backuper with one REPEATABLE READ, READ ONLY
// transaction: a snapshot at one instant that writers never wait for, on
// any node. A write holding the log lock and not yet committed is in
// neither the snapshot's records nor its head.
func (d *DB) Backup(ctx context.Context, fn func(store.Item) error) (uint64, error) {
	return d.BackupSince(ctx, 0, fn)
}

// BackupSince implements store.IncrementalBackuper.
func (d *DB) BackupSince(ctx context.Context, since uint64, fn func(store.Item) error) (uint64, error) {
	var head int64
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, d.pool, opts, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT version FROM outpost_head").Scan(&head); err != nil {
			return err
		}
		now := d.now().UnixMilli()
		scans := []struct {
			sql  string
			args []any
			item func(pgx.Rows) (store.Item, error)
		}{
			{"SELECT typ, id, version, deleted, data FROM records WHERE version > $1 ORDER BY version", []any{int64(since)},
				func(r pgx.Rows) (store.Item, error) {
					it := store.Item{Kind: store.ItemRecord}
					var v int64
					err := r.Scan(&it.Type, &it.ID, &v, &it.Deleted, &it.Data)
					it.Version = uint64(v)
					return it, err
				}},
			{"SELECT id, seq FROM clients ORDER BY id", nil,
				func(r pgx.Rows) (store.Item, error) {
					it := store.Item{Kind: store.ItemClient}
					var seq int64
					err := r.Scan(&it.ID, &seq)
					it.Version = uint64(seq)
					return it, err
				}},
			// Expired by the store's clock: gone, as GetLocal says.
			{"SELECT kind, key, data, expires_at FROM local WHERE expires_at = 0 OR expires_at > $1 ORDER BY kind, key", []any{now},
				func(r pgx.Rows) (store.Item, error) {
					it := store.Item{Kind: store.ItemLocal}
					err := r.Scan(&it.Type, &it.ID, &it.Data, &it.Expires)
					return it, err
				}},
		}
		for _, s := range scans {
			rows, err := tx.Query(ctx, s.sql, s.args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				it, err := s.item(rows)
				if err == nil {
					err = fn(it)
				}
				if err != nil {
					rows.Close()
					return err
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("back up %s: %w", d.where, d.unreachable(err))
	}
	return uint64(head), nil
}

// Restore implements store.Restorer through Load: in one transaction, so
// a restore that fails leaves the database empty. The database keeps its
// own epoch, so every device refetches.
func (d *DB) Restore(ctx context.Context, head uint64, next func() (store.Item, error)) error {
	return d.Load(ctx, d.Epoch(), func(s *Sink) (uint64, error) {
		for {
			it, err := next()
			if errors.Is(err, io.EOF) {
				return head, nil
			}
			if err != nil {
				return 0, err
			}
			switch it.Kind {
			case store.ItemRecord:
				err = s.Record(it.Type, it.ID, it.Version, it.Deleted, it.Data)
			case store.ItemClient:
				err = s.Client(it.ID, it.Version)
			case store.ItemLocal:
				err = s.Local(it.Type, it.ID, it.Data, it.Expires)
			default:
				err = fmt.Errorf("unknown backup item kind %q", it.Kind)
			}
			if err != nil {
				return 0, err
			}
		}
	}, nil)
}
