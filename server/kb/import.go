package kb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/clock"
	"outpost/shared/wire"
)

// How an import writes (the package documentation says what it guarantees):
//
//   - Every file is read, parsed and checked, alone and against the others
//     and the store, before anything is written. Any problem: nothing is
//     written, and the report lists every problem with file and line.
//   - Articles whose content did not change are left alone: no new revision,
//     no new change-log version.
//   - If the new and changed articles fit in one batch (BatchBytes), they are
//     written in one transaction: all or nothing, by the store's guarantee.
//   - Otherwise they are first staged: a journal record (JournalType) says
//     "staging", the batches are written as StageType records, one
//     transaction each, then the journal says "publishing". Then each batch
//     is published in one transaction that writes its articles and their
//     revisions and deletes the staged batch. Last, the journal says "done".
//   - Recover, which every Import and Export runs first and the server runs
//     before it serves (seed.IfEmpty), finishes what a crash or error left:
//     a journal still "staging" is rolled back (staged batches deleted, no
//     article touched), one "publishing" is rolled forward (the remaining
//     batches published).
const (
	// JournalType is the record type of the import journal: one record,
	// the state of the last multi-batch import.
	JournalType = "kbimport"
	// StageType is the record type of staged batches of articles.
	StageType = "kbstage"

	journalID = "journal"
)

// Journal states.
const (
	stateStaging    = "staging"
	statePublishing = "publishing"
	stateDone       = "done"
	stateRolledBack = "rolled_back"
)

// journal is the JournalType record.
type journal struct {
	ID       string `json:"id"` // the import's UUIDv7, for logs
	State    string `json:"state"`
	Now      int64  `json:"now"` // the time stamped on changed articles
	Batches  int    `json:"batches"`
	Articles int    `json:"articles"`
}

// batch is a StageType record.
type batch struct {
	Articles []shared.Article `json:"articles"`
}

func batchID(i int) string { return fmt.Sprintf("batch-%06d", i) }

// DefaultBatchBytes bounds the JSON of one batch. A staged batch is one
// record, and Badger in memory refuses values over 1 MiB (on disk it has no
// such limit); publishing a batch writes each article twice (the article
// and its revision), about 1 MB a transaction, well under Badger's limit of
// about 10 MB with default options.
const DefaultBatchBytes = 512 << 10

// Options tune Import, Recover and Export. The zero value is usable.
type Options struct {
	// Now is stamped on new and changed articles, in Unix milliseconds;
	// 0 means the current time by Clock.
	Now int64
	// Clock tells the current time when Now is 0: the caller's (the
	// server's, or the command's) clock; nil means the wall clock.
	Clock clock.Clock
	// Progress, if set, is called as work advances: phase is "checking"
	// (files read and checked), "staging" or "publishing" (articles
	// written); total is the phase's amount of work.
	Progress func(phase string, done, total int)
	// Changed, if set, is called after each transaction that changed
	// articles. A server running an import passes its sync service's
	// Changed, so connected clients pull.
	Changed func()
	// BatchBytes bounds a batch's JSON; 0 means DefaultBatchBytes.
	BatchBytes int
	// Categories is the category tree articles are checked against: the
	// store's (sync.StoredCategories); nil means the default,
	// shared.Categories.
	Categories shared.CategoryTree
}

