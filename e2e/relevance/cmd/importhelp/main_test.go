package main

import "testing"

// TestParse turns a Mallard page into the corpus's plain text: the info's
// desc is the summary, metadata and editorial comments are left out, key
// sequences and menu paths keep their words apart, a link without text
// shows the target's title, and the classic-desktop variant is dropped.
func TestParse(t *testing.T) {
	src := `<page xmlns="http://projectmallard.org/1.0/" xmlns:if="http://projectmallard.org/if/1.0/" type="topic" id="printing-streaks">
  <info>
    <link type="guide" xref="printing#problems"/>
    <credit type="author"><name>Someone</name></credit>
    <title type="link">Link title</title>
    <desc>If print-outs are
      streaky, clean the print head.</desc>
  </info>
  <title>Why are there streaks
  on my print-outs?</title>
  <comment><p>Editor: check this.</p></comment>
  <p>Press <keyseq><key>Ctrl</key><key>P</key></keyseq> and open
  <guiseq><gui>Settings</gui><gui>Printers</gui></guiseq>.</p>
  <if:choose>
    <if:when test="platform:gnome-classic"><p>Classic text.</p></if:when>
    <if:else><p>Default text.</p></if:else>
  </if:choose>
  <p>See <link xref="printing-inklevel"/> and <link xref="printing-setup">set it up</link>.</p>
</page>`
	p, err := parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.id != "printing-streaks" || p.typ != "topic" {
		t.Errorf("id %q type %q", p.id, p.typ)
	}
	if want := "Why are there streaks on my print-outs?"; p.title != want {
		t.Errorf("title %q, want %q", p.title, want)
	}
	if want := "If print-outs are streaky, clean the print head."; p.desc != want {
		t.Errorf("summary %q, want %q", p.desc, want)
	}
	body := p.body(map[string]string{"printing-inklevel": "Check ink levels"})
	want := "Press Ctrl P and open Settings Printers .\n\nDefault text.\n\nSee Check ink levels and set it up."
	if body != want {
		t.Errorf("body\n%q\nwant\n%q", body, want)
	}

	if _, err := parse([]byte(`<section id="x"><title>T</title></section>`)); err == nil {
		t.Error("a file that is not a page parsed")
	}
}
