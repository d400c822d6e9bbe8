// Command importhelp turns GNOME Help (Debian's gnome-user-docs: Mallard
// .page XML under /usr/share/help/<lang>/gnome-help/) into the compact
// corpus the relevance benchmark searches (e2e/relevance): one article per
// topic page, English (help/C) and Spanish (help/es), with a plain-text
// body. Navigation pages (type="guide") are left out. `make help-corpus`
// downloads the pinned package and runs it:
//
//	importhelp -help DIR/usr/share/help -source gnome-user-docs_43.0-2_all.deb -o e2e/relevance/testdata/gnome-help.json.gz
//
// The output is deterministic: the same pages give the same bytes.
package main

import (
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"outpost/e2e/relevance"
)

func main() {
	helpDir := flag.String("help", "/usr/share/help", "the help directory holding C/gnome-help and es/gnome-help")
	source := flag.String("source", "gnome-user-docs", "where the pages came from, recorded in the corpus")
	out := flag.String("o", "e2e/relevance/testdata/gnome-help.json.gz", "the corpus file to write (gzip-compressed JSON)")
	flag.Parse()
	if err := run(*helpDir, *source, *out); err != nil {
		fmt.Fprintln(os.Stderr, "importhelp:", err)
		os.Exit(1)
	}
}

// langs maps the help directory of a language to the corpus language.
var langs = []struct{ dir, lang string }{{"C", "en"}, {"es", "es"}}

func run(helpDir, source, out string) error {
	c := relevance.HelpCorpus{
		Source:  source,
		License: "CC-BY-SA-3.0, GNOME Help (https://gitlab.gnome.org/GNOME/gnome-user-docs); see NOTICE.md",
	}
	for _, l := range langs {
		dir := filepath.Join(helpDir, l.dir, "gnome-help")
		arts, err := importDir(dir, l.lang)
		if err != nil {
			return err
		}
		if len(arts) == 0 {
			return fmt.Errorf("%s: no topic pages (is gnome-user-docs unpacked there?)", dir)
		}
		c.Articles = append(c.Articles, arts...)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("importhelp: %d articles → %s\n", len(c.Articles), out)
	return nil
}

// importDir reads every .page of one language, sorted by page ID.
func importDir(dir, lang string) ([]relevance.Article, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.page"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	pages := make([]*page, 0, len(names))
	titles := map[string]string{}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		p, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		pages = append(pages, p)
		titles[p.id] = p.title
	}
	var arts []relevance.Article
	for _, p := range pages {
		if p.typ == "guide" {
			continue
		}
		id := relevance.HelpID(p.id, lang)
		cat, _, _ := strings.Cut(p.id, "-")
		arts = append(arts, relevance.Article{
			ID:            id,
			TranslationOf: relevance.HelpID(p.id, "en"),
			Lang:          lang,
			Title:         p.title,
			Summary:       p.desc,
			Category:      cat,
			Body:          p.body(titles),
		})
	}
	return arts, nil
}

// page is one Mallard page: its text as blocks, with links whose text
// Mallard takes from the target page's title left to fill in.
type page struct {
	id, typ, title, desc string
	blocks               []block
}

// block is one paragraph of text; links are placeholders "\x00xref\x00"
// for links without their own text.
type block struct{ text string }

// blockElems end a paragraph of the body.
var blockElems = map[string]bool{
	"p": true, "title": true, "subtitle": true, "item": true, "td": true, "th": true,
	"code": true, "screen": true, "note": true, "section": true, "steps": true,
	"list": true, "terms": true, "table": true, "tr": true, "example": true, "figure": true,
	"desc": true, "cite": true, "quote": true, "synopsis": true,
}

// skipElems hold no reader-facing text.
var skipElems = map[string]bool{
	"comment": true, "links": true, "include": true,
}