func (o Options) withDefaults() Options {
	if o.Now == 0 {
		o.Now = clock.Or(o.Clock).Now().UnixMilli()
	}
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	if o.Changed == nil {
		o.Changed = func() {}
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.Categories == nil {
		o.Categories = shared.Categories
	}
	return o
}

// Report says what an import found and did. New, Changed and Unchanged are
// article IDs in file order.
type Report struct {
	Files     int
	New       []string
	Changed   []string
	Unchanged []string
	// Batches is the number of batches written; above 1 the import went
	// through the journal.
	Batches int
	// Errors lists every problem found, by file and line. If there are
	// any, nothing was written.
	Errors []*FileError
}

// importMu serializes imports, exports and recoveries in this process, so
// one never rolls back another's journal. Badger's directory lock keeps
// other processes out.
var importMu sync.Mutex

// Import imports every *.md file under dir (recursively, in path order,
// skipping directories whose names start with "."). See ImportFS.
func Import(ctx context.Context, s store.Store, dir string, opts Options) (Report, error) {
	return ImportFS(ctx, s, os.DirFS(dir), dir, opts)
}

// ImportFS imports every *.md file in fsys; root prefixes file names in
// errors. It first finishes any import a crash interrupted (see Recover),
// then reads and checks every file: alone (Parse) and together (no ID used
// twice, translation_of names an article in the import or the store, no two
// articles with the same translation_of and lang). If anything is wrong it
// writes nothing and returns the report, whose Errors list every problem,
// and an EINVALID *shared.Error. Otherwise it writes new and changed
// articles, each changed one with its Revision incremented, and a
// shared.Revision record for every version written. Articles in the store
// but not in fsys are left alone.
//
// An error while writing leaves either no trace in the articles (the
// import is rolled back) or, once publishing has begun, an import that
// Recover completes; the error says which.
func ImportFS(ctx context.Context, s store.Store, fsys fs.FS, root string, opts Options) (Report, error) {
	importMu.Lock()
	defer importMu.Unlock()
	opts = opts.withDefaults()
	var rep Report
	if _, err := recoverLocked(ctx, s, opts); err != nil {
		return rep, fmt.Errorf("finish an interrupted import: %w", err)
	}
	names, err := findFiles(fsys)
	if err != nil {
		return rep, err
	}
	if len(names) == 0 {
		return rep, shared.Errorf(shared.EINVALID, "kb.no_files", root)
	}
	rep.Files = len(names)
	parsed, errs := readFiles(ctx, fsys, root, names, opts)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	var changed []shared.Article
	err = s.View(ctx, func(tx store.ReadTx) error {
		stored, err := loadMeta(tx)
		if err != nil {
			return err
		}
		if errs = append(errs, crossCheck(parsed, stored)...); len(errs) > 0 {
			return nil
		}
		for _, p := range parsed {
			cur, found, err := getArticle(tx, p.a.ID)
			switch {
			case err != nil:
				return err
			case !found:
				rep.New = append(rep.New, p.a.ID)
			case sameContent(cur, p.a):
				rep.Unchanged = append(rep.Unchanged, p.a.ID)
				continue
			default:
				rep.Changed = append(rep.Changed, p.a.ID)
			}
			changed = append(changed, p.a)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("read the store: %w", err)
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].File != errs[j].File {
				return errs[i].File < errs[j].File
			}
			return errs[i].Line < errs[j].Line
		})
		rep.Errors = errs
		bad := map[string]bool{}
		for _, e := range errs {
			bad[e.File] = true
		}
		return rep, shared.Errorf(shared.EINVALID, "kb.invalid", len(bad))
	}
	if len(changed) == 0 {
		return rep, nil
	}
	batches, err := split(changed, opts.BatchBytes)
	if err != nil {
		return rep, err
	}
	rep.Batches = len(batches)
	return rep, write(ctx, s, batches, len(changed), opts)
}

// parsedFile is an article read from a file.
type parsedFile struct {
	file  string
	a     shared.Article
	lines fieldLines
}

func (p *parsedFile) errorf(field, key string, args ...any) *FileError {
	return &FileError{File: p.file, Line: p.lines.of(field), Key: key, Args: args}
}

// findFiles lists the *.md files in fsys, sorted.
func findFiles(fsys fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && name != "." && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case !d.IsDir() && strings.HasSuffix(name, ".md"):
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list article files: %w", err)
	}
	sort.Strings(names)
	return names, nil
}

// readFiles reads and parses every file, collecting one error per bad file.
func readFiles(ctx context.Context, fsys fs.FS, root string, names []string, opts Options) ([]parsedFile, []*FileError) {
	var parsed []parsedFile
	var errs []*FileError
	for i, name := range names {
		if ctx.Err() != nil {
			break
		}
		file := filepath.Join(root, filepath.FromSlash(name))
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, &FileError{File: file, Key: "kb.read", Args: []any{err.Error()}})
			continue
		}
		a, lines, err := parse(file, data, opts.Now, opts.Categories)
		var fe *FileError
		switch {
		case errors.As(err, &fe):
			errs = append(errs, fe)
		case err != nil:
			errs = append(errs, &FileError{File: file, Key: "kb.read", Args: []any{err.Error()}})
		default:
			parsed = append(parsed, parsedFile{file: file, a: a, lines: lines})
		}
		opts.Progress("checking", i+1, len(names))
	}
	return parsed, errs
}

