package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"outpost/server"
	"outpost/server/badger"
	"outpost/server/kb"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
)

const kbUsage = `usage:
  outpost kb import [-data dir | -store url] DIR   import every *.md file under DIR, all or nothing
  outpost kb export [-data dir | -store url] DIR   write every article to DIR/<id>.md

Run them while the server is stopped: the data directory has one user at a time.
With -store (PostgreSQL, env OUTPOST_STORE) the nodes may keep serving.
`

// kbCmd is `outpost kb`: the knowledge base's import and export.
func kbCmd(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runKB(ctx, args, os.Stdout, os.Stderr, kbIsTerminal(os.Stderr), server.NewMain().Clock)
}

// kbIsTerminal reports whether f is a terminal (a character device), where a
// progress bar can redraw itself.
func kbIsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// runKB runs `outpost kb args...`; clk stamps the articles it imports
// (nil: the wall clock).
func runKB(ctx context.Context, args []string, stdout, stderr io.Writer, tty bool, clk clock.Clock) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, kbUsage)
		return 2
	}
	cmd := args[0]
	fs := flag.NewFlagSet("outpost kb "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, kbUsage) }
	dataDir := fs.String("data", server.NewMain().DataDir, "data directory (env OUTPOST_DATA)")
	storeURL := storeFlag(fs)
	// Flags may come before or after DIR.
	var pos []string
	for rest := args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, kbUsage)
		return 2
	}
	dir := pos[0]
	fail := func(err error) int {
		fmt.Fprintf(stderr, "outpost kb %s: %s\n", cmd, kbMessage(err))
		return 1
	}

	db, err := kbOpenData(ctx, *storeURL, *dataDir, cmd == "import", stderr)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	bar := &progressBar{w: stderr, tty: tty}
	opts := kb.Options{Progress: bar.update}
	if opts.Categories, err = outsync.StoredCategories(ctx, db); err != nil { // what the server checks articles against
		return fail(err)
	}
	if how, err := kb.Recover(ctx, db, opts); err != nil {
		return fail(fmt.Errorf("finish an interrupted import: %w", err))
	} else if how != kb.RecoveredNothing {
		fmt.Fprintf(stdout, "an earlier import was interrupted: %s\n", how)
	}
	opts.Clock = clk // what is imported is stamped with its time

	if cmd == "export" {
		n, err := kb.Export(ctx, db, dir, opts)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "exported %d articles to %s\n", n, dir)
		return 0
	}
	rep, err := kb.Import(ctx, db, dir, opts)
	bar.end()
	for _, e := range rep.Errors {
		fmt.Fprintln(stderr, e.Error())
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "imported %s: %d new, %d changed, %d unchanged articles\n",
		dir, len(rep.New), len(rep.Changed), len(rep.Unchanged))
	return 0
}

// kbMessage is err for a person: catalog errors in English.
func kbMessage(err error) string {
	if e, ok := err.(*shared.Error); ok {
		return i18n.T("en", e.Key, e.Args...)
	}
	return err.Error()
}

// kbOpenData opens the data directory the way `outpost serve` does. Badger
// lets one process at a time use a directory, so a running server makes
// this fail; the error says so in words.
func kbOpenData(ctx context.Context, storeURL, dir string, create bool, stderr io.Writer) (store.Store, error) {
	if storeURL != "" {
		return openPostgres(ctx, storeURL, stderr)
	}
	if create {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	} else if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("no data directory at %s: %w", dir, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := badger.Open(dir, log)
	if err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock") {
		return nil, fmt.Errorf("the server is running on %s (its data directory is locked): "+
			"stop it and run the command again; the server loads the articles when it starts", dir)
	}
	return db, err
}

// progressBar draws kb.Options.Progress on stderr: a bar redrawn in place
// on a terminal, otherwise a line every 10%.
type progressBar struct {
	w     io.Writer
	tty   bool
	phase string
	shown int // last percentage (terminal) or tenth (otherwise) shown
	open  bool
}

const barWidth = 30

func (p *progressBar) update(phase string, done, total int) {
	if total <= 0 {
		return
	}
	if phase != p.phase {
		p.end()
		p.phase, p.shown = phase, -1
		if !p.tty {
			p.shown = 0 // the first line at 10%
		}
	}
	pct := done * 100 / total
	if !p.tty {
		if tenth := pct / 10; tenth > p.shown {
			p.shown = tenth
			fmt.Fprintf(p.w, "%-10s %d/%d %d%%\n", phase, done, total, pct)
		}
		return
	}
	if pct == p.shown && done != total {
		return
	}
	p.shown = pct
	filled := barWidth * done / total
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	fmt.Fprintf(p.w, "\r%-10s %*d/%d [%s] %3d%%", phase, len(fmt.Sprint(total)), done, total, bar, pct)
	p.open = true
	if done >= total {
		p.end()
	}
}

// end finishes a bar left open on a terminal.
func (p *progressBar) end() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}
