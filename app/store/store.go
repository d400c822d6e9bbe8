// Package store is the browser's local replica: the records this device may
// see, the outbox of mutations not yet acknowledged, and ticket drafts. The
// IndexedDB implementation runs in the browser; Memory serves native tests.
// Both pass the contract in store_test.go.
package store

import (
	"encoding/json"
	"sort"

	"outpost/shared"
	"outpost/shared/wire"
)

// Store is the local replica.
type Store interface {
	// ClientID returns this browser's client ID, creating it with newID on
	// first use. Tabs racing to create it agree on one.
	ClientID(newID func() string) (string, error)
	// SetClientID replaces the client ID: a device that signs in as
	// another account, or out, starts afresh as a new client, since the
	// server binds a client ID to the account that first used it.
	SetClientID(id string) error
	// DeviceKey returns the secret that proves client ID id is this
	// device's, creating it with newKey on first use. The server binds a
	// client ID to the first key it sees (protocol 5), so tabs racing to
	// create it agree on one, and Reset keeps it.
	DeviceKey(id string, newKey func() string) (string, error)
	// Cursor returns the change-log version the replica is synced to.
	Cursor() (uint64, error)
	// Epoch returns the epoch of the server database the replica came
	// from ("" before the first sync).
	Epoch() (string, error)
	// Reset drops every record, the cursor and the cache, and records a new
	// epoch, in one transaction. The outbox and the drafts are kept: they
	// are the user's, not the server's.
	Reset(epoch string) error
	// Get returns one record.
	Get(typ, id string) (rec wire.Change, ok bool, err error)
	// List returns every record of typ, in ID order.
	List(typ string) ([]wire.Change, error)
	// Apply stores a page of changes and the cursor after it, atomically:
	// a crash leaves either both or neither.
	Apply(changes []wire.Change, cursor uint64) error
	// Enqueue appends a mutation to the outbox and returns its sequence
	// number, which increases for as long as the replica exists and never
	// repeats. If clearDraft is not empty that draft is deleted in the same
	// transaction, so a submitted draft is never both sent and kept.
	Enqueue(name string, args json.RawMessage, clearDraft string) (seq uint64, err error)
	// Outbox returns the mutations not yet acknowledged, in sequence order.
	Outbox() ([]wire.Mutation, error)
	// Ack removes acknowledged mutations from the outbox.
	Ack(seqs []uint64) error
	// Drafts returns the ticket drafts, newest first.
	Drafts() ([]Draft, error)
	// PutDraft creates or replaces a draft.
	PutDraft(Draft) error
	// DeleteDraft removes a draft; a missing draft is not an error.
	DeleteDraft(id string) error
	// GetCache returns data derived from the records (the search index),
	// or nil if there is none under key.
	GetCache(key string) ([]byte, error)
	// PutCache stores derived data under key. Reset drops it with the
	// records it came from.
	PutCache(key string, data []byte) error

	// PutBlob stores an attachment's bytes and what is known of them,
	// replacing any blob with that SHA-256. Reset keeps blobs: they are
	// the user's files, or a cache of files the server keeps for good.
	PutBlob(b Blob, data []byte) error
	// GetBlob returns a blob and its bytes.
	GetBlob(sha string) (b Blob, data []byte, ok bool, err error)
	// Blobs returns every blob on this device, without their bytes, in
	// SHA-256 order: the upload queue reads it.
	Blobs() ([]Blob, error)
	// MarkUploaded records that the server holds blob sha complete. A
	// missing blob is not an error.
	MarkUploaded(sha string) error
	// DeleteBlob removes a blob; a missing blob is not an error.
	DeleteBlob(sha string) error
}

// QuotaError is returned when the browser refuses to store more (IndexedDB's
// QuotaExceededError): the write was undone, nothing already stored is
// lost. The app tells the user the device has no room.
type QuotaError struct{ Msg string }

func (e *QuotaError) Error() string { return "storage quota exceeded: " + e.Msg }

// Blob is an attachment's bytes on this device: a file attached to a
// draft or a queued ticket, kept until the server has it (and after, as
// the offline copy), or a copy downloaded when a ticket was viewed.
type Blob struct {
	shared.Attachment
	Uploaded bool  `json:"uploaded,omitempty"` // the server holds it complete
	AddedAt  int64 `json:"added_at"`           // Unix milliseconds
}

// Draft is a ticket being written. It lives only on this device until it is
// submitted.
type Draft struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Subcategory string   `json:"subcategory,omitempty"`
	Impact      string   `json:"impact,omitempty"`  // "" = medium
	Urgency     string   `json:"urgency,omitempty"` // "" = medium
	UpdatedAt   int64    `json:"updated_at"`        // Unix milliseconds
	RejectKey   string   `json:"reject_key,omitempty"`
	RejectArgs  []string `json:"reject_args,omitempty"`

	Attachments []shared.Attachment `json:"attachments,omitempty"` // their bytes are blobs
}

// OfflineCopiesBudget is how many bytes of attachments the server already
// holds a device keeps as offline copies; past it, EvictOfflineCopies drops
// the oldest. Files still waiting to be uploaded are never dropped.
const OfflineCopiesBudget = 200 << 20

// EvictOfflineCopies returns the SHA-256s of the offline copies (uploaded
// blobs) to delete, oldest first, so that those left fit in budget; keep
// (the file just stored) stays whatever its age. A copy dropped is fetched
// again the next time it is shown online.
func EvictOfflineCopies(blobs []Blob, budget int64, keep string) []string {
	var total int64
	var copies []Blob
	for _, b := range blobs {
		if b.Uploaded {
			total += b.Size
			if b.SHA256 != keep {
				copies = append(copies, b)
			}
		}
	}
	sort.Slice(copies, func(i, j int) bool { return copies[i].AddedAt < copies[j].AddedAt })
	var drop []string
	for _, b := range copies {
		if total <= budget {
			break
		}
		drop = append(drop, b.SHA256)
		total -= b.Size
	}
	return drop
}

// Pager is a Store that also lists records a page at a time, so that a
// caller need not hold every record at once (kbsearch rebuilding its index
// from thousands of articles). Both stores are Pagers.
type Pager interface {
	// ListPage returns at most limit records of typ whose IDs sort after
	// after ("" for the first page), in ID order.
	ListPage(typ, after string, limit int) ([]wire.Change, error)
}
