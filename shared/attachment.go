package shared

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file on a ticket, by reference: the bytes are a blob
// addressed by their SHA-256, uploaded over HTTP after the mutation that
// references them, so a push never carries them. Images are downscaled in
// the browser before they are hashed; Width and Height are the stored
// image's.
type Attachment struct {
	SHA256 string `json:"sha256"` // lowercase hex of the bytes
	Name   string `json:"name"`
	Type   string `json:"type"` // one of AttachmentTypes
	Size   int64  `json:"size"` // bytes
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// Attachment limits.
const (
	MaxAttachmentSize = 10 << 20 // bytes per file, after downscaling
	MaxAttachments    = 5        // per ticket
	MaxAttachmentName = 200      // runes
	MaxImageSide      = 1600     // the browser downscales images to this many pixels on the long side
	maxImageDimension = 1 << 14  // what a reference may claim at all
	// MaxBlobChunk is the most bytes one upload request may carry.
	MaxBlobChunk = 256 << 10
)

// AttachmentTypes lists the MIME types a ticket may carry.
var AttachmentTypes = []string{"image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain"}

// ValidAttachmentType reports whether typ is one of AttachmentTypes.
func ValidAttachmentType(typ string) bool {
	for _, t := range AttachmentTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// IsImage reports whether typ is an image type a browser can show as a
// thumbnail.
func IsImage(typ string) bool { return strings.HasPrefix(typ, "image/") }

// ValidSHA256 reports whether s is a SHA-256 in lowercase hex.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Validate returns an EINVALID *Error naming the first thing wrong with a.
func (a *Attachment) Validate() error {
	switch {
	case !ValidSHA256(a.SHA256):
		return Errorf(EINVALID, "attach.bad_hash", a.SHA256)
	case strings.TrimSpace(a.Name) == "":
		return Errorf(EINVALID, "attach.name_required")
	case utf8.RuneCountInString(a.Name) > MaxAttachmentName:
		return Errorf(EINVALID, "attach.name_too_long", MaxAttachmentName)
	case strings.ContainsFunc(a.Name, unicode.IsControl) || !utf8.ValidString(a.Name):
		return Errorf(EINVALID, "attach.bad_name")
	case !ValidAttachmentType(a.Type):
		return Errorf(EINVALID, "attach.bad_type", a.Name, strings.Join(AttachmentTypes, ", "))
	case a.Size <= 0:
		return Errorf(EINVALID, "attach.empty", a.Name)
	case a.Size > MaxAttachmentSize:
		return Errorf(EINVALID, "attach.too_large", a.Name, MaxAttachmentSize>>20)
	case IsImage(a.Type) && (a.Width <= 0 || a.Height <= 0 || a.Width > maxImageDimension || a.Height > maxImageDimension):
		return Errorf(EINVALID, "attach.bad_dimensions", a.Name)
	case !IsImage(a.Type) && (a.Width != 0 || a.Height != 0):
		return Errorf(EINVALID, "attach.bad_dimensions", a.Name)
	}
	return nil
}

// ValidateAttachments checks a ticket's attachments: each one, how many,
// and that none is there twice.
func ValidateAttachments(as []Attachment) error {
	if len(as) > MaxAttachments {
		return Errorf(EINVALID, "attach.too_many", MaxAttachments)
	}
	seen := make(map[string]bool, len(as))
	for i := range as {
		if err := as[i].Validate(); err != nil {
			return err
		}
		if seen[as[i].SHA256] {
			return Errorf(EINVALID, "attach.duplicate", as[i].Name)
		}
		seen[as[i].SHA256] = true
	}
	return nil
}
