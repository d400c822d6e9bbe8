package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"outpost/server/store"
	"outpost/shared/wire"
)

// validScopes drops scopes a text column cannot hold.
func validScopes(scopes []string) []string {
	out := scopes[:0:0]
	for _, s := range scopes {
		if s != "" && !strings.ContainsRune(s, 0) && utf8.ValidString(s) {
			out = append(out, s)
		}
	}
	return out
}

// addIndex adds the scope rows of the records written at versions vs
// (types typs, deleted dels, data datas) to the write's statement.
func addIndex(w *writes, typs []string, vs []int64, dels []bool, datas [][]byte) {
	var scopes []string
	var versions []int64
	for i, typ := range typs {
		for _, s := range validScopes(store.RecordScopes(typ, datas[i], dels[i])) {
			scopes, versions = append(scopes, s), append(versions, vs[i])
		}
	}
	if len(scopes) > 0 {
		w.add("INSERT INTO scopes (scope, version) SELECT * FROM unnest($1::text[], $2::bigint[])", scopes, versions)
	}
}

// buildScopes fills the scope index from the records unless it was filled
// by the current rules, holding the log lock so no write goes on meanwhile:
// at Open after the schema migration that made the table, and after Load.
func buildScopes(ctx context.Context, tx pgx.Tx) error {
	var built string
	err := tx.QueryRow(ctx, "SELECT coalesce((SELECT value FROM outpost_meta WHERE key = 'scopes'), '')").Scan(&built)
	if err != nil || built == store.ScopesVersion {
		return err
	}
	if _, err := lockHead(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM scopes"); err != nil {
		return err
	}
	var scopes []string
	var versions []int64
	flush := func() error {
		if len(scopes) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "INSERT INTO scopes (scope, version) SELECT unnest($1::text[]), unnest($2::bigint[])", scopes, versions)
		scopes, versions = scopes[:0], versions[:0]
		return err
	}
	var after int64
	for {
		rows, _ := tx.Query(ctx, "SELECT version, typ, deleted, data FROM records WHERE version > $1 ORDER BY version LIMIT 1000", after)
		var v int64
		var typ string
		var deleted bool
		var data []byte
		n := 0
		_, err := pgx.ForEachRow(rows, []any{&v, &typ, &deleted, &data}, func() error {
			n, after = n+1, v
			for _, s := range validScopes(store.RecordScopes(typ, data, deleted)) {
				scopes, versions = append(scopes, s), append(versions, v)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("build the scope index: %w", err)
		}
		if err := flush(); err != nil {
			return fmt.Errorf("build the scope index: %w", err)
		}
		if n < 1000 {
			break
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO outpost_meta (key, value) VALUES ('scopes', $1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, store.ScopesVersion)
	return err
}

// ChangesIn implements store.Store, in one snapshot: each chunk reads one
// ordered range of the primary key per scope, cut at the chunk ("scope =
// ANY" would let the planner walk the whole log by version instead).
func (d *DB) ChangesIn(ctx context.Context, scopes []string, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error) {
	scopes = validScopes(scopes)
	err = d.View(ctx, func(rt store.ReadTx) error {
		t := rt.(*txn)
		var head int64
		if err := t.q.QueryRow(ctx, "SELECT version FROM outpost_head").Scan(&head); err != nil {
			return fmt.Errorf("read the change-log head: %w", err)
		}
		cursor = since
		size := 0
		for {
			rows, _ := t.q.Query(ctx, `SELECT r.version, r.typ, r.id, r.deleted, r.data
				FROM (SELECT DISTINCT s.version FROM unnest($1::text[]) AS q(scope)
					CROSS JOIN LATERAL (SELECT version FROM scopes WHERE scope = q.scope AND version > $2 ORDER BY version LIMIT $3) s
					ORDER BY s.version LIMIT $3) s
				JOIN records r ON r.version = s.version ORDER BY r.version`, scopes, int64(cursor), changesChunk)
			var v int64
			var typ, id string
			var deleted bool
			var data []byte
			n := 0
			_, err := pgx.ForEachRow(rows, []any{&v, &typ, &id, &deleted, &data}, func() error {
				n++
				if more {
					return nil
				}
				if len(changes) >= limit || size >= maxBytes {
					more = true
					return nil
				}
				cursor = uint64(v)
				if !deleted && !visible(typ, data) {
					return nil
				}
				c := wire.Change{V: uint64(v), Type: typ, ID: id, Deleted: deleted}
				if !deleted {
					c.Data = slices.Clone(data)
				}
				changes = append(changes, c)
				size += len(data) + len(id) + 32
				return nil
			})
			if err != nil {
				return fmt.Errorf("read the change log: %w", err)
			}
			if more {
				return nil
			}
			if n < changesChunk {
				cursor = uint64(head)
				return nil
			}
		}
	})
	return changes, cursor, more, err
}

// RemainingIn implements store.Store.
func (d *DB) RemainingIn(ctx context.Context, scopes []string, since uint64) (int, error) {
	var n int
	err := d.pool.QueryRow(ctx, `SELECT count(DISTINCT s.version) FROM unnest($1::text[]) AS q(scope)
		CROSS JOIN LATERAL (SELECT version FROM scopes WHERE scope = q.scope AND version > $2) s`, validScopes(scopes), int64(since)).Scan(&n)
	if err != nil {
		return 0, d.seen(d.unreachable(err))
	}
	return n, d.seen(nil)
}

// EachIn implements store.ReadTx.
func (t *txn) EachIn(scope string, fn func(typ, id string, data []byte) error) error {
	rows, _ := t.q.Query(t.ctx, `SELECT r.typ, r.id, r.data FROM scopes s JOIN records r ON r.version = s.version
		WHERE s.scope = $1 AND NOT r.deleted ORDER BY s.version`, scope)
	var typ, id string
	var data []byte
	_, err := pgx.ForEachRow(rows, []any{&typ, &id, &data}, func() error { return fn(typ, id, slices.Clone(data)) })
	return err
}
