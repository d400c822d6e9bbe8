package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"gopkg.in/yaml.v3"

	"outpost/server"
	"outpost/server/seed"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
	"outpost/shared/tree"
	"outpost/shared/wire"
)

const treeUsage = `usage:
  outpost tree import [-data dir | -store url] DIR              import every *.json, *.yaml and *.yml file under DIR, all or nothing
  outpost tree export [-data dir | -store url] [-format F] DIR   write every troubleshooting tree to DIR/<id>.json (F: json or yaml)

A published tree must be complete (every node reachable, a way to a ticket,
its articles in the store); a draft may be unfinished. A changed tree gets a
new revision, as a save in the editor does; an unchanged one is left alone.
Run them while the server is stopped: the data directory has one user at a time.
With -store (PostgreSQL, env OUTPOST_STORE) the nodes may keep serving.
`

// treeCmd is `outpost tree`: troubleshooting trees' import and export.
func treeCmd(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runTree(ctx, args, os.Stdout, os.Stderr, server.NewMain().Clock)
}

// runTree runs `outpost tree args...`; clk stamps the trees it imports.
func runTree(ctx context.Context, args []string, stdout, stderr io.Writer, clk clock.Clock) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprint(stderr, treeUsage)
		return 2
	}
	cmd := args[0]
	fset := flag.NewFlagSet("outpost tree "+cmd, flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, treeUsage) }
	dataDir := fset.String("data", server.NewMain().DataDir, "data directory (env OUTPOST_DATA)")
	storeURL := storeFlag(fset)
	format := fset.String("format", "json", "export format: json or yaml")
	var pos []string
	for rest := args[1:]; ; {
		if err := fset.Parse(rest); err != nil {
			return 2
		}
		if fset.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fset.Arg(0)), fset.Args()[1:]
	}
	if len(pos) != 1 || (*format != "json" && *format != "yaml") {
		fmt.Fprint(stderr, treeUsage)
		return 2
	}
	dir := pos[0]
	fail := func(err error) int {
		fmt.Fprintf(stderr, "outpost tree %s: %s\n", cmd, kbMessage(err))
		return 1
	}
	db, err := kbOpenData(ctx, *storeURL, *dataDir, cmd == "import", stderr)
	if err != nil {
		return fail(err)
	}
	defer db.Close()

	if cmd == "export" {
		n, err := exportTrees(ctx, db, dir, *format)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "exported %d trees to %s\n", n, dir)
		return 0
	}
	rep, err := importTrees(ctx, db, dir, clk.Now().UnixMilli())
	for _, e := range rep.problems {
		fmt.Fprintln(stderr, e)
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "imported %s: %d new, %d changed, %d unchanged trees\n", dir, rep.added, rep.changed, rep.unchanged)
	return 0
}

// treeFile is a tree read from a file, with where its parts are.
type treeFile struct {
	path string
	tree *tree.Tree
	loc  *locator
}

// importReport is what an import did, or every problem that stopped it.
type importReport struct {
	added, changed, unchanged int
	problems                  []string // "file:line: what is wrong"
}

