package markdown

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"heading", "## Reset it", "<h2>Reset it</h2>"},
		{"heading closing hashes", "# Title ##", "<h1>Title</h1>"},
		{"setext", "Title\n===", "<h1>Title</h1>"},
		{"not a heading", "#hashtag", "<p>#hashtag</p>"},
		{"paragraphs", "one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>"},
		{"emphasis", "*a* **b** _c_ __d__ ~~e~~", "<p><em>a</em> <strong>b</strong> <em>c</em> <strong>d</strong> <del>e</del></p>"},
		{"snake case", "my_var_name", "<p>my_var_name</p>"},
		{"code span", "run `rm -rf <dir>` now", "<p>run <code>rm -rf &lt;dir&gt;</code> now</p>"},
		{"link", "[VPN](https://vpn.example.com/a?b=1&c=2)", `<p><a href="https://vpn.example.com/a?b=1&amp;c=2">VPN</a></p>`},
		{"relative link", "[see](/article/vpn-setup)", `<p><a href="/article/vpn-setup">see</a></p>`},
		{"javascript link", "[x](javascript:alert(1))", "<p>x</p>"},
		{"tab in scheme", "[x](java\tscript:alert(1))", "<p>[x](java    script:alert(1))</p>"},
		{"autolink", "<https://example.com>", `<p><a href="https://example.com">https://example.com</a></p>`},
		{"raw html escaped", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"attribute breakout", `[a](/x"onmouseover="alert(1))`, `<p><a href="/x&#34;onmouseover=&#34;alert(1)">a</a></p>`},
		{"image", "![the dialog](/web/icon.svg)", `<p><img src="/web/icon.svg" alt="the dialog"></p>`},
		{"bullets", "- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"},
		{"numbers", "1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"},
		{"start", "3. three", `<ol start="3">` + "\n<li>three</li>\n</ol>"},
		{"nested", "- a\n  - b", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>"},
		{"loose", "- a\n\n- b", "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"},
		{"fence", "```sh\necho <hi>\n```", `<pre><code class="language-sh">echo &lt;hi&gt;` + "\n</code></pre>"},
		{"fence language escaped", "```\"><x\nx\n```", `<pre><code class="language-&#34;&gt;&lt;x">x` + "\n</code></pre>"},
		{"indented code", "    a < b", "<pre><code>a &lt; b\n</code></pre>"},
		{"quote", "> careful", "<blockquote>\n<p>careful</p>\n</blockquote>"},
		{"rule", "---", "<hr>"},
		{"table", "| a | b |\n|:--|--:|\n| 1 | `x|y` |", "<table>\n<thead>\n<tr><th style=\"text-align:left\">a</th><th style=\"text-align:right\">b</th></tr>\n</thead>\n<tbody>\n<tr><td style=\"text-align:left\">1</td><td style=\"text-align:right\"><code>x|y</code></td></tr>\n</tbody>\n</table>"},
		{"escapes", `\*not em\*`, "<p>*not em*</p>"},
		{"hard break", "a  \nb", "<p>a<br>\nb</p>"},
	}
	for _, tt := range tests {
		if got := strings.TrimSpace(Render(tt.in)); got != tt.want {
			t.Errorf("%s: Render(%q) =\n%s\nwant\n%s", tt.name, tt.in, got, tt.want)
		}
	}
}

// The only tags and attributes the renderer may write.
var (
	tagRe   = regexp.MustCompile(`^<(/?)([a-z0-9]+)((?: [a-z]+="[^"<>]*")*)>`)
	attrRe  = regexp.MustCompile(` ([a-z]+)="([^"<>]*)"`)
	allowed = map[string]map[string]bool{
		"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil, "p": nil, "br": nil, "hr": nil,
		"ul": nil, "ol": {"start": true}, "li": nil, "pre": nil, "code": {"class": true}, "blockquote": nil,
		"table": nil, "thead": nil, "tbody": nil, "tr": nil, "th": {"style": true}, "td": {"style": true},
		"em": nil, "strong": nil, "del": nil, "a": {"href": true}, "img": {"src": true, "alt": true},
	}
	safeScheme = regexp.MustCompile(`^(?i)(https?:|mailto:|[^:]*$|[^:]*[/?#])`)
)

// checkSafe fails if out holds a tag, attribute or URL scheme the renderer
// must never write.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	for i := strings.IndexByte(out, '<'); i >= 0; i = strings.IndexByte(out, '<') {
		m := tagRe.FindStringSubmatch(out[i:])
		if m == nil {
			t.Fatalf("Render(%q) has a stray '<' at %q", in, out[i:min(len(out), i+40)])
		}
		attrs, ok := allowed[m[2]]
		if !ok {
			t.Fatalf("Render(%q) writes tag <%s>", in, m[2])
		}
		for _, a := range attrRe.FindAllStringSubmatch(m[3], -1) {
			if !attrs[a[1]] {
				t.Fatalf("Render(%q) writes attribute %s on <%s>", in, a[1], m[2])
			}
			if (a[1] == "href" || a[1] == "src") && !safeScheme.MatchString(a[2]) {
				t.Fatalf("Render(%q) writes URL %q", in, a[2])
			}
			if a[1] == "style" && !regexp.MustCompile(`^text-align:(left|right|center)$`).MatchString(a[2]) {
				t.Fatalf("Render(%q) writes style %q", in, a[2])
			}
		}
		out = out[i+len(m[0]):]
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# h\n\n- a\n  - b\n\n1. x\n\n```go\ncode\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
		"[a](javascript:x) ![b](data:x) <javascript:alert(1)> <a href=x>",
		"> q\n> > qq\n***x*** __y__ ~~z~~ `c` \\<",
		"[x](<java script:1>) [y](/ok \"t\") [z]( http://a )",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, in, Render(in))
	})
}

func TestDeepNestingIsBounded(t *testing.T) {
	in := strings.Repeat("> ", 10000) + "x\n" + strings.Repeat("[", 10000) + strings.Repeat("- ", 5000)
	checkSafe(t, in, Render(in))
}

// TestLongBodiesRenderQuickly keeps the preview responsive while typing:
// a body at the size limit of unmatched markup renders in linear time
// (~0.1 s here; quadratic scanning took minutes). The bound is loose for
// a loaded machine.
func TestLongBodiesRenderQuickly(t *testing.T) {
	for _, unit := range []string{"[", "*a ", "` `` ", "_x ", "![", "- ", "> ", "| a |\n", "~~"} {
		in := strings.Repeat(unit, 200_000/len(unit))
		start := time.Now()
		Render(in)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Render(%q × %d) took %v", unit, 200_000/len(unit), d)
		}
	}
}
