package kb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"outpost/shared/i18n"
)

const good = `---
id: wifi-connect
translation_of: wifi-connect
title: Connect to the office Wi-Fi
summary: Join Outpost-Corp.
category: network
tags: [wifi, network]
lang: en
visibility: public
---

Open **Settings**.

<script>alert(1)</script>
<a href="javascript:alert(1)">x</a>
`

func TestParse(t *testing.T) {
	a, err := Parse("wifi.md", []byte(good), 42)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "wifi-connect" || a.Title != "Connect to the office Wi-Fi" || a.Category != "network" || len(a.Tags) != 2 || a.UpdatedAt != 42 {
		t.Errorf("Parse = %+v", a)
	}
	if !strings.Contains(a.HTML, "<strong>Settings</strong>") {
		t.Errorf("HTML = %q; want rendered Markdown", a.HTML)
	}
	if strings.Contains(a.HTML, "<script") || strings.Contains(a.HTML, "javascript:") {
		t.Errorf("HTML = %q; want scripts sanitized away", a.HTML)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no front matter", "# Hi\n", "a.md:1: missing front matter"},
		{"unclosed", "---\nid: x\n", "a.md:1: front matter is not closed"},
		{"bad yaml", "---\nid: x\ntitle: [unclosed\n---\n", "a.md:"},
		{"unknown field", "---\nid: x\ncolour: red\n---\n", "a.md:3: front matter: field colour not found"},
		{"bad category", "---\nid: x\ntitle: T\nlang: en\ncategory: snacks\n---\nbody\n", `a.md:5: Unknown category "snacks".`},
		{"no title", "---\nid: x\nlang: en\ncategory: email\n---\n", "a.md:1: The article needs a title."},
		{"bad id", "---\nid: Not A Slug\ntitle: T\nlang: en\ncategory: email\n---\n", "a.md:2: Article ID"},
		{"bad lang", "---\nid: x\ntitle: T\nlang: fr\ncategory: email\n---\n", `a.md:4: Language "fr"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("a.md", []byte(tt.in), 0)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) error = %v; want prefix %q", tt.in, err, tt.want)
			}
		})
	}
}

// FuzzParse checks that no file crashes Parse, that every accepted article
// is valid and has sanitized HTML, and that Format writes it back to a file
// Parse reads as the same article (what export then import relies on).
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("---\nid: x\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: x\ntitle: \"a\\nb\"\nlang: en\ncategory: email\nupdated_at: 9999-12-31T23:59:59.999Z\n---\n---\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse("f.md", b, 0)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "f.md" || fe.Line < 0 || i18n.T("en", fe.Key) == fe.Key {
				t.Fatalf("Parse error %#v is not a FileError with a line and a catalog message", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid article: %v", err)
		}
		if strings.Contains(strings.ToLower(a.HTML), "<script") {
			t.Fatalf("HTML has a script: %q", a.HTML)
		}
		back, err := Parse("f.md", Format(a), 1)
		if err != nil || !reflect.DeepEqual(back, a) {
			t.Fatalf("Parse(Format(a)) = %+v, %v\nwant %+v\nfile:\n%s", back, err, a, Format(a))
		}
	})
}

// FuzzImport checks the import's reading and checking of a directory:
// the input is split into files at lines "===". Every problem must be a
// FileError naming one of the files, with a catalog message; if there is
// none, every article is valid, IDs are unique, and each article survives
// Format and Parse.
func FuzzImport(f *testing.F) {
	f.Add([]byte(good + "\n===\n" + strings.Replace(good, "id: wifi-connect", "id: wifi-connect-es", 1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := fstest.MapFS{}
		for i, part := range bytes.SplitN(b, []byte("\n===\n"), 5) {
			fsys[fmt.Sprintf("dir/%c.md", 'a'+i)] = &fstest.MapFile{Data: part}
		}
		names, err := findFiles(fsys)
		if err != nil || len(names) != len(fsys) {
			t.Fatalf("findFiles = %v, %v; want every file", names, err)
		}
		parsed, errs := readFiles(context.Background(), fsys, "root", names, Options{Now: 1}.withDefaults())
		errs = append(errs, crossCheck(parsed, map[string]articleMeta{"stored": {ID: "stored", Lang: "en"}})...)
		for _, e := range errs {
			if fsys[strings.TrimPrefix(filepath.ToSlash(e.File), "root/")] == nil || e.Line < 0 || i18n.T("en", e.Key) == e.Key {
				t.Fatalf("error %v does not name an input file with a catalog message", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		ids := map[string]bool{}
		for _, p := range parsed {
			if err := p.a.Validate(); err != nil || ids[p.a.ID] {
				t.Fatalf("accepted %s: %v, duplicate %v", p.a.ID, err, ids[p.a.ID])
			}
			ids[p.a.ID] = true
			if back, err := Parse(p.file, Format(p.a), 2); err != nil || !reflect.DeepEqual(back, p.a) {
				t.Fatalf("Parse(Format(a)) = %+v, %v\nwant %+v", back, err, p.a)
			}
		}
	})
}
