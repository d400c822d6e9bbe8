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

// index inserts the scope rows of a record written at version v.
func index(ctx context.Context, q querier, typ string, v uint64, deleted bool, data []byte) error {
	scopes := validScopes(store.RecordScopes(typ, data, deleted))
	if len(scopes) == 0 {
		return nil
	}
	if _, err := q.Exec(ctx, "INSERT INTO scopes (scope, version) SELECT unnest($1::text[]), $2", scopes, int64(v)); err != nil {
		return fmt.Errorf("index version %d: %w", v, err)
	}
	return nil
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

// ChangesIn implements store.Store.
func (d *DB) ChangesIn(ctx context.Context, scopes []string, since uint64, limit, maxBytes int, visible func(typ string, data []byte) bool) (changes []wire.Change, cursor uint64, more bool, err error) {
	scopes = validScopes(scopes)
	return d.changes(ctx, since, limit, maxBytes, visible, func(t *txn, after uint64) pgx.Rows {
		// One ordered range of the primary key per scope, each cut at the
		// chunk: "scope = ANY" would let the planner walk the whole log by
		// version instead.
		rows, _ := t.q.Query(ctx, `SELECT r.version, r.typ, r.id, r.deleted, r.data
			FROM (SELECT DISTINCT s.version FROM unnest($1::text[]) AS q(scope)
				CROSS JOIN LATERAL (SELECT version FROM scopes WHERE scope = q.scope AND version > $2 ORDER BY version LIMIT $3) s
				ORDER BY s.version LIMIT $3) s
			JOIN records r ON r.version = s.version ORDER BY r.version`, scopes, int64(after), changesChunk)
		return rows
	})
}

// RemainingIn implements store.Store.
func (d *DB) RemainingIn(ctx context.Context, scopes []string, since uint64) (int, error) {
	var n int
	err := d.pool.QueryRow(ctx, `SELECT count(DISTINCT s.version) FROM unnest($1::text[]) AS q(scope)
		CROSS JOIN LATERAL (SELECT version FROM scopes WHERE scope = q.scope AND version > $2) s`, validScopes(scopes), int64(since)).Scan(&n)
	if err != nil {
		return 0, d.unreachable(err)
	}
	return n, nil
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
