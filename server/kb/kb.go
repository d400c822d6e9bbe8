package kb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"gopkg.in/yaml.v3"

	"outpost/shared"
	"outpost/shared/i18n"
)

// FrontMatter is the YAML header of an article file. Revision, UpdatedAt
// and UpdatedBy describe the version a file was exported from; an import
// keeps them only for an article the store does not have yet (a restore),
// and otherwise stamps its own (see Import).
type FrontMatter struct {
	ID            string   `yaml:"id"`
	TranslationOf string   `yaml:"translation_of,omitempty"`
	Title         string   `yaml:"title"`
	Summary       string   `yaml:"summary,omitempty"`
	Category      string   `yaml:"category"`
	Subcategory   string   `yaml:"subcategory,omitempty"`
	Tags          []string `yaml:"tags,omitempty,flow"`
	Lang          string   `yaml:"lang"`
	Visibility    string   `yaml:"visibility,omitempty"`
	Status        string   `yaml:"status,omitempty"`
	Revision      int      `yaml:"revision,omitempty"`
	UpdatedAt     string   `yaml:"updated_at,omitempty"` // RFC 3339, UTC, milliseconds
	UpdatedBy     string   `yaml:"updated_by,omitempty"`
}

// timeLayout is how files write UpdatedAt: RFC 3339 with milliseconds, which
// is exactly the precision of Article.UpdatedAt.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// FileError is a problem in an article file, at a line (1-based; 0 if the
// whole file is at fault). Key and Args are a message-catalog entry, so the
// message can be shown in the reader's language.
type FileError struct {
	File string
	Line int
	Key  string
	Args []any
}

// Message returns the problem in lang, without file and line.
func (e *FileError) Message(lang string) string {
	// i18n.T may translate arguments in place; keep ours for the next reader.
	return i18n.T(lang, e.Key, append([]any(nil), e.Args...)...)
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Message("en"))
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message("en"))
}

var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

// policy allows what Markdown produces and nothing that runs or phones home.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code", "pre")
	return p
}()

// Render converts Markdown to HTML that is safe to show in the app.
func Render(src string) (string, error) {
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return policy.Sanitize(b.String()), nil
}

// Parse reads one article file. name is used in errors. Fields the file
// leaves out get defaults: visibility public, status published, revision 1,
// updated_by "import" and updatedAt (Unix milliseconds). Its category must
// be in cats, the tree in use.
func Parse(name string, data []byte, updatedAt int64, cats shared.CategoryTree) (shared.Article, error) {
	a, _, err := parse(name, data, updatedAt, cats)
	return a, err
}

// parse is Parse that also returns the line of each front-matter field, for
// errors found later (by the import's checks across files).
func parse(name string, data []byte, updatedAt int64, cats shared.CategoryTree) (shared.Article, fieldLines, error) {
	fail := func(line int, key string, args ...any) (shared.Article, fieldLines, error) {
		return shared.Article{}, nil, &FileError{File: name, Line: line, Key: key, Args: args}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return fail(1, "kb.no_front_matter")
	}
	head, body, ok := strings.Cut(text[4:], "\n---\n")
	if !ok {
		if h, found := strings.CutSuffix(text[4:], "\n---"); found {
			head, body, ok = h, "", true
		}
	}
	if !ok {
		return fail(1, "kb.unclosed_front_matter")
	}
	lines := fieldLinesOf(head)
	var fm FrontMatter
	dec := yaml.NewDecoder(strings.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		line, msg := yamlLine(err)
		return fail(line+1, "kb.front_matter", msg) // +1 for the opening "---"
	}
	body = strings.TrimSpace(body)
	html, err := Render(body)
	if err != nil {
		return fail(lines.of("body"), "kb.render", err.Error())
	}
	a := shared.Article{
		ID:            fm.ID,
		TranslationOf: fm.TranslationOf,
		Lang:          fm.Lang,
		Title:         strings.TrimSpace(fm.Title),
		Summary:       strings.TrimSpace(fm.Summary),
		Category:      fm.Category,
		Subcategory:   fm.Subcategory,
		Tags:          fm.Tags,
		Visibility:    fm.Visibility,
		Status:        fm.Status,
		Body:          body,
		HTML:          html,
		Revision:      fm.Revision,
		UpdatedAt:     updatedAt,
		UpdatedBy:     fm.UpdatedBy,
	}
	if a.Visibility == "" {
		a.Visibility = shared.Public
	}
	if a.Status == "" {
		a.Status = shared.ArticlePublished
	}
	if _, set := lines["revision"]; !set {
		a.Revision = 1
	}
	if a.UpdatedBy == "" {
		a.UpdatedBy = shared.AuthorImport
	}
	if fm.UpdatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, fm.UpdatedAt)
		if err != nil {
			return fail(lines.of("updated_at"), "kb.bad_updated_at", fm.UpdatedAt)
		}
		a.UpdatedAt = t.UnixMilli()
	}
	if len(a.Tags) == 0 {
		a.Tags = nil
	}
	if err := a.Validate(cats); err != nil {
		key, args := shared.ErrorKey(err)
		return fail(lines.of(errorField(key, args)), key, args...)
	}
	return a, lines, nil
}

