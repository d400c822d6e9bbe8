package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"outpost/server"
)

const migrateUsage = `usage:
  outpost migrate -from DATA_DIR -to postgres://user:password@host:port/database

Copies a portal kept in a Badger data directory into an empty PostgreSQL
database: every record at its version, every client's last mutation, the
sessions, accounts and attachments, and the epoch, so devices synced before
the move carry on from their cursors without a full refetch. All or
nothing: on any error the database is left empty. Stop outpost serve on
DATA_DIR first, and start the nodes on the database after.
`

// migrateCmd runs `outpost migrate`.
func migrateCmd(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runMigrate(ctx, args, os.Stdout, os.Stderr, kbIsTerminal(os.Stderr))
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, tty bool) int {
	fs := flag.NewFlagSet("outpost migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, migrateUsage) }
	from := fs.String("from", "", "the Badger data directory to copy from")
	to := fs.String("to", os.Getenv("OUTPOST_STORE"), "the PostgreSQL database to copy into, postgres://… (env OUTPOST_STORE)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, migrateUsage)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bar := &progressBar{w: stderr, tty: tty}
	n, err := server.Migrate(ctx, *from, *to, log, func(done, total int) { bar.update("copying", done, total) })
	bar.end()
	if err != nil {
		fmt.Fprintf(stderr, "outpost migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "copied %s into PostgreSQL: %d entries; start the nodes with -store\n", *from, n)
	return 0
}
