package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"outpost/server"
	"outpost/server/badger"
	"outpost/server/postgres"
	"outpost/server/postgres/pgtest"
	"outpost/server/store"
	"outpost/shared/wire"
)

// outpost backup talks to a running server and prints the file's
// sha256sum; outpost restore verifies, restores into a new directory and
// names the new epoch, and refuses a damaged file without writing.
func TestBackupAndRestoreCommands(t *testing.T) {
	m := server.NewMain()
	m.Addr, m.DataDir = "127.0.0.1:0", t.TempDir()
	m.Log = slog.New(slog.DiscardHandler)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	file := filepath.Join(t.TempDir(), "nightly.backup")
	var out, errb bytes.Buffer
	if code := runBackup(context.Background(), []string{"-data", m.DataDir, "-q", file}, &out, &errb); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errb.String())
	}
	data, _ := os.ReadFile(file)
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]) + "  " + file + "\n"; out.String() != want {
		t.Errorf("backup printed %q; want %q", out.String(), want)
	}
	if !strings.Contains(errb.String(), "backed up ") {
		t.Errorf("backup said %q", errb.String())
	}
	if code := runBackup(context.Background(), []string{"-data", m.DataDir, "-q", file}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "exists") {
		t.Errorf("backup over an existing file: exit %d, %q", code, errb.String())
	}

	// An incremental backup since the full one, through the socket too.
	inc := filepath.Join(t.TempDir(), "hourly.backup")
	errb.Reset()
	if code := runBackup(context.Background(), []string{"-data", m.DataDir, "-q", "-since", file, inc}, io.Discard, &errb); code != 0 || !strings.Contains(errb.String(), "what changed since change") {
		t.Fatalf("incremental backup: exit %d: %s", code, errb.String())
	}

	dir := filepath.Join(t.TempDir(), "data")
	out.Reset()
	errb.Reset()
	if code := runRestore(context.Background(), []string{"-data", dir, "-q", file, inc}, &out, &errb); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "new epoch ") || !strings.Contains(out.String(), "(was "+m.Store.Epoch()+")") {
		t.Errorf("restore said %q", out.String())
	}

	data[len(data)/2] ^= 0x10
	bad := filepath.Join(t.TempDir(), "bad.backup")
	os.WriteFile(bad, data, 0o600)
	fresh := filepath.Join(t.TempDir(), "fresh")
	errb.Reset()
	if code := runRestore(context.Background(), []string{"-data", fresh, "-q", bad}, io.Discard, &errb); code != 1 ||
		!strings.Contains(errb.String(), "damaged") || !strings.Contains(errb.String(), "nothing was written") {
		t.Errorf("restore of a damaged file: exit %d, %q", code, errb.String())
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory was made: %v", err)
	}
}

// TestBackupAndRestoreAcrossStores: a backup of a node on PostgreSQL
// (through its admin socket) restores into a Badger directory, and a
// backup of a Badger portal restores into an empty PostgreSQL database,
// all or nothing, each with every record and a new epoch.
func TestBackupAndRestoreAcrossStores(t *testing.T) {
	ctx := context.Background()
	m := server.NewMain()
	m.Addr, m.StoreURL, m.AdminSocket = "127.0.0.1:0", pgtest.DB(t), filepath.Join(t.TempDir(), "admin.sock")
	m.Log = slog.New(slog.DiscardHandler)
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	articles := func(s store.Store) int {
		n := 0
		if err := s.View(ctx, func(tx store.ReadTx) error {
			return tx.Each(wire.TypeArticle, func(string, []byte) error { n++; return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := articles(m.Store)
	if want == 0 {
		t.Fatal("the portal holds no articles to back up")
	}

	file := filepath.Join(t.TempDir(), "pg.backup")
	var errb bytes.Buffer
	if code := runBackup(ctx, []string{"-socket", m.AdminSocket, "-q", file}, io.Discard, &errb); code != 0 {
		t.Fatalf("backup of a PostgreSQL node: exit %d: %s", code, errb.String())
	}
	dir := filepath.Join(t.TempDir(), "data")
	if code := runRestore(ctx, []string{"-data", dir, "-q", file}, io.Discard, &errb); code != 0 {
		t.Fatalf("restore into Badger: exit %d: %s", code, errb.String())
	}
	bdb, err := badger.Open(dir, m.Log)
	if err != nil {
		t.Fatal(err)
	}
	if got := articles(bdb); got != want || bdb.Epoch() == m.Store.Epoch() {
		t.Errorf("restored into Badger: %d articles, epoch %s; want %d and a new epoch (not %s)", got, bdb.Epoch(), want, m.Store.Epoch())
	}
	bdb.Close()

	// Back the other way: the Badger directory's backup into PostgreSQL.
	bm := server.NewMain()
	bm.Addr, bm.DataDir = "127.0.0.1:0", dir
	bm.Log = m.Log
	if err := bm.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer bm.Close()
	file2 := filepath.Join(t.TempDir(), "badger.backup")
	if code := runBackup(ctx, []string{"-data", dir, "-q", file2}, io.Discard, &errb); code != 0 {
		t.Fatalf("backup of the Badger portal: exit %d: %s", code, errb.String())
	}
	data, _ := os.ReadFile(file2)
	data[len(data)/2] ^= 0x10
	bad := filepath.Join(t.TempDir(), "bad.backup")
	os.WriteFile(bad, data, 0o600)
	url := pgtest.DB(t)
	errb.Reset()
	if code := runRestore(ctx, []string{"-store", url, "-q", bad}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "nothing was written") {
		t.Errorf("restore of a damaged file into PostgreSQL: exit %d, %q", code, errb.String())
	}
	var out bytes.Buffer
	if code := runRestore(ctx, []string{"-store", url, "-q", file2}, &out, &errb); code != 0 {
		t.Fatalf("restore into PostgreSQL: exit %d: %s", code, errb.String())
	}
	if code := runRestore(ctx, []string{"-store", url, "-q", file2}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "already holds a portal") {
		t.Errorf("restore into a database that holds a portal: exit %d, %q", code, errb.String())
	}
	pdb, err := postgres.Open(ctx, url, m.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	if got := articles(pdb); got != want || pdb.Epoch() == bm.Store.Epoch() || !strings.Contains(out.String(), "new epoch "+pdb.Epoch()) {
		t.Errorf("restored into PostgreSQL: %d articles, epoch %s, said %q; want %d and a new epoch", got, pdb.Epoch(), out.String(), want)
	}
}
