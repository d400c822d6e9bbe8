// Command outpost is the Outpost server.
//
//	outpost serve [-addr host:port] [-data dir | -store postgres://…] [-tls-cert file -tls-key file]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"outpost/server"
)

const usage = `usage: outpost <command> [flags]

commands:
  serve   serve the portal (outpost serve -h for flags)
  user    add, list, disable and enable accounts (outpost user -h)
  kb      import or export the knowledge base's Markdown files (outpost kb for usage)
  tree    import or export troubleshooting trees as JSON or YAML (outpost tree for usage)
  backup  back up the running server to a file (outpost backup -h)
  restore restore a backup into an empty data directory (outpost restore -h)
  version print the release, the app version devices see and the sync protocol
  migrate copy a portal from a data directory into PostgreSQL (outpost migrate -h)
`

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "help" {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		os.Exit(serve(os.Args[2:]))
	case "user":
		os.Exit(userCmd(os.Args[2:]))
	case "kb":
		os.Exit(kbCmd(os.Args[2:]))
	case "tree":
		os.Exit(treeCmd(os.Args[2:]))
	case "backup":
		os.Exit(backupCmd(os.Args[2:]))
	case "restore":
		os.Exit(restoreCmd(os.Args[2:]))
	case "version", "-version", "--version":
		os.Exit(versionCmd(os.Args[2:]))
	case "migrate":
		os.Exit(migrateCmd(os.Args[2:]))
	default:
		fmt.Fprintf(os.Stderr, "outpost: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}

func serve(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := server.NewMain()
	if err := m.ParseFlags(args, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "outpost serve:", err)
		}
		return 2
	}
	if err := m.Run(ctx); err != nil {
		m.Log.Error("start", "err", err)
		m.Close()
		return 1
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	if err := m.Close(); err != nil {
		m.Log.Error("shut down", "err", err)
		return 1
	}
	return 0
}