// articleMeta is what the checks across files need of a stored article.
type articleMeta struct {
	ID            string `json:"id"`
	TranslationOf string `json:"translation_of"`
	Lang          string `json:"lang"`
}

func loadMeta(tx store.ReadTx) (map[string]articleMeta, error) {
	stored := map[string]articleMeta{}
	err := tx.Each(wire.TypeArticle, func(id string, data []byte) error {
		var m articleMeta
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("decode article %s: %w", id, err)
		}
		stored[id] = m
		return nil
	})
	return stored, err
}

// group is the article a translation belongs with: its translation_of, or
// itself.
func group(id, translationOf string) string {
	if translationOf != "" {
		return translationOf
	}
	return id
}

// crossCheck finds what no file shows alone: an ID used twice, a
// translation_of naming no article, and two articles in one language for
// the same original. The store counts as it will be after the import; a
// conflict only among stored articles is not this import's to report.
func crossCheck(parsed []parsedFile, stored map[string]articleMeta) []*FileError {
	var errs []*FileError
	byID := map[string]*parsedFile{}
	var unique []*parsedFile
	for i := range parsed {
		p := &parsed[i]
		if first, dup := byID[p.a.ID]; dup {
			errs = append(errs, p.errorf("id", "kb.duplicate_id", p.a.ID, first.file))
			continue
		}
		byID[p.a.ID] = p
		unique = append(unique, p)
	}
	for _, p := range unique {
		t := p.a.TranslationOf
		if _, inStore := stored[t]; t != "" && byID[t] == nil && !inStore {
			errs = append(errs, p.errorf("translation_of", "kb.translation_missing", t))
		}
	}
	type key struct{ group, lang string }
	owner := map[key]string{}
	translationLine := func(p *parsedFile) string {
		if p.a.TranslationOf != "" {
			return "translation_of"
		}
		return "id"
	}
	for _, p := range unique {
		k := key{group(p.a.ID, p.a.TranslationOf), p.a.Lang}
		if other, taken := owner[k]; taken {
			errs = append(errs, p.errorf(translationLine(p), "kb.translation_taken", k.group, k.lang, other))
			continue
		}
		owner[k] = p.a.ID
	}
	ids := make([]string, 0, len(stored))
	for id := range stored {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if byID[id] != nil {
			continue // replaced by the import
		}
		m := stored[id]
		k := key{group(id, m.TranslationOf), m.Lang}
		other, taken := owner[k]
		if !taken {
			owner[k] = id
			continue
		}
		if p := byID[other]; p != nil {
			errs = append(errs, p.errorf(translationLine(p), "kb.translation_taken", k.group, k.lang, id))
		}
	}
	return errs
}

// getArticle reads a stored article, normalized (see normalize).
func getArticle(tx store.ReadTx, id string) (shared.Article, bool, error) {
	data, err := tx.Get(wire.TypeArticle, id)
	if shared.ErrorCode(err) == shared.ENOTFOUND {
		return shared.Article{}, false, nil
	}
	if err != nil {
		return shared.Article{}, false, err
	}
	var a shared.Article
	if err := json.Unmarshal(data, &a); err != nil {
		return shared.Article{}, false, fmt.Errorf("decode article %s: %w", id, err)
	}
	normalize(&a)
	return a, true, nil
}

// normalize reads an article stored before statuses and revisions existed
// as what it was: published, revision 1, written by the seed's import.
func normalize(a *shared.Article) {
	if a.Status == "" {
		a.Status = shared.ArticlePublished
	}
	if a.Revision < 1 {
		a.Revision = 1
	}
	if a.UpdatedBy == "" {
		a.UpdatedBy = shared.AuthorImport
	}
	if len(a.Tags) == 0 {
		a.Tags = nil
	}
}

// sameContent reports whether a and b differ only in revision, update time
// and author: re-importing such an article changes nothing.
func sameContent(a, b shared.Article) bool {
	for _, x := range []*shared.Article{&a, &b} {
		x.Revision, x.UpdatedAt, x.UpdatedBy = 0, 0, ""
		if len(x.Tags) == 0 {
			x.Tags = nil
		}
	}
	return reflect.DeepEqual(a, b)
}

