package shared

import (
	"strings"
	"testing"
	"time"
)

func TestNewID(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	a, b := NewID(now), NewID(now.Add(time.Millisecond))
	if !ValidUUID(a) || !ValidUUID(b) {
		t.Fatalf("NewID = %q, %q; want canonical UUIDs", a, b)
	}
	if a[14] != '7' {
		t.Errorf("NewID = %q; want version 7", a)
	}
	if !(a < b) {
		t.Errorf("NewID not time-ordered: %q then %q", a, b)
	}
	if NewID(now) == NewID(now) {
		t.Error("two IDs in the same millisecond are equal")
	}
}

func TestTicketCreateValidate(t *testing.T) {
	good := TicketCreate{ID: NewID(time.Now()), Title: "Printer on 3rd floor jams", Category: "devices", Lang: "en", CreatedAt: 1}
	tests := []struct {
		name    string
		edit    func(*TicketCreate)
		wantKey string
	}{
		{"valid", func(*TicketCreate) {}, ""},
		{"empty title", func(t *TicketCreate) { t.Title = "  " }, "ticket.title_required"},
		{"long title", func(t *TicketCreate) { t.Title = strings.Repeat("é", MaxTicketTitle+1) }, "field.too_long"},
		{"forged id", func(t *TicketCreate) { t.ID = "../../etc" }, "ticket.bad_id"},
		{"unknown category", func(t *TicketCreate) { t.Category = "snacks" }, "category.unknown"},
		{"no category", func(t *TicketCreate) { t.Category = "" }, ""},
		{"unknown lang", func(t *TicketCreate) { t.Lang = "xx" }, "ticket.bad_lang"},
		{"long description", func(t *TicketCreate) { t.Description = strings.Repeat("a", MaxTicketDescription+1) }, "field.too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := good
			tt.edit(&tc)
			err := tc.Validate(Categories)
			key, _ := ErrorKey(err)
			if tt.wantKey == "" && err != nil || tt.wantKey != "" && (key != tt.wantKey || ErrorCode(err) != EINVALID) {
				t.Fatalf("Validate(%+v) = %v; want %q", tc, err, tt.wantKey)
			}
		})
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{"wifi-connect": true, "a": true, "wifi-connect-es": true, "": false, "-a": false, "a-": false, "Wifi": false, "a/b": false, strings.Repeat("a", 65): false} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v; want %v", s, got, want)
		}
	}
}
