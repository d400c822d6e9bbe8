package postgres

import (
	"context"
	"fmt"
	"testing"

	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared/wire"
)

// TestScopeIndexBuiltForAnOldDatabase opens a database whose records were
// written before the scope index (its table empty, no 'scopes' mark, as
// after migration 2 on a version-1 database) and checks that Open indexes
// them, and that a later rewrite drops the built rows.
func TestScopeIndexBuiltForAnOldDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	db := open(t, dsn)
	err := db.Update(ctx, func(tx store.Tx) error {
		for _, r := range [][3]string{
			{wire.TypeArticle, "a1", `{}`},
			{wire.TypeTicket, "t1", `{"client_id":"me"}`},
			{wire.TypeTicket, "t2", `{"client_id":"you"}`},
		} {
			if _, err := tx.Put(r[0], r[1], []byte(r[2])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, "DELETE FROM scopes; DELETE FROM outpost_meta WHERE key = 'scopes'"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, dsn)
	anon := []string{store.ScopeAll, store.ScopeClient("me")}
	all := func(string, []byte) bool { return true }
	ids := func(cs []wire.Change) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	page, _, _, err := db.ChangesIn(ctx, anon, 0, 100, 1<<20, all)
	if err != nil || fmt.Sprint(ids(page)) != "[a1 t1]" {
		t.Fatalf("ChangesIn(all, c:me) after reopening = %v, %v; want [a1 t1]", ids(page), err)
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeTicket, "t1", []byte(`{"client_id":"me","requester_id":"u1"}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if page, _, _, _ = db.ChangesIn(ctx, anon, 0, 100, 1<<20, all); fmt.Sprint(ids(page)) != "[a1]" {
		t.Errorf("ChangesIn(all, c:me) after t1 was claimed = %v; want [a1]: the built row is dropped", ids(page))
	}
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM scopes").Scan(&n); err != nil || n != 3 {
		t.Errorf("%d scope rows, %v; want 3 (a1, t1, t2: one each)", n, err)
	}
}
