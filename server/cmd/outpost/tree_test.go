package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"outpost/shared/clock"
	"outpost/shared/tree"
)

const demoTrees = "../../seed/trees"

func runTreeTest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runTree(context.Background(), args, &out, &errOut, clock.NewFake(time.UnixMilli(1_800_000_000_000)))
	return code, out.String(), errOut.String()
}

// readTrees decodes every tree file of dir, by ID.
func readTrees(t *testing.T, dir string) map[string]*tree.Tree {
	t.Helper()
	out := map[string]*tree.Tree{}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, problem := readTreeFile(name, data)
		if problem != "" {
			t.Fatalf("read %s: %s", name, problem)
		}
		out[f.tree.ID] = f.tree
	}
	return out
}

// TestTreeImportExportRoundTrip imports the demo trees (after the demo
// articles they link to), exports them as JSON and as YAML, and imports
// both again: nothing changes, and a second export is byte for byte the
// first.
func TestTreeImportExportRoundTrip(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errOut := runKBTest(t, "import", "-data", data, demoDir); code != 0 {
		t.Fatalf("kb import = %d, %q, %q", code, out, errOut)
	}
	if code, out, errOut := runTreeTest(t, "import", "-data", data, demoTrees); code != 0 || !strings.Contains(out, "6 new, 0 changed, 0 unchanged") {
		t.Fatalf("tree import = %d, %q, %q; want 0 and 6 new", code, out, errOut)
	}
	want := readTrees(t, demoTrees)

	asJSON := t.TempDir()
	if code, out, errOut := runTreeTest(t, "export", "-data", data, asJSON); code != 0 || !strings.Contains(out, "exported 6 trees") {
		t.Fatalf("export = %d, %q, %q", code, out, errOut)
	}
	if got := readTrees(t, asJSON); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON export read back differs from the demo trees")
	}
	asYAML := t.TempDir()
	if code, _, errOut := runTreeTest(t, "export", "-format", "yaml", "-data", data, asYAML); code != 0 {
		t.Fatalf("yaml export = %d, %q", code, errOut)
	}
	if got := readTrees(t, asYAML); !reflect.DeepEqual(got, want) {
		t.Errorf("YAML export read back differs from the demo trees")
	}
	for _, dir := range []string{asJSON, asYAML} {
		if code, out, errOut := runTreeTest(t, "import", dir, "-data", data); code != 0 || !strings.Contains(out, "0 new, 0 changed, 6 unchanged") {
			t.Errorf("re-import of %s = %d, %q, %q; want 6 unchanged", dir, code, out, errOut)
		}
	}
	// Exporting again writes the same bytes: the files are stable to
	// keep under version control.
	again := t.TempDir()
	runTreeTest(t, "export", "-data", data, again)
	files, _ := filepath.Glob(filepath.Join(asJSON, "*.json"))
	for _, name := range files {
		first, _ := os.ReadFile(name)
		second, err := os.ReadFile(filepath.Join(again, filepath.Base(name)))
		if err != nil || !bytes.Equal(first, second) {
			t.Errorf("a second export of %s differs (err %v)", filepath.Base(name), err)
		}
	}
}

// TestTreeImportReportsEveryBadFile: every bad file is named with a line,
// and nothing is written, not even the good file.
func TestTreeImportReportsEveryBadFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	runKBTest(t, "import", "-data", data, demoDir)
	dir := t.TempDir()
	good, _ := os.ReadFile(filepath.Join(demoTrees, "no-internet.json"))
	os.WriteFile(filepath.Join(dir, "a-good.json"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "b-syntax.json"), []byte("{\n  \"id\": \"x\",\n  \"title\": \"X\"\n  \"lang\": \"en\"\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c-unknown.json"), []byte("{\n  \"id\": \"x\",\n  \"colour\": \"red\"\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "d-invalid.yaml"), []byte(`id: broken
lang: en
title: Broken
category: network
status: published
start: ask
nodes:
  - id: ask
    kind: question
    text: Is it on?
    answers:
      - {id: "yes", text: "Yes", next: try}
      - {id: "no", text: "No", next: try}
  - id: try
    kind: step
    text: Turn it off and on.
`), 0o644)
	os.WriteFile(filepath.Join(dir, "e-bad.yml"), []byte("id: y\nnodes: [\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "f-type.yaml"), []byte("id: z\nlang: en\nnodes:\n  - id: a\n    answers: nope\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a tree"), 0o644)

	code, out, errOut := runTreeTest(t, "import", "-data", data, dir)
	for _, want := range []string{
		filepath.Join(dir, "b-syntax.json") + ":4: not valid JSON",
		filepath.Join(dir, "c-unknown.json") + `:3: unknown field "colour"`,
		filepath.Join(dir, "d-invalid.yaml") + `:14: Node "try" needs a next node for when it did not help.`,
		filepath.Join(dir, "e-bad.yml") + ":2: not valid YAML",
		filepath.Join(dir, "f-type.yaml") + ":5: nodes.answers must be a",
		"outpost tree import: 5 problems; nothing was imported\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 1 || out != "" {
		t.Errorf("import of bad files = %d, stdout %q; want 1 and nothing", code, out)
	}
	exported := t.TempDir()
	if code, out, _ := runTreeTest(t, "export", "-data", data, exported); code != 0 || !strings.Contains(out, "exported 0 trees") {
		t.Errorf("after a refused import, export = %d, %q; want 0 trees", code, out)
	}
}

// TestTreeImportChecksTheStoredTree: guides are checked against the
// category tree the portal stores, as the server checks them.
func TestTreeImportChecksTheStoredTree(t *testing.T) {
	data := dataWithFacilities(t) // kb_test.go
	draft := func(id, category string) string {
		return "id: " + id + "\nlang: en\ntitle: Cold radiators\ncategory: " + category +
			"\nstatus: draft\nstart: ask\nnodes:\n  - id: ask\n    kind: question\n    text: Is it cold?\n"
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "radiators.yaml"), []byte(draft("radiators", "facilities")), 0o644)
	if code, out, errOut := runTreeTest(t, "import", "-data", data, dir); code != 0 || !strings.Contains(out, "1 new") {
		t.Fatalf("import of a guide in the stored tree's new category = %d, %q, %q; want 0 and 1 new", code, out, errOut)
	}
	dropped := t.TempDir()
	os.WriteFile(filepath.Join(dropped, "mfa.yaml"), []byte(draft("mfa", "accounts")), 0o644)
	code, _, errOut := runTreeTest(t, "import", "-data", data, dropped)
	if want := filepath.Join(dropped, "mfa.yaml") + `:4: Unknown category "accounts".`; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("import of a guide in a category the stored tree dropped = %d, %q; want 1 and %q", code, errOut, want)
	}
}
