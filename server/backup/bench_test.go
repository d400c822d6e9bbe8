package backup_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"outpost/server/backup"
	"outpost/server/badger"
	"outpost/server/store"
)

// TestBackupBench (make bench) prints backup and restore throughput for
// issue 18's portal: 20,000 articles, 50,000 tickets and 1 GiB of
// attachments (OUTPOST_BACKUP_BENCH_MB sets the attachments' size).
func TestBackupBench(t *testing.T) {
	if os.Getenv("OUTPOST_BENCH") == "" {
		t.Skip("backup benchmark: run with make bench (OUTPOST_BENCH=1)")
	}
	blobMB := 1024
	if v, err := strconv.Atoi(os.Getenv("OUTPOST_BACKUP_BENCH_MB")); err == nil && v >= 0 {
		blobMB = v
	}
	now := time.Now()
	st, err := openAt(now)(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.(*badger.DB)

	article := []byte(`{"id":"%s","lang":"en","title":"How to connect to the office Wi-Fi from a new laptop","category":"network","status":"published","visibility":"public","body":"` + strings.Repeat("Open Settings, choose Wi-Fi, pick the office network and sign in with your account. ", 20) + `"}`)
	ticket := []byte(`{"id":"%s","title":"Printer on floor 2 jams","description":"` + strings.Repeat("It jams on every second page since this morning. ", 8) + `","status":"open","priority":"P3"}`)
	put := func(typ string, n, per int, tmpl []byte) {
		for i := 0; i < n; i += per {
			err := db.Update(context.Background(), func(tx store.Tx) error {
				for j := i; j < min(i+per, n); j++ {
					id := fmt.Sprintf("%s-%06d", typ, j)
					if _, err := tx.Put(typ, id, fmt.Appendf(nil, string(tmpl), id)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	put("article", 20_000, 1000, article)
	put("ticket", 50_000, 1000, ticket)
	piece := make([]byte, 256<<10)
	for i := 0; i < blobMB*4; i += 8 {
		err := db.Update(context.Background(), func(tx store.Tx) error {
			for j := i; j < min(i+8, blobMB*4); j++ {
				rand.Read(piece[:64]) // photos do not compress, nor repeat
				if err := tx.PutLocal("blobpiece", fmt.Sprintf("%064x/%d", j/40, j%40), piece, time.Time{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	file := filepath.Join(t.TempDir(), "bench.backup")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, err := backup.Write(context.Background(), f, db, backup.Header{CreatedAt: now.UnixMilli()}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	took := time.Since(start)
	fi, _ := os.Stat(file)
	mb := float64(fi.Size()) / 1e6
	fmt.Printf("bench backup write: %.0f MB (20,000 articles, 50,000 tickets, %d MiB of attachments) in %s: %.0f MB/s\n", mb, blobMB, took.Round(time.Millisecond), mb/took.Seconds())

	start = time.Now()
	sum, err := backup.Verify(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("bench backup verify: %.0f MB/s\n", mb/time.Since(start).Seconds())
	start = time.Now()
	if _, _, err := backup.RestoreDir(context.Background(), []string{file}, filepath.Join(t.TempDir(), "restored"), openAt(now), nil); err != nil {
		t.Fatal(err)
	}
	took = time.Since(start)
	fmt.Printf("bench backup restore (verify, then write): %.0f MB in %s: %.0f MB/s (%d records, %d other items)\n", mb, took.Round(time.Millisecond), mb/took.Seconds(), sum.Counts.Records, sum.Counts.Locals)
}