func parse(b []byte) (*page, error) {
	d := xml.NewDecoder(strings.NewReader(string(b)))
	p := &page{}
	var (
		stack    []xml.StartElement
		skip     int // depth inside an element whose text is left out
		cur      strings.Builder
		inInfo   bool
		inDesc   bool
		inTitle  bool
		desc     strings.Builder
		title    strings.Builder
		linkText []bool // per open link: whether it had text
	)
	flush := func() {
		if t := collapse(cur.String()); t != "" {
			p.blocks = append(p.blocks, block{t})
		}
		cur.Reset()
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			depth := len(stack)
			stack = append(stack, t)
			if depth == 0 {
				if name != "page" {
					return nil, fmt.Errorf("root is <%s>, want <page>", name)
				}
				p.id, p.typ = attr(t, "id"), attr(t, "type")
				continue
			}
			if skip > 0 {
				skip++
				continue
			}
			// The desc of the page's info is its summary; the rest of
			// info is metadata. A classic-desktop variant duplicates
			// the default one.
			if name == "info" && depth == 1 {
				inInfo = true
				continue
			}
			if inInfo {
				if name == "desc" && depth == 2 {
					inDesc = true
				} else {
					skip = 1
				}
				continue
			}
			if skipElems[name] || (name == "when" && attr(t, "test") == "platform:gnome-classic") {
				skip = 1
				continue
			}
			if name == "title" && depth == 1 {
				inTitle = true
				continue
			}
			if blockElems[name] {
				flush()
			}
			if name == "link" {
				linkText = append(linkText, false)
				if x := attr(t, "xref"); x != "" {
					// Replaced by the target's title if the link has no text.
					cur.WriteString("\x00" + x + "\x00")
				}
			}
		case xml.EndElement:
			name := t.Name.Local
			stack = stack[:len(stack)-1]
			if skip > 0 {
				skip--
				continue
			}
			switch {
			case inDesc && name == "desc":
				inDesc = false
			case inInfo && name == "info":
				inInfo = false
			case inTitle && name == "title" && len(stack) == 1:
				inTitle = false
			case name == "link" && len(linkText) > 0:
				linkText = linkText[:len(linkText)-1]
			case name == "key" || name == "gui":
				// Separate the keys of a key sequence and the steps of a
				// menu path.
				if parent := stack[len(stack)-1].Name.Local; parent == "keyseq" || parent == "guiseq" {
					cur.WriteString(" ")
				}
			}
			if blockElems[name] {
				flush()
			}
		case xml.CharData:
			if skip > 0 {
				continue
			}
			switch {
			case inDesc:
				desc.Write(t)
			case inTitle:
				title.Write(t)
			case len(stack) > 1:
				if len(linkText) > 0 && !linkText[len(linkText)-1] && strings.TrimSpace(string(t)) != "" {
					// The link has its own text: drop the placeholder.
					s := cur.String()
					if i := strings.LastIndexByte(strings.TrimRight(s, "\x00"), 0); i >= 0 && strings.HasSuffix(s, "\x00") {
						cur.Reset()
						cur.WriteString(s[:i])
					}
					linkText[len(linkText)-1] = true
				}
				cur.Write(t)
			}
		}
	}
	flush()
	p.title, p.desc = collapse(title.String()), collapse(desc.String())
	if p.id == "" || p.title == "" {
		return nil, errors.New("page without id or title")
	}
	return p, nil
}

// body joins the blocks as paragraphs, links without text replaced by the
// title of the page they point to.
func (p *page) body(titles map[string]string) string {
	var b strings.Builder
	for i, bl := range p.blocks {
		if i > 0 {
			b.WriteString("\n\n")
		}
		parts := strings.Split(bl.text, "\x00")
		for j, part := range parts {
			if j%2 == 0 {
				b.WriteString(part)
				continue
			}
			id, _, _ := strings.Cut(part, "#")
			b.WriteString(titles[id])
		}
	}
	return b.String()
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// collapse joins runs of white space into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
