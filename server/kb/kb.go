// Package kb turns Markdown files with YAML front matter into articles:
// parsing with errors that name file and line, and rendering Markdown to
// sanitized HTML.
package kb

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"gopkg.in/yaml.v3"

	"outpost/shared"
	"outpost/shared/i18n"
)

// FrontMatter is the YAML header of an article file.
type FrontMatter struct {
	ID            string   `yaml:"id"`
	TranslationOf string   `yaml:"translation_of"`
	Title         string   `yaml:"title"`
	Summary       string   `yaml:"summary"`
	Category      string   `yaml:"category"`
	Tags          []string `yaml:"tags"`
	Lang          string   `yaml:"lang"`
	Visibility    string   `yaml:"visibility"`
}

// FileError is a problem in an article file, at a line (1-based; 0 if the
// whole file is at fault).
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
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

// Parse reads one article file. name is used in errors; updatedAt is stamped
// on the article (Unix milliseconds).
func Parse(name string, data []byte, updatedAt int64) (shared.Article, error) {
	fail := func(line int, format string, args ...any) (shared.Article, error) {
		return shared.Article{}, &FileError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return fail(1, "missing front matter: the file must start with a line \"---\"")
	}
	head, body, ok := strings.Cut(text[4:], "\n---\n")
	if !ok {
		if h, found := strings.CutSuffix(text[4:], "\n---"); found {
			head, body, ok = h, "", true
		}
	}
	if !ok {
		return fail(1, "front matter is not closed by a line \"---\"")
	}
	var fm FrontMatter
	dec := yaml.NewDecoder(strings.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil {
		line, msg := yamlLine(err)
		return fail(line+1, "front matter: %s", msg) // +1 for the opening "---"
	}
	bodyLine := strings.Count(head, "\n") + 3
	html, err := Render(body)
	if err != nil {
		return fail(bodyLine, "%v", err)
	}
	a := shared.Article{
		ID:            fm.ID,
		TranslationOf: fm.TranslationOf,
		Lang:          fm.Lang,
		Title:         strings.TrimSpace(fm.Title),
		Summary:       strings.TrimSpace(fm.Summary),
		Category:      fm.Category,
		Tags:          fm.Tags,
		Visibility:    fm.Visibility,
		Body:          strings.TrimSpace(body),
		HTML:          html,
		UpdatedAt:     updatedAt,
	}
	if a.Visibility == "" {
		a.Visibility = shared.Public
	}
	if err := a.Validate(); err != nil {
		key, args := shared.ErrorKey(err)
		return fail(fieldLine(head, key), "%s", i18n.T("en", key, args...))
	}
	return a, nil
}

// yamlLine pulls the line number out of a yaml.v3 error ("yaml: line 3: …").
func yamlLine(err error) (int, string) {
	msg := err.Error()
	var line int
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if _, scanErr := fmt.Sscanf(strings.TrimPrefix(msg, "yaml: "), "line %d:", &line); scanErr == nil {
		_, msg, _ = strings.Cut(msg, fmt.Sprintf("line %d: ", line))
	}
	return line, msg
}

// fieldLine returns the file line of the front-matter field an error key is
// about, or 1 (the front matter) if it cannot tell.
func fieldLine(head, key string) int {
	field := map[string]string{
		"article.bad_id": "id", "article.bad_translation_of": "translation_of",
		"article.bad_lang": "lang", "article.title_required": "title",
		"category.unknown": "category", "article.too_many_tags": "tags",
		"article.bad_visibility": "visibility",
	}[key]
	for i, l := range strings.Split(head, "\n") {
		if field != "" && strings.HasPrefix(l, field+":") {
			return i + 2
		}
	}
	return 1
}
