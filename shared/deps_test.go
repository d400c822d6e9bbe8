//go:build !wasm

package shared_test

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the packages pkg depends on for GOOS/GOARCH; with imports
// set, only the packages it imports directly.
func deps(t *testing.T, goos, goarch, pkg string, imports bool) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pkg)
	if imports {
		cmd = exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, pkg)
	}
	cmd.Env = append(cmd.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out))
}

// TestSharedImportsOnlyTheDomain keeps shared/ compilable and testable
// anywhere: no browser, no database, no network stack.
func TestSharedImportsOnlyTheDomain(t *testing.T) {
	for _, goarch := range []struct{ goos, goarch string }{{"linux", "amd64"}, {"js", "wasm"}} {
		for _, d := range deps(t, goarch.goos, goarch.goarch, "outpost/shared/...", true) {
			switch {
			case d == "syscall/js", d == "net/http", strings.Contains(d, "badger"), strings.Contains(d, "gorilla"),
				strings.HasPrefix(d, "outpost/") && !strings.HasPrefix(d, "outpost/shared"):
				t.Errorf("shared depends on %s (%s/%s)", d, goarch.goos, goarch.goarch)
			}
		}
	}
}

// TestBrowserBuildStaysLean keeps the server out of app.wasm: every
// dependency is bytes on a slow first visit.
func TestBrowserBuildStaysLean(t *testing.T) {
	for _, d := range deps(t, "js", "wasm", "outpost/app/wasm", false) {
		switch {
		case strings.Contains(d, "badger"), strings.Contains(d, "gorilla"), strings.HasPrefix(d, "outpost/server"),
			strings.Contains(d, "goldmark"), strings.Contains(d, "bluemonday"), d == "flag":
			t.Errorf("app.wasm depends on %s", d)
		}
	}
}
