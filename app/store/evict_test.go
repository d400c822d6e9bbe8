package store

import (
	"reflect"
	"testing"

	"outpost/shared"
)

func TestEvictOfflineCopies(t *testing.T) {
	blob := func(sha string, size int64, uploaded bool, at int64) Blob {
		return Blob{Attachment: shared.Attachment{SHA256: sha, Size: size}, Uploaded: uploaded, AddedAt: at}
	}
	blobs := []Blob{
		blob("new", 40, true, 5),
		blob("old", 30, true, 1),
		blob("pending", 500, false, 0), // not on the server yet: never dropped, not counted
		blob("mid", 20, true, 3),
		blob("just", 50, true, 0), // the file just stored, however old its stamp
	}
	tests := []struct {
		budget int64
		want   []string
	}{
		{140, nil},                          // 40+30+20+50 = 140 fits
		{139, []string{"old"}},              // the oldest first
		{90, []string{"old", "mid"}},        // 140-30-20 = 90
		{50, []string{"old", "mid", "new"}}, // down to the one just stored
		{0, []string{"old", "mid", "new"}},  // which stays even over budget
	}
	for _, tt := range tests {
		if got := EvictOfflineCopies(blobs, tt.budget, "just"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("budget %d: dropped %v; want %v", tt.budget, got, tt.want)
		}
	}
}