// Format writes an article as a file that Parse reads back to the same
// article: every front-matter field, then the Markdown body.
func Format(a shared.Article) []byte {
	fm := FrontMatter{
		ID:            a.ID,
		TranslationOf: a.TranslationOf,
		Title:         a.Title,
		Summary:       a.Summary,
		Category:      a.Category,
		Subcategory:   a.Subcategory,
		Tags:          a.Tags,
		Lang:          a.Lang,
		Visibility:    a.Visibility,
		Status:        a.Status,
		Revision:      a.Revision,
		UpdatedAt:     time.UnixMilli(a.UpdatedAt).UTC().Format(timeLayout),
		UpdatedBy:     a.UpdatedBy,
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		// Encoding a struct of strings and ints into memory cannot fail.
		panic("kb: encode front matter: " + err.Error())
	}
	enc.Close()
	b.WriteString("---\n\n")
	if a.Body != "" {
		b.WriteString(a.Body)
		b.WriteString("\n")
	}
	return b.Bytes()
}

// yamlLine pulls the line number out of a yaml.v3 error ("yaml: line 3: …").
func yamlLine(err error) (int, string) {
	msg := err.Error()
	var line int
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		_, msg, _ = strings.Cut(msg, fmt.Sprintf("line %d: ", line))
	}
	return line, msg
}

// fieldLines maps a front-matter field to its line in the file. "body" is
// the line the body starts on.
type fieldLines map[string]int

// fieldLinesOf finds the top-level fields of a front matter.
func fieldLinesOf(head string) fieldLines {
	lines := fieldLines{}
	split := strings.Split(head, "\n")
	for i, l := range split {
		if name, _, ok := strings.Cut(l, ":"); ok && name != "" && !strings.ContainsAny(name[:1], " \t#-") {
			if _, seen := lines[name]; !seen {
				lines[name] = i + 2 // +1 for 1-based, +1 for the opening "---"
			}
		}
	}
	lines["body"] = len(split) + 3
	return lines
}

// of returns the line of field, or 1 (the front matter) if it is not there.
func (l fieldLines) of(field string) int {
	if n, ok := l[field]; ok {
		return n
	}
	return 1
}

// errorField returns the field an article validation error is about.
func errorField(key string, args []any) string {
	if key == "field.too_long" && len(args) > 0 {
		name, _ := args[0].(string)
		return name
	}
	return map[string]string{
		"article.bad_id": "id", "article.bad_translation_of": "translation_of",
		"article.bad_lang": "lang", "article.title_required": "title",
		"category.unknown": "category", "subcategory.unknown": "subcategory",
		"article.too_many_tags": "tags", "article.bad_tag": "tags",
		"article.bad_visibility": "visibility", "article.bad_status": "status",
		"article.bad_revision": "revision", "article.bad_time": "updated_at",
		"article.bad_updated_by": "updated_by",
	}[key]
}
