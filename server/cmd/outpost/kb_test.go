package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

const demoDir = "../../seed/articles"

func runKBTest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runKB(context.Background(), args, &out, &errOut, false, nil)
	return code, out.String(), errOut.String()
}

func TestKBImportExport(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errOut := runKBTest(t, "import", "-data", data, demoDir); code != 0 || !strings.Contains(out, "24 new, 0 changed, 0 unchanged") {
		t.Fatalf("import = %d, %q, %q; want 0 and 24 new", code, out, errOut)
	}
	// Flags after DIR work too.
	if code, out, _ := runKBTest(t, "import", demoDir, "-data", data); code != 0 || !strings.Contains(out, "0 new, 0 changed, 24 unchanged") {
		t.Fatalf("re-import = %d, %q; want 0 and 24 unchanged", code, out)
	}
	exported := t.TempDir()
	if code, out, errOut := runKBTest(t, "export", "-data", data, exported); code != 0 || !strings.Contains(out, "exported 24 articles") {
		t.Fatalf("export = %d, %q, %q", code, out, errOut)
	}
	if files, _ := filepath.Glob(filepath.Join(exported, "*.md")); len(files) != 24 {
		t.Errorf("export wrote %d files; want 24", len(files))
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "a.md"), []byte("---\nid: a\ntitle: T\nlang: en\ncategory: snacks\n---\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "b.md"), []byte("# no front matter\n"), 0o644)
	code, _, errOut := runKBTest(t, "import", "-data", data, bad)
	want := filepath.Join(bad, "a.md") + ":5: Unknown category \"snacks\".\n" +
		filepath.Join(bad, "b.md") + ":1: missing front matter: the file must start with a line \"---\"\n" +
		"outpost kb import: 2 files have errors; nothing was imported.\n"
	if code != 1 || !strings.HasSuffix(errOut, want) {
		t.Errorf("import of bad files = %d, stderr\n%s\nwant 1 and ending\n%s", code, errOut, want)
	}
}

func TestKBWhileServerRuns(t *testing.T) {
	data := t.TempDir()
	db, err := badger.Open(data, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	code, _, errOut := runKBTest(t, "import", "-data", data, demoDir)
	if code != 1 || !strings.Contains(errOut, "the server is running on "+data) {
		t.Errorf("import into a locked data directory = %d, %q; want 1 and a word about the server", code, errOut)
	}
}

func TestKBUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"import"}, {"export", "a", "b"}} {
		if code, _, errOut := runKBTest(t, args...); code != 2 || !strings.Contains(errOut, "usage:") {
			t.Errorf("outpost kb %q = %d, %q; want 2 and the usage", args, code, errOut)
		}
	}
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := &progressBar{w: &b, tty: true}
	for i := 0; i <= 200; i++ {
		p.update("importing", i, 200)
	}
	p.update("publishing", 1, 2)
	p.end()
	out := b.String()
	frames := strings.Split(out, "\r")
	if len(frames) != 1+101+1 {
		t.Errorf("%d frames; want one per percent of the first phase and one of the second", len(frames)-1)
	}
	if !strings.Contains(out, "\rimporting  100/200 [===============>              ]  50%") ||
		!strings.Contains(out, "\rimporting  200/200 [==============================] 100%\n") ||
		!strings.HasSuffix(out, "\rpublishing 1/2 [===============>              ]  50%\n") {
		t.Errorf("terminal progress:\n%q", out)
	}

	b.Reset()
	p = &progressBar{w: &b}
	for i := 0; i <= 2424; i++ {
		p.update("checking", i, 2424)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 10 || lines[0] != "checking   243/2424 10%" || lines[9] != "checking   2424/2424 100%" {
		t.Errorf("progress without a terminal:\n%s", b.String())
	}
}

// TestKBImportChecksTheStoredTree: articles are checked against the
// category tree the portal stores (an admin's), not the default one: a
// category only the stored tree has is accepted, one it dropped refused.
func TestKBImportChecksTheStoredTree(t *testing.T) {
	data := dataWithFacilities(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "radiators.md"), []byte("---\nid: radiators\ntitle: Cold radiators\nlang: en\ncategory: facilities\nsubcategory: heating\n---\nBleed them.\n"), 0o644)
	if code, out, errOut := runKBTest(t, "import", "-data", data, dir); code != 0 || !strings.Contains(out, "1 new") {
		t.Fatalf("import into the stored tree's new category = %d, %q, %q; want 0 and 1 new", code, out, errOut)
	}
	dropped := t.TempDir()
	os.WriteFile(filepath.Join(dropped, "mfa.md"), []byte("---\nid: mfa\ntitle: MFA\nlang: en\ncategory: accounts\n---\n"), 0o644)
	code, _, errOut := runKBTest(t, "import", "-data", data, dropped)
	if want := filepath.Join(dropped, "mfa.md") + ":5: Unknown category \"accounts\".\n"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("import into a category the stored tree dropped = %d, %q; want 1 and %q", code, errOut, want)
	}
}

// dataWithFacilities returns a new data directory whose stored category
// tree is an admin's: facilities (with heating) and network, without the
// default's accounts.
func dataWithFacilities(t *testing.T) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	db, err := badger.Open(data, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tree, _ := json.Marshal(shared.CategoryTree{{Slug: "facilities", Subcategories: []shared.Subcategory{{Slug: "heating"}}}, {Slug: "network"}})
	err = db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(wire.TypeConfig, shared.ConfigCategories, tree)
		return err
	})
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatalf("store the tree: %v, %v", err, cerr)
	}
	return data
}