// split cuts articles into batches of at most maxBytes of JSON each (an
// article larger than that gets a batch of its own).
func split(articles []shared.Article, maxBytes int) ([][]shared.Article, error) {
	var batches [][]shared.Article
	var cur []shared.Article
	size := 0
	for _, a := range articles {
		data, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		n := len(data) + 1 // and a comma
		if len(cur) > 0 && size+n > maxBytes {
			batches = append(batches, cur)
			cur, size = nil, 0
		}
		cur = append(cur, a)
		size += n
	}
	return append(batches, cur), nil
}

// publishArticle writes a as the new version of its article, with a
// revision record, unless the stored article has the same content. An
// article already stored gets the next revision number, now and
// AuthorImport; a new one keeps what its file said (Parse's defaults if it
// said nothing). It reports whether it wrote.
func publishArticle(tx store.Tx, a shared.Article, now int64) (bool, error) {
	cur, found, err := getArticle(tx, a.ID)
	if err != nil {
		return false, err
	}
	if found {
		if sameContent(cur, a) {
			return false, nil
		}
		a.Revision, a.UpdatedAt, a.UpdatedBy = cur.Revision+1, now, shared.AuthorImport
	}
	data, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	if _, err := tx.Put(wire.TypeArticle, a.ID, data); err != nil {
		return false, err
	}
	rev, err := json.Marshal(shared.NewRevision(a))
	if err != nil {
		return false, err
	}
	_, err = tx.Put(shared.RevisionType, shared.RevisionID(a.ID, a.Revision), rev)
	return err == nil, err
}

