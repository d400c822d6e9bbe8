package search

import (
	"strings"
)

// plainText strips Markdown punctuation from md and returns its text on one
// line: headings, list and quote markers, table pipes, emphasis, code
// marks, link targets and HTML tags are removed; link and image texts are
// kept.
func plainText(md string) string {
	var b strings.Builder
	b.Grow(len(md))
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") || isTableRule(line) {
			continue
		}
		line = stripLineMarker(line)
		line = strings.ReplaceAll(line, "|", " ")
		line = stripInline(line)
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return collapseSpace(b.String())
}

// isTableRule reports whether line is a table's header rule, like |---|:-:|.
func isTableRule(line string) bool {
	if !strings.Contains(line, "-") || !(strings.HasPrefix(line, "|") || strings.Contains(line, "|")) {
		return false
	}
	return strings.Trim(line, "|-: \t") == ""
}

// stripLineMarker removes a leading heading, quote or list marker.
func stripLineMarker(line string) string {
	for {
		switch {
		case strings.HasPrefix(line, "#"):
			line = strings.TrimLeft(line, "#")
		case strings.HasPrefix(line, ">"):
			line = line[1:]
		case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "* "), strings.HasPrefix(line, "+ "):
			line = line[2:]
		case strings.HasPrefix(line, "[ ] "), strings.HasPrefix(line, "[x] "), strings.HasPrefix(line, "[X] "):
			line = line[4:]
		default:
			i := 0
			for i < len(line) && i < 9 && line[i] >= '0' && line[i] <= '9' {
				i++
			}
			if i > 0 && i+1 < len(line) && (line[i] == '.' || line[i] == ')') && line[i+1] == ' ' {
				line = line[i+2:]
			} else {
				return line
			}
		}
		line = strings.TrimLeft(line, " \t")
	}
}

// stripInline removes inline Markdown: emphasis and code marks, link and
// image targets, and HTML tags.
func stripInline(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '*' || c == '`' || c == '~':
			i++
			continue
		case c == '_' && (i+1 < len(s) && s[i+1] == '_'):
			i += 2
			continue
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			i++
			continue
		case c == ']' && i+1 < len(s) && s[i+1] == '(':
			if j := strings.IndexByte(s[i+2:], ')'); j >= 0 {
				i += j + 3
				continue
			}
		case c == '[' || c == ']':
			i++
			continue
		case c == '<':
			if j := strings.IndexByte(s[i+1:], '>'); j >= 0 {
				inner := s[i+1 : i+1+j]
				if strings.Contains(inner, "://") || strings.Contains(inner, "@") {
					b.WriteString(inner)
				} else {
					b.WriteByte(' ')
				}
				i += j + 2
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// collapseSpace replaces runs of white space with one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
