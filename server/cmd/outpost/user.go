package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"outpost/server"
	"outpost/server/auth"
	"outpost/server/badger"
	"outpost/server/seed"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
)

const userUsage = `usage: outpost user <command> [-data DIR | -store URL] ...

commands:
  add [--admin | --agent --tier N [--group G]... | --kiosk --site S] [--name NAME] [--password-stdin] EMAIL
            add an account (a requester unless a role is given). On a terminal
            the password is asked twice and not echoed; otherwise, or with
            --password-stdin, it is the first line of standard input.
  list      list the accounts
  disable EMAIL
            disable an account and sign it out on every device
  enable EMAIL
            enable a disabled account (it signs in again with its password)

flags:
  -data DIR  the data directory (env OUTPOST_DATA, default ./data). Stop
             outpost serve first: only one process can open it.
  -store URL a portal kept in PostgreSQL, postgres://… (env OUTPOST_STORE),
             instead of -data; the nodes may keep serving meanwhile.
`

// userCmd runs `outpost user ...` and returns the exit status.
func userCmd(args []string) int {
	return runUser(context.Background(), args, os.Stdin, os.Stdout, os.Stderr, server.NewMain().Clock)
}

// runUser runs `outpost user args...`; clk is the command's clock, as a
// server's Main has one (tests pass a clock.Fake).
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, clk clock.Clock) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stderr, userUsage)
		return 2
	}
	fs := flag.NewFlagSet("outpost user "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, with userUsage
	dataDir := fs.String("data", server.NewMain().DataDir, "data directory")
	storeURL := storeFlag(fs)
	// check reads the positional arguments (and the password) before the
	// data directory is opened; run does the work.
	var check func(pos []string) error
	var run func(*auth.Service) error
	switch args[0] {
	case "add":
		var nu auth.NewUser
		admin := fs.Bool("admin", false, "an administrator")
		agent := fs.Bool("agent", false, "a support agent (needs --tier)")
		kiosk := fs.Bool("kiosk", false, "a walk-up kiosk (needs --site)")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		fs.IntVar(&nu.Tier, "tier", 0, "agent's tier: 1, 2 or 3")
		fs.Func("group", "agent's group (repeat for several)", func(g string) error {
			nu.Groups = append(nu.Groups, g)
			return nil
		})
		fs.StringVar(&nu.Site, "site", "", "kiosk's site")
		fs.StringVar(&nu.Name, "name", "", "the person's name")
		check = func(pos []string) error {
			if len(pos) != 1 {
				return errUsage
			}
			switch {
			case *admin && !*agent && !*kiosk:
				nu.Role = shared.RoleAdmin
			case *agent && !*admin && !*kiosk:
				nu.Role = shared.RoleAgent
			case *kiosk && !*admin && !*agent:
				nu.Role = shared.RoleKiosk
			case *admin || *agent || *kiosk:
				return errors.New("give one role: --admin, --agent or --kiosk")
			}
			var err error
			if nu.Email, err = shared.NormalizeEmail(pos[0]); err != nil {
				return err
			}
			if nu.Password, err = readPassword(stdin, stderr, *fromStdin); err != nil {
				return err
			}
			return auth.CheckPassword(nu.Password)
		}
		run = func(s *auth.Service) error {
			u, err := s.AddUser(ctx, nu)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "added %s %s (%s)\n", u.Email, describe(u), u.ID)
			return nil
		}
	case "list":
		check = func(pos []string) error {
			if len(pos) != 0 {
				return errUsage
			}
			return nil
		}
		run = func(s *auth.Service) error {
			users, err := s.ListUsers(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
			fmt.Fprintln(w, "EMAIL\tROLE\tSTATUS\tNAME\tCREATED")
			for _, u := range users {
				status := "active"
				if u.Disabled {
					status = "disabled"
				}
				created := time.UnixMilli(u.CreatedAt).UTC().Format("2006-01-02")
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Email, describe(u), status, u.Name, created)
			}
			return w.Flush()
		}
	case "disable", "enable":
		disable := args[0] == "disable"
		var email string
		check = func(pos []string) error {
			if len(pos) != 1 {
				return errUsage
			}
			email = pos[0]
			return nil
		}
		run = func(s *auth.Service) error {
			u, err := s.SetDisabled(ctx, email, disable)
			if err != nil {
				return err
			}
			if disable {
				fmt.Fprintf(stdout, "disabled %s; it is signed out on every device\n", u.Email)
			} else {
				fmt.Fprintf(stdout, "enabled %s\n", u.Email)
			}
			return nil
		}
	default:
		fmt.Fprintf(stderr, "outpost user: unknown command %q\n\n%s", args[0], userUsage)
		return 2
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "outpost user %s: %v\n\n%s", args[0], err, userUsage)
		return 2
	}
	if err = check(pos); err == nil {
		var db store.Store
		if db, err = openUserData(ctx, *storeURL, *dataDir, args[0] == "add", clk, stderr); err == nil {
			err = run(&auth.Service{Store: db, Clock: clk})
			if cerr := db.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("close the data directory: %w", cerr)
			}
		}
	}
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "outpost user %s: wrong arguments\n\n%s", args[0], userUsage)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "outpost user %s: %s\n", args[0], userMessage(err))
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// parseInterleaved parses flags that come before, between or after the
// positional arguments, which it returns: `user add ana@example.com
// --admin` works as well as `user add --admin ana@example.com`.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openUserData opens the data directory. Only add creates one, and it loads
// the demo knowledge base into an empty store as serve would: serve loads it
// only into a store nothing was ever written to, and a first admin account
// is usually made before the first serve.
func openUserData(ctx context.Context, storeURL, dir string, create bool, clk clock.Clock, stderr io.Writer) (store.Store, error) {
	if storeURL != "" {
		db, err := openPostgres(ctx, storeURL, stderr)
		if err == nil && create {
			err = seedEmpty(ctx, db, storeURL, clk, stderr)
		}
		return db, err
	}
	if dir == "" {
		return nil, errors.New("-data is empty")
	}
	_, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist) && create:
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("no data directory %s (see -data)", dir)
	case err != nil:
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := badger.Open(dir, log)
	if err != nil {
		if strings.Contains(err.Error(), "directory lock") {
			err = fmt.Errorf("%w\nIs outpost serve running on %s? Stop it first", err, dir)
		}
		return nil, err
	}
	if create {
		if err := seedEmpty(ctx, db, dir, clk, stderr); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// seedEmpty loads the demo knowledge base into an empty store, as serve
// does (alone among the nodes of a shared store), stamped with clk's time;
// it closes db on failure.
func seedEmpty(ctx context.Context, db store.Store, where string, clk clock.Clock, stderr io.Writer) error {
	var n int
	run := func(ctx context.Context) (err error) {
		n, err = seed.IfEmpty(ctx, db, clk.Now().UnixMilli())
		return err
	}
	var err error
	if sh, ok := db.(store.Shared); ok {
		err = sh.Exclusive(ctx, "start", run)
	} else {
		err = run(ctx)
	}
	if err != nil {
		db.Close()
		return fmt.Errorf("load the demo knowledge base: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(stderr, "loaded the demo knowledge base into %s (%d articles), as outpost serve does into an empty store\n", where, n)
	}
	return nil
}

// describe says what a user is: "agent, tier 2, groups field+network".
func describe(u auth.User) string {
	s := u.Role
	if u.Tier > 0 {
		s += ", tier " + strconv.Itoa(u.Tier)
	}
	if len(u.Groups) > 0 {
		s += ", groups " + strings.Join(u.Groups, "+")
	}
	if u.Site != "" {
		s += ", site " + u.Site
	}
	return s
}

// userMessage returns err in English words: a *shared.Error's catalog
// message, or err's own text.
func userMessage(err error) string {
	var e *shared.Error
	if errors.As(err, &e) {
		return i18n.T(i18n.Default, e.Key, e.Args...)
	}
	return err.Error()
}

// readPassword reads a new account's password. On a terminal, unless
// fromStdin is set, it asks twice with echo off (by stty, where there is
// one) and checks the two match; otherwise it reads the first line of
// stdin.
func readPassword(stdin io.Reader, stderr io.Writer, fromStdin bool) (string, error) {
	r := bufio.NewReader(stdin)
	f, isFile := stdin.(*os.File)
	if fromStdin || !isFile || !isTerminalFile(f) {
		pw, err := readLine(r)
		if err != nil {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		return pw, nil
	}
	restore := noEcho(f, stderr)
	defer restore()
	// Restore echo on ^C too, or the shell is left typing blind.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer func() { signal.Stop(sig); close(sig) }()
	go func() {
		if _, ok := <-sig; ok {
			restore()
			fmt.Fprintln(stderr)
			os.Exit(130)
		}
	}()
	var pws [2]string
	for i, prompt := range []string{"Password: ", "Password again: "} {
		fmt.Fprint(stderr, prompt)
		pw, err := readLine(r)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		pws[i] = pw
	}
	if pws[0] != pws[1] {
		return "", errors.New("the passwords do not match")
	}
	return pws[0], nil
}

// readLine returns the next line of r without its line ending.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	if err == io.EOF {
		return "", errors.New("no password given")
	}
	return strings.TrimRight(line, "\r\n"), err
}

func isTerminalFile(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// noEcho turns the terminal's echo off with stty, and returns a function
// that turns it back on. Without stty (Windows) the password is echoed,
// and it says so.
func noEcho(f *os.File, stderr io.Writer) (restore func()) {
	stty := func(arg string) error {
		cmd := exec.Command("stty", arg)
		cmd.Stdin = f
		return cmd.Run()
	}
	if err := stty("-echo"); err != nil {
		fmt.Fprintln(stderr, "(cannot turn echo off: the password will show as you type)")
		return func() {}
	}
	return func() { stty("echo") }
}
