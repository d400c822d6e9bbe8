package shared

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDisplayName is the longest display name of a category, subcategory or
// site, in characters: it must fit a button on the kiosk and a chip on
// the home page.
const MaxDisplayName = 60

// Names is a display name per UI language ("en", "es") of something that
// is stored by slug: a category, a subcategory, a site (issue 16). Either
// may be missing (records saved before names existed have none); readers
// then fall back, see In and DisplayName.
type Names map[string]string

// In returns the name in lang, else the name in another language, else "".
func (n Names) In(lang string) string {
	if s := n[lang]; s != "" {
		return s
	}
	for _, l := range Languages {
		if s := n[l]; s != "" {
			return s
		}
	}
	return ""
}

// Own returns the name in lang only, or "".
func (n Names) Own(lang string) string { return n[lang] }

// Clone returns a copy of n.
func (n Names) Clone() Names {
	if n == nil {
		return nil
	}
	out := make(Names, len(n))
	for k, v := range n {
		out[k] = v
	}
	return out
}

// Validate returns an EINVALID *Error naming the first thing wrong with the
// names of the thing slug: a language the portal does not speak, a name
// that is blank, longer than MaxDisplayName or holds control characters.
func (n Names) Validate(slug string) error {
	for _, l := range Languages {
		s, ok := n[l]
		if !ok {
			continue
		}
		switch {
		case strings.TrimSpace(s) == "" || strings.TrimSpace(s) != s:
			return Errorf(EINVALID, "names.blank", slug, l)
		case utf8.RuneCountInString(s) > MaxDisplayName:
			return Errorf(EINVALID, "names.too_long", slug, MaxDisplayName)
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			return Errorf(EINVALID, "names.control", slug)
		}
	}
	for l := range n {
		if !ValidLang(l) {
			return Errorf(EINVALID, "names.bad_lang", slug, l)
		}
	}
	return nil
}

// HumanSlug is the last resort for showing something stored by slug that
// has no name: "madrid-hq" → "Madrid HQ". Words are capitalized; a word
// with no vowel is taken for an abbreviation and put in capitals.
func HumanSlug(slug string) string {
	words := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		if !strings.ContainsAny(w, "aeiouy") && !strings.ContainsAny(w, "0123456789") {
			words[i] = strings.ToUpper(w)
			continue
		}
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}
