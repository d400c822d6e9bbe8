package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"outpost/server"
	"outpost/server/backup"
	"outpost/server/badger"
	"outpost/server/postgres"
)

const backupUsage = `usage: outpost backup [-data DIR | -socket PATH] [-since FULL] FILE

Writes a consistent backup of the running server to FILE (which must not
exist): records, the change log's position, client sequences, sessions,
accounts, attachments and all other server data, taken without stopping
writes, through the server's admin socket (admin.sock in its data
directory; run as the service's user or root). The file is checked as it
arrives and ends with a SHA-256 checksum; its sha256sum is printed.

  -data DIR     the running server's data directory (env OUTPOST_DATA, default ./data)
  -socket PATH  its admin socket, if not DIR/admin.sock (env OUTPOST_ADMIN_SOCKET)
  -since FULL   an incremental backup: only what changed since the full
                backup FULL (attachments it holds are left out); restoring
                needs both files
  -q            no progress bar
`

const restoreUsage = `usage: outpost restore [-data DIR | -store postgres://…] FULL [INCREMENTAL]

Restores the backup FULL, completed by INCREMENTAL if given (an
outpost backup -since FULL), into DIR, which must be empty or missing (the
server must not be running on it). Every file is verified first, and
nothing is written if one is damaged or they do not belong together; the restore is all or nothing. The
restored portal gets a new epoch: every device refetches its data and keeps
what it has not sent yet, which it sends again.

  -data DIR               the new data directory (env OUTPOST_DATA, default ./data)
  -store postgres://…     restore into this empty PostgreSQL database instead
                          (env OUTPOST_STORE; make it with createdb)
  -q                      no progress bar
`

func backupCmd(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runBackup(ctx, args, os.Stdout, os.Stderr)
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("outpost backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	m := server.NewMain()
	dataDir := fs.String("data", m.DataDir, "")
	socket := fs.String("socket", m.AdminSocket, "")
	quiet := fs.Bool("q", false, "")
	base := fs.String("since", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprint(stderr, backupUsage)
		return 2
	}
	if *socket == "" {
		*socket = filepath.Join(*dataDir, server.AdminSocketName)
	}
	file := fs.Arg(0)
	progress, end := bytesBar(stderr, *quiet)
	var since *backup.Since
	var err error
	if *base != "" {
		if since, err = backup.SinceFull(*base); err != nil {
			end()
			fmt.Fprintf(stderr, "outpost backup: %v\n", err)
			return 1
		}
	}
	sum, err := backup.Fetch(ctx, *socket, file, since, progress)
	end()
	if err != nil {
		fmt.Fprintf(stderr, "outpost backup: %v\n", err)
		return 1
	}
	what := "backed up"
	if since != nil {
		what = fmt.Sprintf("backed up what changed since change %d (%d items left to %s):", since.Base.Head, sum.Counts.Omitted, *base)
	}
	fmt.Fprintf(stderr, "%s %d records, %d clients, %d other items (%s) at change %d in %s (%s)\n",
		what, sum.Counts.Records, sum.Counts.Clients, sum.Counts.Locals, size(sum.Size), sum.Counts.Head,
		sum.Elapsed.Round(time.Millisecond), rate(sum.Size, sum.Elapsed))
	fmt.Fprintf(stdout, "%s  %s\n", sum.SHA256, file)
	return 0
}

func restoreCmd(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runRestore(ctx, args, os.Stdout, os.Stderr)
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("outpost restore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	m := server.NewMain()
	dataDir := fs.String("data", m.DataDir, "")
	storeURL := fs.String("store", m.StoreURL, "")
	quiet := fs.Bool("q", false, "")
	if err := fs.Parse(args); err != nil || fs.NArg() < 1 || fs.NArg() > 2 {
		fmt.Fprint(stderr, restoreUsage)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	progress, end := bytesBar(stderr, *quiet)
	var sum backup.Summary
	var epoch, where string
	var err error
	if *storeURL != "" {
		where = "the database"
		var db *postgres.DB
		if db, err = postgres.Open(ctx, *storeURL, log); err == nil {
			epoch = db.Epoch()
			sum, err = backup.RestoreStore(ctx, fs.Args(), db, progress)
			if cerr := db.Close(); err == nil {
				err = cerr
			}
		}
	} else {
		where = *dataDir
		open := func(dir string) (backup.Target, error) { return badger.Open(dir, log, badger.WithBulkLoad()) }
		sum, epoch, err = backup.RestoreDir(ctx, fs.Args(), *dataDir, open, progress)
	}
	end()
	if err != nil {
		if errors.Is(err, backup.ErrDamaged) {
			err = fmt.Errorf("%w; nothing was written", err)
		}
		fmt.Fprintf(stderr, "outpost restore: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "restored %d records, %d clients, %d other items at change %d from the backup of %s into %s\n",
		sum.Counts.Records, sum.Counts.Clients, sum.Counts.Locals, sum.Counts.Head,
		time.UnixMilli(sum.Header.CreatedAt).UTC().Format(time.RFC3339), where)
	fmt.Fprintf(stdout, "new epoch %s (was %s): devices refetch and send again what they had not sent; start the server on %s\n", epoch, sum.Header.Epoch, where)
	return 0
}

// bytesBar draws a backup.Progress with kb's progressBar, in KiB so the
// counts stay short; nil when quiet.
func bytesBar(w io.Writer, quiet bool) (backup.Progress, func()) {
	if quiet {
		return nil, func() {}
	}
	f, _ := w.(*os.File)
	bar := &progressBar{w: w, tty: f != nil && isTerminalFile(f)}
	return func(phase string, done, total int64) {
		bar.update(phase+" KiB", int(done>>10), int(max(total, done)>>10))
	}, bar.end
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return size(int64(float64(n)/d.Seconds())) + "/s"
}
