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
