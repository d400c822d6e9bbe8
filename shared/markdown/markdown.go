// Package markdown renders the Markdown of knowledge-base articles to HTML
// for the editor's live preview, in the browser and offline.
//
// It is small on purpose: goldmark and bluemonday would add more than a
// megabyte to app.wasm (and the dependency test keeps them out). It knows
// what articles use — ATX and setext headings, paragraphs, bullet and
// numbered lists (nested by indentation), fenced and indented code, block
// quotes, rules, GFM tables, and inline code, links, images, emphasis,
// strong and strikethrough — and escapes everything else, raw HTML
// included. Links and images keep only http, https, mailto and relative
// URLs.
//
// The preview is not the published page: the server renders the saved body
// with goldmark and sanitizes it with bluemonday (server/kb.Render), so
// edge cases may differ. Safety does not depend on agreement: every byte of
// input reaches the output escaped, or inside one of the tags above with
// the attributes this package writes.
package markdown

import (
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of lists and quotes (and so the recursion):
// deeper markers are shown as text.
const maxDepth = 16

// maxSpan bounds how far ahead the inline parser looks for the end of a
// link or an emphasis, so a long paragraph of unmatched "[" or "*" renders
// in linear time rather than quadratic.
const maxSpan = 500

// Render returns the HTML of src.
func Render(src string) string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		lines = append(lines, expandTabs(l))
	}
	var b strings.Builder
	blocks(&b, lines, 0)
	return b.String()
}

