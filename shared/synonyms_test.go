package shared

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseSynonyms(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // groups, or the error's key and args
	}{
		{"equals and commas", "VPN = Outpost  Connect\n\n# a note\nmóvil, celular ,teléfono\n", "[[VPN Outpost Connect] [móvil celular teléfono]]"},
		{"empty", "  \n# only notes\n", "[]"},
		{"one term", "vpn\nwifi = wireless", "synonyms.one_term [1]"},
		{"empty terms do not count", "a = = \n", "synonyms.one_term [1]"},
		{"same term twice, any case", "vpn = tunnel\n\nwifi = wireless\nVPN = connect", "synonyms.duplicate [VPN 1 4]"},
		{"too many words", "pc = a b c d e", "synonyms.too_many_words [1 a b c d e 4]"},
		{"too long", "x = " + strings.Repeat("y", MaxSynonymTermLen+1), fmt.Sprintf("synonyms.term_too_long [1 %d]", MaxSynonymTermLen)},
		{"too many terms", "a=b=c=d=e=f=g=h=i=j=k", fmt.Sprintf("synonyms.too_many_terms [1 %d]", MaxSynonymTerms)},
		{"too many groups", manyGroups(MaxSynonymGroups + 1), fmt.Sprintf("synonyms.too_many_groups [%d]", MaxSynonymGroups)},
	}
	for _, tt := range tests {
		groups, err := ParseSynonyms(tt.text)
		got := fmt.Sprint(groups)
		if err != nil {
			key, args := ErrorKey(err)
			got = fmt.Sprint(key, " ", args)
		}
		if got != tt.want {
			t.Errorf("%s: ParseSynonyms(%q) = %s; want %s", tt.name, tt.text, got, tt.want)
		}
	}
	groups, _ := ParseSynonyms("VPN = Outpost Connect\nmóvil = celular")
	if again, err := ParseSynonyms(FormatSynonyms(groups)); err != nil || fmt.Sprint(again) != fmt.Sprint(groups) {
		t.Errorf("ParseSynonyms(FormatSynonyms(%v)) = %v, %v; want the same groups", groups, again, err)
	}
}

func manyGroups(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d = b%d\n", i, i)
	}
	return b.String()
}

func TestSynonymsValidate(t *testing.T) {
	tests := []struct {
		s    Synonyms
		want string // error code, "" for valid
	}{
		{Synonyms{"en": {{"vpn", "tunnel"}}, "es": {{"móvil", "celular"}}}, ""},
		{Synonyms{}, ""},
		{Synonyms{"fr": {{"a", "b"}}}, EINVALID},
		{Synonyms{"en": {{"vpn", " tunnel"}}}, EINVALID}, // not normalized
		{Synonyms{"en": {{"vpn"}}}, EINVALID},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.s.Validate()); got != tt.want {
			t.Errorf("%v.Validate() = %q; want %q", tt.s, got, tt.want)
		}
	}
}
