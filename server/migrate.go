package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"outpost/server/badger"
	"outpost/server/postgres"
)

// Migrate copies the portal in the Badger data directory dir into the empty
// PostgreSQL database at url (`outpost migrate`): every record at its
// version, client sequences, sessions, accounts and attachments (unlogged
// data, with their expiry), the change-log head and the epoch, so devices
// synced before carry on from their cursors. All or nothing, in one
// transaction. progress, if set, is called with the entries copied so far
// and the total. It returns how many entries it copied.
func Migrate(ctx context.Context, dir, url string, log *slog.Logger, progress func(done, total int)) (int, error) {
	if _, err := os.Stat(dir); err != nil {
		return 0, fmt.Errorf("no data directory at %s: %w", dir, err)
	}
	if err := checkStoreURL(url); err != nil {
		return 0, err
	}
	src, err := badger.Open(dir, log)
	if err != nil {
		if strings.Contains(err.Error(), "directory lock") {
			return 0, fmt.Errorf("the server is running on %s (its data directory is locked): stop it first", dir)
		}
		return 0, err
	}
	defer src.Close()
	total, err := src.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count what %s holds: %w", dir, err)
	}
	dst, err := postgres.Open(ctx, url, log)
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	copied := 0
	err = dst.Load(ctx, src.Epoch(), func(s *postgres.Sink) (uint64, error) {
		return src.Walk(ctx, badger.Visitor{Record: s.Record, Client: s.Client, Local: s.Local})
	}, func(n int) {
		copied = n
		if progress != nil {
			progress(n, max(total, n))
		}
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return 0, errors.New("interrupted: nothing was copied")
		}
		return 0, fmt.Errorf("%w (nothing was copied)", err)
	}
	return copied, nil
}