// importTrees reads every tree file under dir and, if none has a problem,
// stores them in one transaction: new and changed trees as a new revision.
func importTrees(ctx context.Context, db store.Store, dir string, now int64) (importReport, error) {
	var rep importReport
	var files []treeFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json", ".yaml", ".yml":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, problem := readTreeFile(path, data)
		if problem != "" {
			rep.problems = append(rep.problems, problem)
		} else {
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	seen := map[string]string{}
	for _, f := range files {
		if other, dup := seen[f.tree.ID]; dup {
			rep.problems = append(rep.problems, fmt.Sprintf("%s:%d: tree %q is also in %s", f.path, f.loc.field("id"), f.tree.ID, other))
		}
		seen[f.tree.ID] = f.path
	}
	cats, err := outsync.StoredCategories(ctx, db) // what the server checks trees against
	if err != nil {
		return rep, err
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		for _, f := range files {
			problems, err := seed.CheckTree(tx, f.tree, cats)
			if err != nil {
				return err
			}
			if f.tree.Status != tree.StatusPublished {
				problems = tree.DraftProblems(problems)
			}
			for _, p := range problems {
				key, args := shared.ErrorKey(p)
				rep.problems = append(rep.problems, fmt.Sprintf("%s:%d: %s", f.path, f.loc.problem(key, args), i18n.T("en", key, args...)))
			}
			if g := f.tree.TranslationOf; g != "" && g != f.tree.ID && seen[g] == "" {
				if _, err := tx.Get(wire.TypeTree, g); shared.ErrorCode(err) == shared.ENOTFOUND {
					rep.problems = append(rep.problems, fmt.Sprintf("%s:%d: %s", f.path, f.loc.field("translation_of"), i18n.T("en", "treeedit.translation_missing", g)))
				} else if err != nil {
					return err
				}
			}
		}
		if len(rep.problems) > 0 {
			return errNothingImported
		}
		for _, f := range files {
			b, err := json.Marshal(f.tree)
			if err != nil {
				return err
			}
			old, err := tx.Get(wire.TypeTree, f.tree.ID)
			switch shared.ErrorCode(err) {
			case "":
				if bytes.Equal(old, b) {
					rep.unchanged++
					continue
				}
				rep.changed++
			case shared.ENOTFOUND:
				rep.added++
			default:
				return err
			}
			if _, err := seed.PutTree(tx, f.tree, "import", now); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errNothingImported) || len(rep.problems) > 0 {
		sort.Strings(rep.problems)
		n := len(rep.problems)
		return importReport{problems: rep.problems}, fmt.Errorf("%d problems; nothing was imported", n)
	}
	return rep, err
}

var errNothingImported = errors.New("nothing imported")

// readTreeFile parses one file by its extension. problem is "file:line:
// what is wrong" if the file cannot be a tree.
func readTreeFile(path string, data []byte) (treeFile, string) {
	f := treeFile{path: path}
	bad := func(line int, msg string) (treeFile, string) {
		return f, fmt.Sprintf("%s:%d: %s", path, max(line, 1), msg)
	}
	if len(data) > tree.MaxBytes {
		return bad(1, i18n.T("en", "tree.too_large", tree.MaxBytes))
	}
	var js []byte
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".json" {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return bad(lineAt(data, se.Offset), "not valid JSON: "+se.Error())
			}
			return bad(1, "not valid JSON: "+err.Error())
		}
		js = data
		f.loc = locateJSON(data)
	} else {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			line, msg := yamlErrorLine(err)
			return bad(line, "not valid YAML: "+msg)
		}
		f.loc = locateYAML(&doc)
		var v any
		if err := doc.Decode(&v); err != nil {
			line, msg := yamlErrorLine(err)
			return bad(line, "not valid YAML: "+msg)
		}
		var err error
		if js, err = json.Marshal(v); err != nil {
			return bad(1, "not a tree: "+err.Error())
		}
	}
	// Decode's own message loses where; a strict decode here says it.
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var probe tree.Tree
	if err := dec.Decode(&probe); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return bad(f.loc.key(te.Field), fmt.Sprintf("%s must be a %s, not a %s", te.Field, te.Type, te.Value))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return bad(f.loc.key(name), fmt.Sprintf("unknown field %q", name))
		}
		return bad(1, err.Error())
	}
	t, err := tree.Decode(js)
	if err != nil {
		key, args := shared.ErrorKey(err)
		return bad(1, i18n.T("en", key, args...))
	}
	f.tree = t
	return f, ""
}

// yamlErrorLine finds the line in a yaml.v3 error ("yaml: line 3: …").
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			msg = rest
		}
	}
	return line, msg
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// locator knows on which line a tree file has each top-level field, each
// node and the first use of each key.
type locator struct {
	fields map[string]int // top-level key → line
	nodes  map[string]int // node ID → line where the node starts
	keys   map[string]int // any key → its first line
}

func newLocator() *locator {
	return &locator{fields: map[string]int{}, nodes: map[string]int{}, keys: map[string]int{}}
}

func (l *locator) field(name string) int { return max(l.fields[name], 1) }