func expandTabs(l string) string {
	if !strings.Contains(l, "\t") {
		return l
	}
	var b strings.Builder
	col := 0
	for _, r := range l {
		if r == '\t' {
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func blank(l string) bool { return strings.TrimSpace(l) == "" }

// blocks renders lines as a sequence of blocks.
func blocks(b *strings.Builder, lines []string, depth int) {
	for i := 0; i < len(lines); {
		l := lines[i]
		switch {
		case blank(l):
			i++
		case fence(l) != "":
			i = codeFence(b, lines, i)
		case indent(l) >= 4:
			i = indentedCode(b, lines, i)
		case heading(l) > 0:
			n := heading(l)
			text := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "#"))
			if t := strings.TrimRight(text, "#"); t == "" || strings.HasSuffix(t, " ") {
				text = strings.TrimSpace(t) // closing #s
			}
			tag := "h" + strconv.Itoa(n)
			b.WriteString("<" + tag + ">" + inline(text) + "</" + tag + ">\n")
			i++
		case rule(l):
			b.WriteString("<hr>\n")
			i++
		case quoted(l) && depth < maxDepth:
			i = quote(b, lines, i, depth)
		case isTableStart(lines, i):
			i = table(b, lines, i)
		case listMarker(l) != nil && depth < maxDepth:
			i = list(b, lines, i, depth)
		default:
			i = paragraph(b, lines, i, depth)
		}
	}
}

// interrupts reports whether l starts a block that ends a paragraph.
func interrupts(l string, depth int) bool {
	m := listMarker(l)
	return fence(l) != "" || heading(l) > 0 || rule(l) || quoted(l) && depth < maxDepth ||
		m != nil && depth < maxDepth && m.content != "" && (!m.ordered || m.start == 1)
}

func paragraph(b *strings.Builder, lines []string, i, depth int) int {
	var text []string
	for ; i < len(lines) && !blank(lines[i]); i++ {
		if len(text) > 0 && interrupts(lines[i], depth) {
			break
		}
		if len(text) > 0 {
			if t := strings.TrimSpace(lines[i]); indent(lines[i]) < 4 && (strings.Trim(t, "=") == "" || strings.Trim(t, "-") == "") {
				tag := "h1"
				if t[0] == '-' {
					tag = "h2"
				}
				b.WriteString("<" + tag + ">" + inline(strings.Join(text, "\n")) + "</" + tag + ">\n")
				return i + 1
			}
		}
		text = append(text, strings.TrimLeft(lines[i], " "))
	}
	b.WriteString("<p>" + inline(strings.Join(text, "\n")) + "</p>\n")
	return i
}

// heading returns the level of an ATX heading line, or 0.
func heading(l string) int {
	if indent(l) > 3 {
		return 0
	}
	t := strings.TrimLeft(l, " ")
	n := len(t) - len(strings.TrimLeft(t, "#"))
	if n < 1 || n > 6 || len(t) > n && t[n] != ' ' {
		return 0
	}
	return n
}

func rule(l string) bool {
	if indent(l) > 3 {
		return false
	}
	t := strings.ReplaceAll(strings.TrimSpace(l), " ", "")
	if len(t) < 3 {
		return false
	}
	c := t[0]
	return (c == '-' || c == '*' || c == '_') && strings.Count(t, string(c)) == len(t)
}

// fence returns the opening fence of a code block ("```" or longer, or
// tildes), or "".
func fence(l string) string {
	if indent(l) > 3 {
		return ""
	}
	t := strings.TrimLeft(l, " ")
	for _, c := range []string{"`", "~"} {
		n := len(t) - len(strings.TrimLeft(t, c))
		if n >= 3 {
			if c == "`" && strings.Contains(t[n:], "`") {
				return ""
			}
			return t[:n]
		}
	}
	return ""
}

func codeFence(b *strings.Builder, lines []string, i int) int {
	open := fence(lines[i])
	pad := indent(lines[i])
	info := strings.Fields(strings.TrimSpace(strings.TrimLeft(strings.TrimLeft(lines[i], " "), open[:1])))
	b.WriteString("<pre><code")
	if len(info) > 0 {
		b.WriteString(` class="language-` + escape(info[0]) + `"`)
	}
	b.WriteString(">")
	for i++; i < len(lines); i++ {
		l := lines[i]
		if t := strings.TrimSpace(l); indent(l) <= 3 && strings.HasPrefix(t, open) && strings.Trim(t, open[:1]) == "" {
			i++
			break
		}
		b.WriteString(escape(strings.TrimPrefix(l, strings.Repeat(" ", min(pad, indent(l))))) + "\n")
	}
	b.WriteString("</code></pre>\n")
	return i
}

func indentedCode(b *strings.Builder, lines []string, i int) int {
	var code []string
	for ; i < len(lines) && (indent(lines[i]) >= 4 || blank(lines[i])); i++ {
		l := lines[i]
		if len(l) >= 4 {
			l = l[4:]
		} else {
			l = ""
		}
		code = append(code, l)
	}
	for len(code) > 0 && blank(code[len(code)-1]) {
		code = code[:len(code)-1]
	}
	b.WriteString("<pre><code>" + escape(strings.Join(code, "\n")) + "\n</code></pre>\n")
	return i
}

func quoted(l string) bool { return indent(l) <= 3 && strings.HasPrefix(strings.TrimLeft(l, " "), ">") }

func quote(b *strings.Builder, lines []string, i, depth int) int {
	var inner []string
	for ; i < len(lines) && !blank(lines[i]); i++ {
		l := lines[i]
		if !quoted(l) {
			if interrupts(l, depth) || len(inner) == 0 {
				break
			}
			inner = append(inner, l) // a lazy continuation line
			continue
		}
		t := strings.TrimLeft(l, " ")[1:]
		inner = append(inner, strings.TrimPrefix(t, " "))
	}
	b.WriteString("<blockquote>\n")
	blocks(b, inner, depth+1)
	b.WriteString("</blockquote>\n")
	return i
}

// marker is a list item's marker line.
type marker struct {
	ordered bool
	start   int    // the number of an ordered item
	delim   byte   // '-', '*', '+' for bullets; '.' or ')' for numbers
	width   int    // columns up to the item's content
	content string // the rest of the line
}

func listMarker(l string) *marker {
	pad := indent(l)
	if pad > 3 {
		return nil
	}
	t := l[pad:]
	m := &marker{}
	n := 0
	switch {
	case t != "" && (t[0] == '-' || t[0] == '*' || t[0] == '+'):
		m.delim, n = t[0], 1
	default:
		for n < len(t) && n < 9 && t[n] >= '0' && t[n] <= '9' {
			n++
		}
		if n == 0 || n >= len(t) || t[n] != '.' && t[n] != ')' {
			return nil
		}
		m.ordered, m.delim = true, t[n]
		m.start, _ = strconv.Atoi(t[:n])
		n++
	}
	rest := t[n:]
	if rest != "" && rest[0] != ' ' {
		return nil
	}
	if rule(l) {
		return nil
	}
	sp := len(rest) - len(strings.TrimLeft(rest, " "))
	if sp > 4 || sp == len(rest) {
		sp = min(sp, 1)
	}
	m.width = pad + n + sp
	m.content = strings.TrimSpace(rest)
	return m
}

func list(b *strings.Builder, lines []string, i, depth int) int {
	first := listMarker(lines[i])
	type item struct{ lines []string }
	var items []item
	loose := false
	for i < len(lines) {
		m := listMarker(lines[i])
		if m == nil || m.ordered != first.ordered || m.delim != first.delim {
			break
		}
		it := item{lines: []string{lines[i][min(m.width, len(lines[i])):]}}
		i++
		lastBlank := false
		for ; i < len(lines); i++ {
			l := lines[i]
			switch {
			case blank(l):
				lastBlank = true
				it.lines = append(it.lines, "")
				continue
			case indent(l) >= m.width:
				it.lines = append(it.lines, l[m.width:])
			case !lastBlank && listMarker(l) == nil && !interrupts(l, depth):
				it.lines = append(it.lines, strings.TrimLeft(l, " ")) // lazy continuation
			default:
				goto done
			}
			if lastBlank {
				loose = true
			}
			lastBlank = false
		}
	done:
		for len(it.lines) > 0 && blank(it.lines[len(it.lines)-1]) {
			it.lines = it.lines[:len(it.lines)-1]
		}
		items = append(items, it)
		if lastBlank && i < len(lines) {
			if m := listMarker(lines[i]); m != nil && m.ordered == first.ordered && m.delim == first.delim {
				loose = true
			}
		}
	}
	tag := "ul"
	if first.ordered {
		tag = "ol"
		if first.start != 1 {
			b.WriteString(`<ol start="` + strconv.Itoa(first.start) + `">` + "\n")
		} else {
			b.WriteString("<ol>\n")
		}
	} else {
		b.WriteString("<ul>\n")
	}
	for _, it := range items {
		b.WriteString("<li>")
		if loose {
			b.WriteString("\n")
			blocks(b, it.lines, depth+1)
		} else {
			tight(b, it.lines, depth+1)
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</" + tag + ">\n")
	return i
}

// tight renders a tight list item: its first paragraph without <p>.
func tight(b *strings.Builder, lines []string, depth int) {
	n := 0
	for n < len(lines) && !blank(lines[n]) && (n == 0 || !interrupts(lines[n], depth)) {
		if n == 0 && (fence(lines[0]) != "" || heading(lines[0]) > 0 || rule(lines[0]) || quoted(lines[0]) || listMarker(lines[0]) != nil) {
			break
		}
		n++
	}
	if n > 0 {
		text := make([]string, n)
		for j := range text {
			text[j] = strings.TrimLeft(lines[j], " ")
		}
		b.WriteString(inline(strings.Join(text, "\n")))
	}
	if n < len(lines) {
		b.WriteString("\n")
		blocks(b, lines[n:], depth)
	}
}

// cells splits a table row into its cells.
func cells(l string) []string {
	t := strings.TrimSpace(l)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	var out []string
	var cur strings.Builder
	code := false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '\\' && i+1 < len(t) && t[i+1] == '|':
			cur.WriteByte('|')
			i++
		case c == '`':
			code = !code
			cur.WriteByte(c)
		case c == '|' && !code:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// aligns reads a table's delimiter row: one alignment per column ("",
// "left", "center", "right"), or nil if l is not a delimiter row.
func aligns(l string) []string {
	if !strings.Contains(l, "-") {
		return nil
	}
	var out []string
	for _, c := range cells(l) {
		if c == "" || strings.Trim(c, ":-") != "" || !strings.Contains(c, "-") {
			return nil
		}
		left, right := strings.HasPrefix(c, ":"), strings.HasSuffix(c, ":")
		switch {
		case left && right:
			out = append(out, "center")
		case right:
			out = append(out, "right")
		case left:
			out = append(out, "left")
		default:
			out = append(out, "")
		}
	}
	return out
}

func isTableStart(lines []string, i int) bool {
	if i+1 >= len(lines) || !strings.Contains(lines[i], "|") || indent(lines[i]) > 3 {
		return false
	}
	al := aligns(lines[i+1])
	return al != nil && len(al) == len(cells(lines[i]))
}

func table(b *strings.Builder, lines []string, i int) int {
	al := aligns(lines[i+1])
	row := func(tag string, cs []string) {
		b.WriteString("<tr>")
		for j, a := range al {
			c := ""
			if j < len(cs) {
				c = cs[j]
			}
			b.WriteString("<" + tag)
			if a != "" {
				b.WriteString(` style="text-align:` + a + `"`)
			}
			b.WriteString(">" + inline(c) + "</" + tag + ">")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("<table>\n<thead>\n")
	row("th", cells(lines[i]))
	b.WriteString("</thead>\n")
	i += 2
	if i < len(lines) && !blank(lines[i]) && strings.Contains(lines[i], "|") {
		b.WriteString("<tbody>\n")
		for ; i < len(lines) && !blank(lines[i]) && strings.Contains(lines[i], "|") && !interrupts(lines[i], 0); i++ {
			row("td", cells(lines[i]))
		}
		b.WriteString("</tbody>\n")
	}
	b.WriteString("</table>\n")
	return i
}

// inline renders the inline content of a block.
func inline(s string) string {
	var b strings.Builder
	inlineTo(&b, s, 0)
	return b.String()
}

const punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func inlineTo(b *strings.Builder, s string, depth int) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(punct, s[i+1]) >= 0:
			b.WriteString(escape(s[i+1 : i+2]))
			i += 2
			continue
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteString("<br>\n")
			i += 2
			continue
		case c == '`':
			n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
			ticks := s[i : i+n]
			if end := closingTicks(s[i+n:], ticks); end >= 0 {
				code := strings.ReplaceAll(s[i+n:i+n+end], "\n", " ")
				if len(code) > 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
					code = code[1 : len(code)-1]
				}
				b.WriteString("<code>" + escape(code) + "</code>")
				i += n + end + n
				continue
			}
			b.WriteString(ticks)
			i += n
			continue
		case c == '!' && i+1 < len(s) && s[i+1] == '[' && depth < maxDepth:
			if text, dest, n, ok := link(s[i+1:]); ok {
				if u, safe := safeURL(dest); safe {
					b.WriteString(`<img src="` + escape(u) + `" alt="` + escape(plain(text)) + `">`)
				} else {
					b.WriteString(escape(plain(text)))
				}
				i += 1 + n
				continue
			}
		case c == '[' && depth < maxDepth:
			if text, dest, n, ok := link(s[i:]); ok {
				if u, safe := safeURL(dest); safe {
					b.WriteString(`<a href="` + escape(u) + `">`)
					inlineTo(b, text, depth+1)
					b.WriteString("</a>")
				} else {
					inlineTo(b, text, depth+1)
				}
				i += n
				continue
			}
		case c == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 {
				u := s[i+1 : i+end]
				if !strings.ContainsAny(u, " <\n") && strings.Contains(u, ":") {
					if safe, ok := safeURL(u); ok {
						href := safe
						if strings.Contains(u, "@") && !strings.Contains(u, "://") && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
							href = "mailto:" + u
						}
						b.WriteString(`<a href="` + escape(href) + `">` + escape(u) + "</a>")
						i += end + 1
						continue
					}
				}
			}
		case (c == '*' || c == '_' || c == '~') && depth < maxDepth:
			if n := emphasis(b, s, i, depth); n > 0 {
				i += n
				continue
			}
		case c == ' ' && strings.HasPrefix(s[i:], "  \n"):
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			b.WriteString("<br>\n")
			i = j + 1
			continue
		}
		// Copy a run of ordinary text.
		j := i + 1
		for j < len(s) && strings.IndexByte("\\`![<*_~ ", s[j]) < 0 {
			j++
		}
		b.WriteString(escape(s[i:j]))
		i = j
	}
}

// closingTicks returns where a run of exactly ticks starts in s, or -1.
func closingTicks(s, ticks string) int {
	if len(s) > maxSpan {
		s = s[:maxSpan]
	}
	for at := 0; at < len(s); {
		k := strings.Index(s[at:], ticks)
		if k < 0 {
			return -1
		}
		k += at
		end := k + len(ticks)
		if end < len(s) && s[end] == '`' || k > 0 && s[k-1] == '`' {
			at = end // part of a longer run
			for at < len(s) && s[at] == '`' {
				at++
			}
			continue
		}
		return k
	}
	return -1
}

// link parses "[text](dest)" or "[text](dest "title")" at the start of s
// and returns the text, destination and length.
func link(s string) (text, dest string, n int, ok bool) {
	depth, i := 0, 0
	if len(s) > maxSpan {
		s = s[:maxSpan]
	}
	for i = 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			depth--
		}
		if depth == 0 {
			break
		}
	}
	if i >= len(s) || i+1 >= len(s) || s[i+1] != '(' {
		return "", "", 0, false
	}
	text = s[1:i]
	rest := s[i+2:]
	end := -1
	parens := 0
	for j := 0; j < len(rest); j++ {
		if rest[j] == '\\' {
			j++
			continue
		}
		if rest[j] == '(' {
			parens++
		}
		if rest[j] == ')' {
			if parens == 0 {
				end = j
				break
			}
			parens--
		}
		if rest[j] == '\n' {
			return "", "", 0, false
		}
	}
	if end < 0 {
		return "", "", 0, false
	}
	inside := strings.TrimSpace(rest[:end])
	if strings.HasPrefix(inside, "<") {
		if k := strings.IndexByte(inside, '>'); k > 0 {
			inside = inside[1:k]
		}
	} else if k := strings.IndexAny(inside, " \n"); k >= 0 {
		title := strings.TrimSpace(inside[k:])
		if len(title) < 2 || !strings.Contains(`"'(`, title[:1]) || title[len(title)-1] != map[byte]byte{'"': '"', '\'': '\'', '(': ')'}[title[0]] {
			return "", "", 0, false // not a title: not a link
		}
		inside = inside[:k]
	}
	return text, inside, i + 2 + end + 1, true
}

