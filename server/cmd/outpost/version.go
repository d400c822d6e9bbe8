package main

import (
	"fmt"
	"io"
	"os"
	"runtime"

	serverhttp "outpost/server/http"
	"outpost/shared/wire"
	"outpost/web"
)

// version is the release, set at build time by `make build`
// (-ldflags "-X main.version=…", from git describe).
var version = "dev"

// versionCmd prints what an operator needs to report or compare: the
// release, the app version devices see, the sync protocols served and the
// Go toolchain.
func versionCmd(args []string) int {
	if len(args) > 0 {
		fmt.Fprintln(os.Stderr, "usage: outpost version")
		return 2
	}
	return printVersion(os.Stdout)
}

func printVersion(w io.Writer) int {
	app, err := serverhttp.AppVersion(web.Files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "outpost version: read the app files:", err)
		return 1
	}
	fmt.Fprintf(w, "outpost %s\napp %s\nprotocol %d (oldest served: %d)\n%s %s/%s\n",
		version, app, wire.Version, wire.MinVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
