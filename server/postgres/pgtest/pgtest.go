// Package pgtest gives tests a PostgreSQL database of their own.
//
// The cluster comes from OUTPOST_TEST_POSTGRES, a postgres:// URL of a role
// that may create databases (`make test` starts a throwaway cluster and sets
// it: .ci/with-postgres). Without it a test is skipped, except under CI=true,
// where it fails: CI must never pass by skipping the PostgreSQL store.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable holding the test cluster's URL.
const Env = "OUTPOST_TEST_POSTGRES"

// Cluster returns the test cluster's URL, skipping the test without one
// (failing it under CI).
func Cluster(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set under CI: run the tests through .ci/with-postgres (make test does)", Env)
		}
		t.Skipf("%s is not set: no PostgreSQL to test against (make test starts one)", Env)
	}
	return dsn
}

// DB creates an empty database for this test, dropped when it ends, and
// returns its URL.
func DB(t testing.TB) string {
	t.Helper()
	dsn := Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to the test cluster %s: %v", dsn, err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	name := "outpost_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a postgres:// URL: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}
