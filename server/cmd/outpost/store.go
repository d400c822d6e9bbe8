package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"outpost/server/postgres"
	"outpost/server/store"
)

// storeFlag adds -store to a command: a portal kept in PostgreSQL instead
// of a data directory. Unlike a data directory, it may be used while the
// nodes serve.
func storeFlag(fs *flag.FlagSet) *string {
	return fs.String("store", os.Getenv("OUTPOST_STORE"), "postgres:// URL of a portal kept in PostgreSQL (env OUTPOST_STORE); default: the data directory")
}

// openPostgres opens the portal at url; log lines go to stderr.
func openPostgres(ctx context.Context, url string, stderr io.Writer) (store.Store, error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := postgres.Open(ctx, url, log)
	if err != nil {
		return nil, fmt.Errorf("%w (see -store)", err)
	}
	return db, nil
}
