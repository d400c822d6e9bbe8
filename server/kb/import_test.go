package kb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"outpost/server/badger"
	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/i18n"
	"outpost/shared/wire"
)

const demoDir = "../seed/articles"

func openStore(t *testing.T) *badger.DB {
	t.Helper()
	db, err := badger.Open("", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// writeFiles writes name → content under a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyDemo copies the demo articles to a new temporary directory.
func copyDemo(t *testing.T) string {
	t.Helper()
	files := map[string]string{}
	names, _ := filepath.Glob(filepath.Join(demoDir, "*.md"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(n)] = string(b)
	}
	return writeFiles(t, files)
}

// dump returns every record of the given types, and the store's version
// under the key "version".
func dump(t *testing.T, s store.Store, types ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.View(context.Background(), func(tx store.ReadTx) error {
		v, err := tx.Version()
		out["version"] = fmt.Sprint(v)
		for _, typ := range types {
			err = errors.Join(err, tx.Each(typ, func(id string, data []byte) error {
				out[typ+"/"+id] = string(data)
				return nil
			}))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var allTypes = []string{wire.TypeArticle, wire.TypeTicket, shared.RevisionType, JournalType, StageType}

// articles returns the stored articles by ID.
func articles(t *testing.T, s store.Store) map[string]shared.Article {
	t.Helper()
	out := map[string]shared.Article{}
	for k, v := range dump(t, s, wire.TypeArticle) {
		if id, ok := strings.CutPrefix(k, wire.TypeArticle+"/"); ok {
			var a shared.Article
			if err := json.Unmarshal([]byte(v), &a); err != nil {
				t.Fatal(err)
			}
			out[id] = a
		}
	}
	return out
}

func mustImport(t *testing.T, s store.Store, dir string, opts Options) Report {
	t.Helper()
	rep, err := Import(context.Background(), s, dir, opts)
	if err != nil {
		t.Fatalf("Import(%s) = %v; errors %v", dir, err, rep.Errors)
	}
	return rep
}

// TestImportStampsItsClock: without Now, an import stamps the time of the
// clock it is given (the server's, or the command's), not the wall clock's.
func TestImportStampsItsClock(t *testing.T) {
	t.Parallel()
	at := time.Now().AddDate(50, 0, 0).Truncate(time.Millisecond) // never the wall clock's
	s := openStore(t)
	mustImport(t, s, demoDir, Options{Clock: clock.NewFake(at)})
	for id, a := range articles(t, s) {
		if a.UpdatedAt != at.UnixMilli() {
			t.Fatalf("%s was stamped %v; want the clock's %v", id, time.UnixMilli(a.UpdatedAt), at)
		}
	}
}

func TestImportDemoArticles(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	rep := mustImport(t, s, demoDir, Options{Now: 1000})
	if rep.Files != 24 || len(rep.New) != 24 || len(rep.Changed)+len(rep.Unchanged) != 0 || rep.Batches != 1 {
		t.Fatalf("report = %d files, %d new, %d changed, %d unchanged, %d batches; want 24 new in 1 batch",
			rep.Files, len(rep.New), len(rep.Changed), len(rep.Unchanged), rep.Batches)
	}
	got := dump(t, s, allTypes...)
	if got["version"] != "48" {
		t.Errorf("version = %s; want 48 (an article and a revision each)", got["version"])
	}
	for id, a := range articles(t, s) {
		if a.Revision != 1 || a.UpdatedAt != 1000 || a.UpdatedBy != "import" || a.Status != "published" || a.HTML == "" {
			t.Errorf("%s = revision %d at %d by %q, %s; want revision 1 at 1000 by import, published", id, a.Revision, a.UpdatedAt, a.UpdatedBy, a.Status)
		}
		var r shared.Revision
		if err := json.Unmarshal([]byte(got["revision/"+id+".0000000001"]), &r); err != nil || !reflect.DeepEqual(r.Article, a) || r.Number != 1 || r.Author != "import" || r.Time != 1000 {
			t.Errorf("revision 1 of %s = %+v, %v; want a snapshot of the article", id, r, err)
		}
	}
}

// badFiles has one problem per file (or per pair of files), and the lines
// they must be reported at.
var badFiles = map[string]string{
	"good.md":            "---\nid: good\ntitle: Good\ncategory: email\nlang: en\n---\nBody\n",
	"no-front-matter.md": "# Just a heading\n",
	"unclosed.md":        "---\nid: unclosed\ntitle: T\n",
	"yaml.md":            "---\nid: yaml\ntitle: [unclosed\n---\n",
	"unknown-field.md":   "---\nid: unknown-field\ntitle: T\ncolour: red\n---\n",
	"sub/category.md":    "---\nid: bad-category\ntitle: T\nlang: en\ncategory: snacks\n---\n",
	"subcategory.md":     "---\nid: bad-sub\ntitle: T\nlang: en\ncategory: network\nsubcategory: printer\n---\n",
	"status.md":          "---\nid: bad-status\ntitle: T\nlang: en\ncategory: network\nstatus: live\n---\n",
	"time.md":            "---\nid: bad-time\ntitle: T\nlang: en\ncategory: network\nupdated_at: yesterday\n---\n",
	"dup-a.md":           "---\nid: dup\ntitle: A\nlang: en\ncategory: network\n---\n",
	"dup-b.md":           "---\ntitle: B\nid: dup\nlang: es\ncategory: network\n---\n",
	"orphan.md":          "---\nid: orphan-es\ntranslation_of: nowhere\ntitle: T\nlang: es\ncategory: network\n---\n",
	"twin-1.md":          "---\nid: twin-1\ntranslation_of: good\ntitle: T\nlang: es\ncategory: email\n---\n",
	"twin-2.md":          "---\nid: twin-2\ntitle: T\nlang: es\ntranslation_of: good\ncategory: email\n---\n",
	"notes.txt":          "not an article, not read",
	".git/x.md":          "not read either",
}

func TestImportReportsEveryBadFileAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	mustImport(t, s, demoDir, Options{Now: 1})
	before := dump(t, s, allTypes...)
	dir := writeFiles(t, badFiles)
	rep, err := Import(context.Background(), s, dir, Options{Now: 2})
	if shared.ErrorCode(err) != shared.EINVALID {
		t.Fatalf("Import = %v; want EINVALID", err)
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
	}
	want := []string{
		`dup-b.md:3: article ID "dup" is also used by ` + filepath.Join(dir, "dup-a.md"),
		`no-front-matter.md:1: missing front matter: the file must start with a line "---"`,
		`orphan.md:3: translation_of "nowhere" names no article in this import or in the store`,
		`status.md:6: Status "live" must be draft, published or archived.`,
		filepath.Join("sub", "category.md") + `:5: Unknown category "snacks".`,
		`subcategory.md:6: Unknown subcategory "printer" in category "network".`,
		`time.md:6: updated_at "yesterday" is not a time like 2024-05-01T09:30:00.000Z`,
		`twin-2.md:5: good already has a es translation: "twin-1"`,
		`unclosed.md:1: front matter is not closed by a line "---"`,
		`unknown-field.md:4: front matter: field colour not found in type kb.FrontMatter`,
		// yaml.v3 counts lines from 0 in parser errors (and from 1 in
		// scanner errors), so this one points at the line above.
		`yaml.md:2: front matter: did not find expected ',' or ']'`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if key, args := shared.ErrorKey(err); key != "kb.invalid" || fmt.Sprint(args) != "[11]" {
		t.Errorf("error = %s %v; want kb.invalid [11]", key, args)
	}
	if after := dump(t, s, allTypes...); !reflect.DeepEqual(after, before) {
		t.Errorf("a failed import changed the store: version %s → %s", before["version"], after["version"])
	}
}

func TestImportChecksAcrossFilesAndStore(t *testing.T) {
	t.Parallel()
	art := func(id, translationOf, lang string) string {
		return fmt.Sprintf("---\nid: %s\ntranslation_of: %s\ntitle: T\nlang: %s\ncategory: email\n---\n", id, translationOf, lang)
	}
	tests := []struct {
		name   string
		stored map[string]string // imported first
		files  map[string]string
		want   []string // error keys, in file order
	}{
		{"translation of a stored article", map[string]string{"a.md": art("a", "", "en")},
			map[string]string{"b.md": art("b", "a", "es")}, nil},
		{"translation of an article in the import", nil,
			map[string]string{"a.md": art("a", "a", "en"), "b.md": art("b", "a", "es")}, nil},
		{"second Spanish translation of a stored one", map[string]string{"a.md": art("a", "", "en"), "b.md": art("b", "a", "es")},
			map[string]string{"c.md": art("c", "a", "es")}, []string{"kb.translation_taken"}},
		{"a stored translation moved to another original", map[string]string{"a.md": art("a", "", "en"), "b.md": art("b", "a", "es"), "x.md": art("x", "", "en")},
			map[string]string{"b.md": art("b", "x", "es"), "c.md": art("c", "a", "es")}, nil},
		{"English twin of an original without translation_of", nil,
			map[string]string{"a.md": art("a", "", "en"), "b.md": art("b", "a", "en")}, []string{"kb.translation_taken"}},
		{"missing original", nil, map[string]string{"b.md": art("b", "a", "es")}, []string{"kb.translation_missing"}},
		{"duplicate ID, twice", nil,
			map[string]string{"1.md": art("a", "", "en"), "2.md": art("a", "", "es"), "3.md": art("a", "", "en")},
			[]string{"kb.duplicate_id", "kb.duplicate_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			if tt.stored != nil {
				mustImport(t, s, writeFiles(t, tt.stored), Options{Now: 1})
			}
			rep, err := Import(context.Background(), s, writeFiles(t, tt.files), Options{Now: 2})
			var got []string
			for _, e := range rep.Errors {
				got = append(got, e.Key)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("Import errors = %v (%v); want %v", rep.Errors, err, tt.want)
			}
		})
	}
}

func TestReimportIsIdempotent(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	mustImport(t, s, demoDir, Options{Now: 1})
	before := dump(t, s, allTypes...)
	rep := mustImport(t, s, demoDir, Options{Now: 2})
	if len(rep.Unchanged) != 24 || len(rep.New)+len(rep.Changed) != 0 || rep.Batches != 0 {
		t.Errorf("re-import: %d unchanged, %d new, %d changed, %d batches; want 24 unchanged, nothing written",
			len(rep.Unchanged), len(rep.New), len(rep.Changed), rep.Batches)
	}
	// An export carries revision, time and author; importing it back
	// changes nothing either.
	out := t.TempDir()
	if _, err := Export(context.Background(), s, out, Options{}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, out, Options{Now: 3})
	if after := dump(t, s, allTypes...); !reflect.DeepEqual(after, before) {
		t.Errorf("re-import changed the store: version %s → %s", before["version"], after["version"])
	}
}

func TestChangedArticleGetsNextRevision(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	mustImport(t, s, demoDir, Options{Now: 1})
	dir := copyDemo(t)
	p := filepath.Join(dir, "vpn-setup.md")
	b, _ := os.ReadFile(p)
	changed := strings.Replace(string(b), "title: Set up and connect the VPN", "title: Set up the VPN", 1)
	changed = strings.Replace(changed, "status: published\n", "", 1) + "\nOne more line.\n"
	os.WriteFile(p, []byte(changed), 0o644)
	before := dump(t, s, allTypes...)

	rep := mustImport(t, s, dir, Options{Now: 5})
	if fmt.Sprint(rep.Changed) != "[vpn-setup]" || len(rep.Unchanged) != 23 {
		t.Fatalf("report: changed %v, %d unchanged; want [vpn-setup] and 23", rep.Changed, len(rep.Unchanged))
	}
	after := dump(t, s, allTypes...)
	if fmt.Sprint(after["version"]) != fmt.Sprint(48+2) {
		t.Errorf("version %s → %s; want +2 (the article and its revision)", before["version"], after["version"])
	}
	a := articles(t, s)["vpn-setup"]
	if a.Revision != 2 || a.UpdatedAt != 5 || a.UpdatedBy != "import" || a.Title != "Set up the VPN" || !strings.HasSuffix(a.Body, "One more line.") {
		t.Errorf("changed article = revision %d at %d by %q, %q; want revision 2 at 5 by import with the new title and body", a.Revision, a.UpdatedAt, a.UpdatedBy, a.Title)
	}
	for n, title := range map[int]string{1: "Set up and connect the VPN", 2: "Set up the VPN"} {
		var r shared.Revision
		json.Unmarshal([]byte(after["revision/"+shared.RevisionID("vpn-setup", n)]), &r)
		if r.Number != n || r.Article.Title != title || r.Article.Revision != n {
			t.Errorf("revision %d = %+v; want number %d with title %q", n, r, n, title)
		}
	}
}

// randomArticle returns a valid article with awkward text: YAML
// punctuation, quotes, Unicode, lines of "---" in the body.
func randomArticle(r *rand.Rand, id string) shared.Article {
	pieces := []string{"a", "Zé", "ñ", "VPN", ":", ": ", "#", " #", "-", "- ", "'", "\"", "[", "]", "{", "}", ",", "&", "*",
		"!", "%", "@", "`", "|", ">", "?", "yes", "no", "null", "~", "0x1F", "1e3", "\t", "  ", "日本", "😀", "\\", "/"}
	text := func(max int) string {
		var b strings.Builder
		for n := r.IntN(max); n >= 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return strings.TrimSpace(b.String())
	}
	nonEmpty := func(max int) string {
		for {
			if s := text(max); s != "" {
				return s
			}
		}
	}
	cat := shared.Categories[r.IntN(len(shared.Categories))]
	a := shared.Article{
		ID:         id,
		Lang:       shared.Languages[r.IntN(2)],
		Title:      nonEmpty(20),
		Summary:    text(30),
		Category:   cat.Slug,
		Visibility: []string{shared.Public, shared.Internal}[r.IntN(2)],
		Status:     []string{shared.ArticleDraft, shared.ArticlePublished, shared.ArticleArchived}[r.IntN(3)],
		Revision:   1 + r.IntN(1000),
		UpdatedAt:  r.Int64N(1 << 45),
		UpdatedBy:  nonEmpty(10),
	}
	if r.IntN(2) == 0 {
		a.Subcategory = cat.Subcategories[r.IntN(len(cat.Subcategories))].Slug
	}
	for n := r.IntN(4); n > 0; n-- {
		a.Tags = append(a.Tags, nonEmpty(5))
	}
	var body []string
	for n := r.IntN(8); n > 0; n-- {
		body = append(body, []string{"---", "## " + nonEmpty(5), text(40), "", "- " + nonEmpty(5), "```", "---\n"}[r.IntN(7)])
	}
	a.Body = strings.TrimSpace(strings.Join(body, "\n"))
	var err error
	if a.HTML, err = Render(a.Body); err != nil {
		panic(err)
	}
	return a
}

func TestFormatParseRoundTripRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		a := randomArticle(r, fmt.Sprintf("a-%d", i))
		if err := a.Validate(shared.Categories); err != nil {
			t.Fatalf("random article is invalid: %v\n%+v", err, a)
		}
		file := Format(a)
		got, err := Parse("a.md", file, 0, shared.Categories)
		if err != nil {
			t.Fatalf("Parse(Format(a)) = %v\n%s", err, file)
		}
		if !reflect.DeepEqual(got, a) {
			t.Fatalf("Parse(Format(a)) =\n%+v\nwant\n%+v\nfile:\n%s", got, a, file)
		}
	}
}

// TestExportImportRoundTrip exports the demo articles and random ones and
// imports them into a new store: every field of every article comes back.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := openStore(t)
	mustImport(t, src, demoDir, Options{Now: 7})
	r := rand.New(rand.NewPCG(3, 4))
	err := src.Update(ctx, func(tx store.Tx) error {
		for i := range 200 {
			if _, err := publishArticle(tx, randomArticle(r, fmt.Sprintf("random-%d", i)), 7); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n, err := Export(ctx, src, dir, Options{})
	if err != nil || n != 224 {
		t.Fatalf("Export = %d, %v; want 224", n, err)
	}
	dst := openStore(t)
	mustImport(t, dst, dir, Options{Now: 99})
	got, want := articles(t, dst), articles(t, src)
	if len(got) != len(want) {
		t.Fatalf("%d articles after the round trip; want %d", len(got), len(want))
	}
	for id, w := range want {
		if g := got[id]; !reflect.DeepEqual(g, w) {
			t.Errorf("article %s after export and import =\n%+v\nwant\n%+v", id, g, w)
		}
	}
}

// TestImportInBatches imports more than Badger takes in one transaction.
func TestImportInBatches(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("writes about 30 MB")
	}
	files := map[string]string{}
	para := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 30) + "\n\n"
	for i := range 1000 {
		files[fmt.Sprintf("bulk/%04d.md", i)] = fmt.Sprintf("---\nid: bulk-%d\ntitle: Bulk %d\ncategory: devices\nlang: en\n---\n\n## Part\n\n%s", i, i, strings.Repeat(para, 5))
	}
	s := openStore(t)
	var phases []string
	rep := mustImport(t, s, writeFiles(t, files), Options{Now: 1, Progress: func(phase string, done, total int) {
		if done == total {
			phases = append(phases, fmt.Sprintf("%s %d", phase, total))
		}
	}})
	if rep.Batches < 5 || len(rep.New) != 1000 {
		t.Fatalf("report: %d new in %d batches; want 1000 in several", len(rep.New), rep.Batches)
	}
	if fmt.Sprint(phases) != "[checking 1000 staging 1000 publishing 1000]" {
		t.Errorf("progress phases = %v", phases)
	}
	d := dump(t, s, StageType, JournalType)
	if len(d) != 2 || !strings.Contains(d[JournalType+"/"+journalID], `"state":"done"`) {
		t.Errorf("after the import: %v; want no staged batch and a journal marked done", d)
	}
	if n := len(articles(t, s)); n != 1000 {
		t.Errorf("%d articles stored; want 1000", n)
	}
}

// failingStore fails Update number failAt (counting from 1) and, if crash
// is set, every Update after it, as if the process had died there.
type failingStore struct {
	store.Store
	failAt int
	crash  bool
	n      int
}

var _ store.Store = (*failingStore)(nil)

var errInjected = errors.New("injected failure")

func (f *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	f.n++
	if f.n == f.failAt || (f.crash && f.n > f.failAt) {
		return errInjected
	}
	return f.Store.Update(ctx, fn)
}

// TestFailureMidImportIsAllOrNothing fails each write of a multi-batch
// import in turn, once or for good (a crash), and checks what clients could
// read: the articles (and revisions) are exactly as before the import or,
// once Recover has run as the server does on start, exactly as after it.
func TestFailureMidImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := copyDemo(t)
	for _, name := range []string{"vpn-setup.md", "printer-jam.es.md", "wifi-slow.md"} {
		p := filepath.Join(dir, name)
		b, _ := os.ReadFile(p)
		os.WriteFile(p, append(b, "\n\nUpdated.\n"...), 0o644)
	}
	for i := range 6 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("new-%d.md", i)), fmt.Appendf(nil, "---\nid: new-%d\ntitle: New %d\ncategory: email\nlang: en\n---\nBody %d\n", i, i, i), 0o644)
	}
	opts := Options{Now: 50, BatchBytes: 8 << 10}
	visible := func(s store.Store) map[string]string {
		d := dump(t, s, wire.TypeArticle, shared.RevisionType)
		delete(d, "version")
		return d
	}
	base := func() *badger.DB {
		s := openStore(t)
		mustImport(t, s, demoDir, Options{Now: 1})
		return s
	}

	s := base()
	before := visible(s)
	counter := &failingStore{Store: s}
	rep, err := Import(ctx, counter, dir, opts)
	if err != nil || rep.Batches < 3 {
		t.Fatalf("Import = %d batches, %v; want several batches", rep.Batches, err)
	}
	after := visible(s)
	writes := counter.n
	// journal, each batch staged, journal, each batch published, journal
	if writes != 2*rep.Batches+3 {
		t.Fatalf("%d writes for %d batches; want %d", writes, rep.Batches, 2*rep.Batches+3)
	}

	for _, crash := range []bool{false, true} {
		for failAt := 1; failAt <= writes; failAt++ {
			s := base()
			_, err := Import(ctx, &failingStore{Store: s, failAt: failAt, crash: crash}, dir, opts)
			if !errors.Is(err, errInjected) {
				t.Fatalf("crash %v, write %d fails: Import = %v; want the injected error", crash, failAt, err)
			}
			publishing := failAt > rep.Batches+2
			if got := visible(s); !publishing && !reflect.DeepEqual(got, before) {
				t.Errorf("crash %v, write %d of %d fails before publishing: the articles changed", crash, failAt, writes)
			}
			how, err := Recover(ctx, s, Options{})
			if err != nil {
				t.Fatalf("Recover = %v", err)
			}
			got := visible(s)
			switch {
			case reflect.DeepEqual(got, before) && !publishing:
			case reflect.DeepEqual(got, after) && publishing:
			default:
				t.Errorf("crash %v, write %d of %d fails, Recover %q: the articles are neither as before nor as after the import", crash, failAt, writes, how)
			}
			if d := dump(t, s, StageType); len(d) != 1 {
				t.Errorf("crash %v, write %d fails: staged batches left after Recover: %v", crash, failAt, d)
			}
			// And the next import goes through.
			mustImport(t, s, dir, opts)
			if got := visible(s); !reflect.DeepEqual(got, after) {
				t.Errorf("crash %v, write %d fails: importing again does not give the imported articles", crash, failAt)
			}
		}
	}
}

// TestMessagesInCatalog checks that every message the package can give
// exists in every language.
func TestMessagesInCatalog(t *testing.T) {
	t.Parallel()
	keys := []string{"kb.no_front_matter", "kb.unclosed_front_matter", "kb.front_matter", "kb.render", "kb.bad_updated_at",
		"kb.read", "kb.duplicate_id", "kb.translation_missing", "kb.translation_taken", "kb.no_files", "kb.invalid"}
	for _, lang := range shared.Languages {
		for _, k := range keys {
			if i18n.T(lang, k) == k {
				t.Errorf("no %s message for %q", lang, k)
			}
		}
	}
}
