package shared_test

import (
	"testing"

	"outpost/shared"
)

func TestHumanSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"madrid-hq", "Madrid HQ"},
		{"facilities", "Facilities"},
		{"floor-3", "Floor 3"},
		{"it-help", "It Help"},
		{"bcn", "BCN"},
	}
	for _, tt := range tests {
		if got := shared.HumanSlug(tt.in); got != tt.want {
			t.Errorf("HumanSlug(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNamesIn(t *testing.T) {
	tests := []struct {
		names      shared.Names
		lang, want string
	}{
		{shared.Names{"en": "Facilities", "es": "Instalaciones"}, "es", "Instalaciones"},
		{shared.Names{"en": "Facilities"}, "es", "Facilities"}, // the other language before the slug
		{shared.Names{"es": "Instalaciones"}, "en", "Instalaciones"},
		{nil, "en", ""},
	}
	for _, tt := range tests {
		if got := tt.names.In(tt.lang); got != tt.want {
			t.Errorf("%v.In(%q) = %q; want %q", tt.names, tt.lang, got, tt.want)
		}
	}
}
