package kb

import (
	"strings"
	"testing"
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

// FuzzParse checks that no file crashes Parse and that every accepted
// article is valid and has sanitized HTML.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("---\nid: x\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse("f.md", b, 0)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid article: %v", err)
		}
		if strings.Contains(strings.ToLower(a.HTML), "<script") {
			t.Fatalf("HTML has a script: %q", a.HTML)
		}
	})
}