// safeURL returns u if it is a relative URL or an http, https or mailto
// one. A URL with spaces or control characters is refused: browsers drop
// some of those, which would let "java\tscript:" through.
func safeURL(u string) (string, bool) {
	for i := 0; i < len(u); i++ {
		if u[i] <= ' ' || u[i] == 0x7f {
			return "", false
		}
	}
	u = unescapePunct(u)
	colon := strings.IndexByte(u, ':')
	if colon < 0 || strings.IndexAny(u[:colon], "/?#") >= 0 {
		return u, true // relative
	}
	switch strings.ToLower(u[:colon]) {
	case "http", "https", "mailto":
		return u, true
	}
	return "", false
}

func unescapePunct(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(punct, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// plain strips inline markup from s, for alt text.
func plain(s string) string {
	return strings.NewReplacer("*", "", "_", "", "`", "", "[", "", "]", "").Replace(s)
}

// emphasis renders *em*, **strong**, ~~del~~ (and the _ forms) starting at
// s[i], and returns how much of s it used, or 0 if there is no closing
// delimiter.
func emphasis(b *strings.Builder, s string, i, depth int) int {
	c := s[i]
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	if c == '~' && n != 2 {
		return 0
	}
	use := min(n, 2)
	if n >= 3 {
		use = 2 // ***x*** reads as strong (with the inner * as em)
	}
	open := s[i : i+use]
	after := i + use
	if after >= len(s) || s[after] == ' ' || s[after] == '\n' {
		return 0
	}
	if c == '_' && i > 0 && isWordByte(s[i-1]) {
		return 0 // snake_case
	}
	for k := after + 1; k <= len(s)-use && k < after+maxSpan; k++ {
		if s[k] == '`' { // code spans bind tighter
			if end := closingTicks(s[k+1:], "`"); end >= 0 {
				k += end + 1
			}
			continue
		}
		if s[k:k+use] != open || s[k-1] == ' ' || s[k-1] == '\n' || s[k-1] == '\\' {
			continue
		}
		if use == 1 && k+1 < len(s) && s[k+1] == c {
			k++ // part of a ** run: not our closer
			continue
		}
		if c == '_' && k+use < len(s) && isWordByte(s[k+use]) {
			continue
		}
		tag := "em"
		switch {
		case c == '~':
			tag = "del"
		case use == 2:
			tag = "strong"
		}
		b.WriteString("<" + tag + ">")
		inlineTo(b, s[after:k], depth+1)
		b.WriteString("</" + tag + ">")
		return k + use - i
	}
	return 0
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// escape makes s safe as HTML text and as a quoted attribute value.
func escape(s string) string {
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