// write writes the batches: one in a single transaction, more through the
// journal.
func write(ctx context.Context, s store.Store, batches [][]shared.Article, total int, opts Options) error {
	if len(batches) == 1 {
		err := s.Update(ctx, func(tx store.Tx) error {
			for _, a := range batches[0] {
				if _, err := publishArticle(tx, a, opts.Now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("write articles: %w", err)
		}
		opts.Progress("publishing", total, total)
		opts.Changed()
		return nil
	}
	j := journal{
		ID: shared.NewID(time.UnixMilli(opts.Now)), State: stateStaging, Now: opts.Now,
		Batches: len(batches), Articles: total,
	}
	if err := putJournal(ctx, s, j); err != nil {
		return fmt.Errorf("start the import journal: %w", err)
	}
	undo := func(err error) error {
		if rbErr := rollback(context.WithoutCancel(ctx), s, j); rbErr != nil {
			return fmt.Errorf("import stopped before publishing (%w), and removing its staged copy failed too (%v): "+
				"no article changed; the staged copy is removed when the server next starts or at the next import", err, rbErr)
		}
		return fmt.Errorf("import stopped before publishing, no article changed: %w", err)
	}
	staged := 0
	for i, b := range batches {
		data, err := json.Marshal(batch{Articles: b})
		if err != nil {
			return undo(err)
		}
		err = s.Update(ctx, func(tx store.Tx) error {
			_, err := tx.Put(StageType, batchID(i), data)
			return err
		})
		if err != nil {
			return undo(fmt.Errorf("stage batch %d: %w", i+1, err))
		}
		staged += len(b)
		opts.Progress("staging", staged, total)
	}
	j.State = statePublishing
	if err := putJournal(ctx, s, j); err != nil {
		return undo(fmt.Errorf("mark the import ready to publish: %w", err))
	}
	// From here on the import goes forward: a cancelled context no longer
	// stops it, and an error leaves it to Recover.
	if err := publishStaged(context.WithoutCancel(ctx), s, j, opts); err != nil {
		return fmt.Errorf("import interrupted while publishing (%w): "+
			"it is completed when the server next starts or at the next `outpost kb import` or export", err)
	}
	return nil
}

// publishStaged publishes every staged batch still there, one transaction
// each, then marks the journal done.
func publishStaged(ctx context.Context, s store.Store, j journal, opts Options) error {
	done := 0
	for i := 0; i < j.Batches; i++ {
		n := 0
		err := s.Update(ctx, func(tx store.Tx) error {
			n = 0
			data, err := tx.Get(StageType, batchID(i))
			if shared.ErrorCode(err) == shared.ENOTFOUND {
				return nil // published before an interruption
			}
			if err != nil {
				return err
			}
			var b batch
			if err := json.Unmarshal(data, &b); err != nil {
				return fmt.Errorf("decode staged batch %d: %w", i+1, err)
			}
			for _, a := range b.Articles {
				if _, err := publishArticle(tx, a, j.Now); err != nil {
					return err
				}
			}
			n = len(b.Articles)
			return tx.Delete(StageType, batchID(i))
		})
		if err != nil {
			return fmt.Errorf("publish batch %d of %d: %w", i+1, j.Batches, err)
		}
		if n > 0 {
			done += n
			opts.Progress("publishing", done, j.Articles)
			opts.Changed()
		}
	}
	j.State = stateDone
	if err := putJournal(ctx, s, j); err != nil {
		return fmt.Errorf("close the import journal: %w", err)
	}
	return nil
}

// rollback deletes an import's staged batches and marks its journal rolled
// back, in one transaction. No article is touched: none was published.
func rollback(ctx context.Context, s store.Store, j journal) error {
	return s.Update(ctx, func(tx store.Tx) error {
		for i := 0; i < j.Batches; i++ {
			if err := tx.Delete(StageType, batchID(i)); err != nil {
				return err
			}
		}
		j.State = stateRolledBack
		return putJournalTx(tx, j)
	})
}

func putJournal(ctx context.Context, s store.Store, j journal) error {
	return s.Update(ctx, func(tx store.Tx) error { return putJournalTx(tx, j) })
}

func putJournalTx(tx store.Tx, j journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = tx.Put(JournalType, journalID, data)
	return err
}

// Recovery says what Recover did.
type Recovery string

// What Recover can do.
const (
	RecoveredNothing Recovery = ""
	RolledBack       Recovery = "rolled back"
	Completed        Recovery = "completed"
)

// Recover finishes an import that a crash or an error interrupted: one
// still staging is rolled back (no article had changed), one publishing is
// completed. Run it before serving from a store; Import and Export run it
// first.
func Recover(ctx context.Context, s store.Store, opts Options) (Recovery, error) {
	importMu.Lock()
	defer importMu.Unlock()
	return recoverLocked(ctx, s, opts.withDefaults())
}

func recoverLocked(ctx context.Context, s store.Store, opts Options) (Recovery, error) {
	var j journal
	found := false
	err := s.View(ctx, func(tx store.ReadTx) error {
		data, err := tx.Get(JournalType, journalID)
		if shared.ErrorCode(err) == shared.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return json.Unmarshal(data, &j)
	})
	if err != nil || !found {
		return RecoveredNothing, err
	}
	switch j.State {
	case stateStaging:
		return RolledBack, rollback(ctx, s, j)
	case statePublishing:
		return Completed, publishStaged(ctx, s, j, opts)
	}
	return RecoveredNothing, nil
}

// Export writes every article, whatever its status and visibility, to
// dir/<id>.md in the format Import reads, and returns how many it wrote.
// It first finishes any interrupted import (see Recover), so it never
// exports half of one. Revisions are not exported.
func Export(ctx context.Context, s store.Store, dir string, opts Options) (int, error) {
	importMu.Lock()
	defer importMu.Unlock()
	opts = opts.withDefaults()
	if _, err := recoverLocked(ctx, s, opts); err != nil {
		return 0, fmt.Errorf("finish an interrupted import: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("create export directory: %w", err)
	}
	n := 0
	err := s.View(ctx, func(tx store.ReadTx) error {
		return tx.Each(wire.TypeArticle, func(id string, data []byte) error {
			var a shared.Article
			if err := json.Unmarshal(data, &a); err != nil {
				return fmt.Errorf("decode article %s: %w", id, err)
			}
			if !shared.ValidSlug(id) || a.ID != id {
				return fmt.Errorf("article record %q has ID %q; not exporting it", id, a.ID)
			}
			normalize(&a)
			if err := os.WriteFile(filepath.Join(dir, id+".md"), Format(a), 0o644); err != nil {
				return fmt.Errorf("export article: %w", err)
			}
			n++
			return nil
		})
	})
	return n, err
}
