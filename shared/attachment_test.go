package shared

import (
	"strings"
	"testing"
)

func TestAttachmentValidate(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	photo := Attachment{SHA256: sha, Name: "router.jpg", Type: "image/jpeg", Size: 200_000, Width: 1600, Height: 1067}
	pdf := Attachment{SHA256: strings.Repeat("cd", 32), Name: "invoice.pdf", Type: "application/pdf", Size: 3 << 20}
	with := func(a Attachment, f func(*Attachment)) Attachment { f(&a); return a }
	tests := []struct {
		name string
		in   []Attachment
		want string // catalog key, "" for valid
	}{
		{"none", nil, ""},
		{"photo and pdf", []Attachment{photo, pdf}, ""},
		{"exactly the limit", []Attachment{with(pdf, func(a *Attachment) { a.Size = MaxAttachmentSize })}, ""},
		{"uppercase hash", []Attachment{with(photo, func(a *Attachment) { a.SHA256 = strings.ToUpper(sha) })}, "attach.bad_hash"},
		{"short hash", []Attachment{with(photo, func(a *Attachment) { a.SHA256 = "abc" })}, "attach.bad_hash"},
		{"no name", []Attachment{with(photo, func(a *Attachment) { a.Name = "  " })}, "attach.name_required"},
		{"long name", []Attachment{with(photo, func(a *Attachment) { a.Name = strings.Repeat("é", MaxAttachmentName+1) })}, "attach.name_too_long"},
		{"control in name", []Attachment{with(photo, func(a *Attachment) { a.Name = "a\r\nb.jpg" })}, "attach.bad_name"},
		{"html", []Attachment{with(pdf, func(a *Attachment) { a.Type = "text/html" })}, "attach.bad_type"},
		{"svg", []Attachment{with(photo, func(a *Attachment) { a.Type = "image/svg+xml" })}, "attach.bad_type"},
		{"empty", []Attachment{with(pdf, func(a *Attachment) { a.Size = 0 })}, "attach.empty"},
		{"too large", []Attachment{with(pdf, func(a *Attachment) { a.Size = MaxAttachmentSize + 1 })}, "attach.too_large"},
		{"image without size", []Attachment{with(photo, func(a *Attachment) { a.Width = 0 })}, "attach.bad_dimensions"},
		{"pdf with size", []Attachment{with(pdf, func(a *Attachment) { a.Height = 5 })}, "attach.bad_dimensions"},
		{"twice", []Attachment{photo, pdf, photo}, "attach.duplicate"},
		{"too many", make([]Attachment, MaxAttachments+1), "attach.too_many"},
	}
	for _, tt := range tests {
		err := ValidateAttachments(tt.in)
		if key, _ := ErrorKey(err); (tt.want == "" && err != nil) || (tt.want != "" && key != tt.want) {
			t.Errorf("%s: ValidateAttachments = %v; want %q", tt.name, err, tt.want)
		}
		if tt.want != "" && ErrorCode(err) != EINVALID {
			t.Errorf("%s: code %q; want %q", tt.name, ErrorCode(err), EINVALID)
		}
	}
}

func TestTicketCreateCarriesAttachments(t *testing.T) {
	a := Attachment{SHA256: strings.Repeat("0f", 32), Name: "screen.png", Type: "image/png", Size: 10, Width: 4, Height: 3}
	tc := TicketCreate{ID: "01936f6e-7a1b-7c3d-8e4f-000000000001", Title: "Printer", CreatedAt: 1, Attachments: []Attachment{a}}
	if err := tc.Validate(Categories); err != nil {
		t.Fatalf("Validate() = %v; want nil", err)
	}
	if got := tc.Ticket("c").Attachments; len(got) != 1 || got[0] != a {
		t.Fatalf("Ticket().Attachments = %+v; want [%+v]", got, a)
	}
	tc.Attachments[0].Type = "application/x-msdownload"
	if key, _ := ErrorKey(tc.Validate(Categories)); key != "attach.bad_type" {
		t.Fatalf("Validate() of an .exe = %v; want attach.bad_type", tc.Validate(Categories))
	}
}