// key returns the line of a key, given as encoding/json names a field
// ("nodes.answers.next"): its last part.
func (l *locator) key(name string) int {
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return max(l.keys[name], 1)
}

// problemFields are the fields Validate's problems about the tree itself
// are about.
var problemFields = map[string]string{
	"tree.bad_id": "id", "tree.bad_translation_of": "translation_of", "tree.bad_lang": "lang",
	"tree.title_required": "title", "category.unknown": "category", "tree.bad_status": "status",
	"tree.no_nodes": "nodes", "tree.too_many_nodes": "nodes", "tree.start_required": "start", "tree.start_missing": "start",
}

// problem returns the line a Validate problem is about: a tree field's, or
// that of the node it names.
func (l *locator) problem(key string, args []any) int {
	if f, ok := problemFields[key]; ok {
		return l.field(f)
	}
	if key == "field.too_long" && len(args) > 0 {
		return l.field(fmt.Sprint(args[0]))
	}
	if len(args) > 0 {
		if id, ok := args[0].(string); ok {
			if line, ok := l.nodes[id]; ok {
				return line
			}
		}
	}
	return 1
}

// locateJSON walks a JSON document's tokens for its locator.
func locateJSON(data []byte) *locator {
	l := newLocator()
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path []string) error
	walk = func(path []string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		start := lineAt(data, dec.InputOffset()-1)
		inNodes := len(path) == 2 && path[0] == "nodes"
		for dec.More() {
			if d == '[' {
				if err := walk(append(path, "[]")); err != nil {
					return err
				}
				continue
			}
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			line := lineAt(data, dec.InputOffset())
			if _, ok := l.keys[key]; !ok {
				l.keys[key] = line
			}
			if len(path) == 0 {
				l.fields[key] = line
			}
			if inNodes && key == "id" {
				vt, err := dec.Token()
				if err != nil {
					return err
				}
				if id, ok := vt.(string); ok {
					l.nodes[id] = start
				}
				continue
			}
			if err := walk(append(path, key)); err != nil {
				return err
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	walk(nil)
	return l
}

// locateYAML walks a YAML document for its locator.
func locateYAML(doc *yaml.Node) *locator {
	l := newLocator()
	var walk func(n *yaml.Node, path []string)
	walk = func(n *yaml.Node, path []string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, append(path, "[]"))
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if _, ok := l.keys[k.Value]; !ok {
					l.keys[k.Value] = k.Line
				}
				if len(path) == 0 {
					l.fields[k.Value] = k.Line
				}
				if len(path) == 2 && path[0] == "nodes" && k.Value == "id" {
					l.nodes[v.Value] = n.Line
				}
				walk(v, append(path, k.Value))
			}
		}
	}
	walk(doc, nil)
	return l
}

// exportTrees writes every stored tree to dir as <id>.json or <id>.yaml,
// in the form import reads back to the same tree.
func exportTrees(ctx context.Context, db store.Store, dir, format string) (int, error) {
	var trees []*tree.Tree
	err := db.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(wire.TypeTree, func(id string, data []byte) error {
			t, err := tree.Decode(data)
			if err != nil {
				return fmt.Errorf("tree %s: %w", id, err)
			}
			trees = append(trees, t)
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for _, t := range trees {
		b, err := encodeTree(t, format)
		if err != nil {
			return 0, fmt.Errorf("tree %s: %w", t.ID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, t.ID+"."+format), b, 0o644); err != nil {
			return 0, err
		}
	}
	return len(trees), nil
}

// encodeTree renders t as indented JSON (as the demo trees are written),
// or as block-style YAML with the same keys in the same order.
func encodeTree(t *tree.Tree, format string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	if format == "json" {
		return buf.Bytes(), nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &n); err != nil {
		return nil, err
	}
	var block func(n *yaml.Node)
	block = func(n *yaml.Node) {
		n.Style = 0 // plain where YAML allows, quoted where a string needs it
		for _, c := range n.Content {
			block(c)
		}
	}
	block(&n)
	var out bytes.Buffer
	ye := yaml.NewEncoder(&out)
	ye.SetIndent(2)
	if err := ye.Encode(&n); err != nil {
		return nil, err
	}
	if err := ye.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
