package postgres

import (
	"context"
	"testing"

	"outpost/server/postgres/pgtest"
	"outpost/server/store/storetest"
)

// TestScopeIndexBuiltForAnOldDatabase opens a database whose records were
// written before the scope index (its table empty, no 'scopes' mark, as
// after migration 2 on a version-1 database) and checks that Open indexes
// them, and that a later rewrite drops the built rows.
func TestScopeIndexBuiltForAnOldDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	db := storetest.ScopeIndexBuilt(t, open(t, dsn), func(db *DB) {
		if _, err := db.pool.Exec(ctx, "DELETE FROM scopes; DELETE FROM outpost_meta WHERE key = 'scopes'"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}, func() *DB { return open(t, dsn) })
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM scopes").Scan(&n); err != nil || n != 3 {
		t.Errorf("%d scope rows, %v; want 3 (a1, t1, t2: one each)", n, err)
	}
}
