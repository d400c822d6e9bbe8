package shared

import (
	"strings"
	"testing"
)

func TestRatingValidate(t *testing.T) {
	ok := Rating{ID: "0190c3a1-0000-7000-8000-000000000001", TicketID: "0190c3a1-0000-7000-8000-000000000002", Score: 5, CreatedAt: 1}
	tests := []struct {
		name string
		edit func(*Rating)
		want string
	}{
		{"ok", func(*Rating) {}, ""},
		{"bad id", func(r *Rating) { r.ID = "x" }, "rating.bad_id"},
		{"bad ticket", func(r *Rating) { r.TicketID = "" }, "ticket.bad_id"},
		{"score 0", func(r *Rating) { r.Score = 0 }, "rating.bad_score"},
		{"score 6", func(r *Rating) { r.Score = 6 }, "rating.bad_score"},
		{"long comment", func(r *Rating) { r.Comment = strings.Repeat("é", MaxRatingComment+1) }, "field.too_long"},
		{"bad time", func(r *Rating) { r.CreatedAt = -1 }, "ticket.bad_time"},
	}
	for _, tt := range tests {
		r := ok
		tt.edit(&r)
		key := ""
		if err := r.Validate(); err != nil {
			key, _ = ErrorKey(err)
		}
		if key != tt.want {
			t.Errorf("%s: Validate() key %q; want %q", tt.name, key, tt.want)
		}
	}
}
