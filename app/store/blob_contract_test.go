package store

import (
	"bytes"
	"strings"
	"testing"

	"outpost/shared"
)

// testBlobContract is the part of the contract about attachment bytes.
func testBlobContract(t *testing.T, open func(t *testing.T) (s Store, reopen func() Store)) {
	photo := Blob{Attachment: shared.Attachment{SHA256: strings.Repeat("b", 64), Name: "router.jpg", Type: "image/jpeg", Size: 3 << 20, Width: 1600, Height: 1200}, AddedAt: 2}
	note := Blob{Attachment: shared.Attachment{SHA256: strings.Repeat("a", 64), Name: "log.txt", Type: "text/plain", Size: 5}, AddedAt: 1}
	big := make([]byte, photo.Size)
	for i := range big {
		big[i] = byte(i * 13)
	}

	t.Run("BlobsSurviveReloadAndReset", func(t *testing.T) {
		s, reopen := open(t)
		if err := s.PutBlob(photo, big); err != nil {
			t.Fatal(err)
		}
		if err := s.PutBlob(note, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if err := s.Reset("new-epoch"); err != nil {
			t.Fatal(err)
		}
		s = reopen()
		list, err := s.Blobs()
		if err != nil || len(list) != 2 || list[0] != note || list[1] != photo {
			t.Fatalf("Blobs() after reset and reload = %+v, %v; want [note photo]", list, err)
		}
		b, data, ok, err := s.GetBlob(photo.SHA256)
		if err != nil || !ok || b != photo || !bytes.Equal(data, big) {
			t.Fatalf("GetBlob(photo) = %+v, %d bytes, %v, %v; want the 3 MiB written", b, len(data), ok, err)
		}
		if _, _, ok, err := s.GetBlob(strings.Repeat("c", 64)); ok || err != nil {
			t.Fatalf("GetBlob(missing) = ok %v, %v; want not ok, no error", ok, err)
		}
	})

	t.Run("MarkUploadedAndDelete", func(t *testing.T) {
		s, reopen := open(t)
		s.PutBlob(note, []byte("hello"))
		if err := s.MarkUploaded(note.SHA256); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkUploaded(photo.SHA256); err != nil {
			t.Fatalf("MarkUploaded(missing) = %v; want nil", err)
		}
		s = reopen()
		b, data, ok, _ := s.GetBlob(note.SHA256)
		if !ok || !b.Uploaded || string(data) != "hello" {
			t.Fatalf("GetBlob after MarkUploaded = %+v %q %v; want uploaded, bytes kept", b, data, ok)
		}
		if err := s.DeleteBlob(note.SHA256); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteBlob(note.SHA256); err != nil {
			t.Fatalf("DeleteBlob twice = %v; want nil", err)
		}
		if list, _ := reopen().Blobs(); len(list) != 0 {
			t.Fatalf("Blobs() after delete = %+v; want none", list)
		}
	})

	t.Run("DraftKeepsAttachments", func(t *testing.T) {
		s, reopen := open(t)
		s.PutDraft(Draft{ID: "d", UpdatedAt: 1, Attachments: []shared.Attachment{photo.Attachment, note.Attachment}})
		ds, err := reopen().Drafts()
		if err != nil || len(ds) != 1 || len(ds[0].Attachments) != 2 || ds[0].Attachments[0] != photo.Attachment {
			t.Fatalf("Drafts() = %+v, %v; want the draft with both attachments", ds, err)
		}
	})
}
