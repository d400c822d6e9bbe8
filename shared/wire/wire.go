// Package wire is the sync protocol between the browser and the server: JSON
// messages over one websocket per device. Decode validates everything that
// arrives, on either side, so a forged or garbled frame becomes a clear
// *shared.Error rather than a half-understood message.
package wire

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"outpost/shared"
)

// Version is the protocol version, sent in every hello. Bump it when a message
// changes meaning, and say what changed:
//
//	1 (2026-11-23): first slice: hello/welcome, push/ack, pull/changes, poke, error.
//	2 (2026-11-23): welcome carries the database epoch; a client whose replica
//	  came from another epoch drops it and pulls from 0, keeping its outbox.
//	  changes carries remaining (a progress count); older clients ignore it.
//	3 (2026-11-23): accounts. welcome carries the identity the device's
//	  session cookie signs it in as (none when signed out), or auth: the
//	  catalog key of why the cookie was refused (auth.expired …), in which
//	  case the client neither pushes nor pulls until it signs in again. A
//	  push the session may not make ends with error{code: unauthorized}; the
//	  mutation stays in the outbox. A client ID belongs to the first account
//	  that used it: another account gets error{key: client.bound_elsewhere}.
//	  Version 2 clients still work signed out.
//	4 (2026-11-23): a client pulls after every ack, so the server sends no
//	  poke to a connection for changes committed while its push was being
//	  answered (its own writes, mostly): one frame less per mutation.
//	5 (2026-12-07): devices prove who they are. hello carries device_key, a
//	  secret the device made with its client ID and keeps beside it; the
//	  first hello binds the client ID to the key's hash, and a later hello
//	  with another key is refused (error{key: client.bad_key}). A push may
//	  not take a client's sequence more than MaxSeqGap past its last one.
//	  Older clients are told to update: without a key, anyone who learnt a
//	  client ID could push as that device.
const Version = 5

// MinVersion is the oldest client protocol the server still speaks. An older
// client is told to update (code UpdateRequired) and fed nothing.
const MinVersion = 5

// Limits on what one frame may carry.
const (
	MaxFrame        = 1 << 20 // bytes in one websocket message, either way
	MaxMutations    = 100     // mutations in one push
	MaxArgs         = 256 << 10
	MaxPullLimit    = 1000
	MaxPageBytes    = 512 << 10 // changes in one page, give or take one record
	maxSafeInteger  = 1<<53 - 1 // numbers stay exact in JavaScript
	maxMutationName = 64

	// MaxSeqGap is how far past a client's last applied sequence a push
	// may go. A device numbers its mutations from its outbox's key
	// generator and sends them all, oldest first, so the next sequence is
	// normally last+1; a gap means mutations made and then dropped
	// unsent, and no device holds this many. The first push of a client
	// ID may start anywhere (a device that switched client IDs keeps
	// counting where its old one stopped).
	MaxSeqGap = 100_000

	// Device keys are 32 random bytes, base64url without padding.
	minDeviceKey = 43
	maxDeviceKey = 128
)

// Message types.
const (
	THello   = "hello"   // client → server: protocol, client_id, device_key
	TWelcome = "welcome" // server → client: protocol, epoch
	TPush    = "push"    // client → server: mutations
	TAck     = "ack"     // server → client: results
	TPull    = "pull"    // client → server: cursor, limit
	TChanges = "changes" // server → client: changes, cursor, more, remaining
	TPoke    = "poke"    // server → client: something you may see changed
	TError   = "error"   // server → client: code, key, args; the server closes after it
)

// UpdateRequired is the error code that tells a client its protocol is too old.
const UpdateRequired = "update_required"

// Msg is every message of the protocol; T says which fields are meaningful.
type Msg struct {
	T         string     `json:"t"`
	Protocol  int        `json:"protocol,omitempty"`
	ClientID  string     `json:"client_id,omitempty"`
	DeviceKey string     `json:"device_key,omitempty"` // hello, protocol 5: the device's secret
	Epoch     string     `json:"epoch,omitempty"`
	Mutations []Mutation `json:"mutations,omitempty"`
	Results   []Result   `json:"results,omitempty"`
	Cursor    uint64     `json:"cursor,omitempty"`
	Limit     int        `json:"limit,omitempty"`
	Changes   []Change   `json:"changes,omitempty"`
	More      bool       `json:"more,omitempty"`
	Remaining int        `json:"remaining,omitempty"` // changes after this page, for progress
	Code      string     `json:"code,omitempty"`
	Key       string     `json:"key,omitempty"`
	Args      []string   `json:"args,omitempty"`
	// Identity and Auth are set in welcome (protocol 3).
	Identity *shared.Identity `json:"identity,omitempty"`
	Auth     string           `json:"auth,omitempty"`
}

// Mutation is one user intent, recorded by the client in its outbox and
// applied by the server exactly once, in Seq order per client.
type Mutation struct {
	Seq  uint64          `json:"seq"`
	Name string          `json:"name"` // one of shared.Mutations (shared/mutation.go), e.g. "ticket.create"
	Args json.RawMessage `json:"args"`
}

// Result is the server's answer to one pushed mutation. Every result is an
// acknowledgement: the client drops the mutation from its outbox. A rejected
// mutation has Code and Key saying why, in words for the user.
type Result struct {
	Seq  uint64   `json:"seq"`
	OK   bool     `json:"ok"`
	Code string   `json:"code,omitempty"`
	Key  string   `json:"key,omitempty"`
	Args []string `json:"args,omitempty"`
}

// Change is one record as of a change-log version. Deleted changes remove the
// record from the client's view.
type Change struct {
	V       uint64          `json:"v"`
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Record types.
const (
	TypeArticle      = "article"
	TypeTicket       = "ticket"
	TypeFeedback     = "feedback"   // one "did this solve it?" answer
	TypeArticleStats = "kbstat"     // per-article feedback counts
	TypeSearchMiss   = "searchmiss" // a search that found nothing, counted
	TypeTree         = "tree"       // a troubleshooting tree (shared/tree)
	TypeEntry        = "entry"      // a line of a ticket's history (shared.Entry)
	TypeUser         = "user"       // an account, without secrets (server/auth)
	TypeConfig       = "config"     // portal settings everyone syncs: IDs "calendar", "sla-policy" (shared/sla), "categories", "synonyms"
	TypeRating       = "rating"     // a satisfaction rating of a resolved ticket (shared.RatingRecord)
)

// Reject turns err into a rejection result for mutation seq. It is the one
// place where error codes become wire codes.
func Reject(seq uint64, err error) Result {
	key, args := shared.ErrorKey(err)
	return Result{Seq: seq, Code: shared.ErrorCode(err), Key: key, Args: Strings(args)}
}

// ErrorMsg turns err into an error message for the peer.
func ErrorMsg(err error) Msg {
	key, args := shared.ErrorKey(err)
	return Msg{T: TError, Code: shared.ErrorCode(err), Key: key, Args: Strings(args)}
}

// Strings formats error arguments for the wire.
func Strings(args []any) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprint(a)
	}
	return out
}

// Encode returns the JSON of m.
func Encode(m Msg) ([]byte, error) {
	return json.Marshal(m)
}

func invalid(key string, args ...any) error {
	return shared.Errorf(shared.EINVALID, key, args...)
}

// Decode parses and validates one frame. Errors are EINVALID *shared.Error
// values that say what is wrong with the frame.
func Decode(b []byte) (Msg, error) {
	var m Msg
	if len(b) > MaxFrame {
		return m, invalid("wire.too_large", MaxFrame)
	}
	if !utf8.Valid(b) {
		return m, invalid("wire.not_utf8")
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return Msg{}, invalid("wire.malformed", err.Error())
	}
	if err := m.validate(); err != nil {
		return Msg{}, err
	}
	return m, nil
}

// ValidDeviceKey says whether k has the form of a device key: 43 to 128
// characters of base64url.
func ValidDeviceKey(k string) bool {
	if len(k) < minDeviceKey || len(k) > maxDeviceKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (m *Msg) validate() error {
	if m.Cursor > maxSafeInteger {
		return invalid("wire.bad_cursor")
	}
	switch m.T {
	case THello:
		if m.Protocol <= 0 {
			return invalid("wire.bad_protocol")
		}
		if !shared.ValidUUID(m.ClientID) {
			return invalid("wire.bad_client_id")
		}
		if m.Protocol >= 5 && !ValidDeviceKey(m.DeviceKey) {
			return invalid("wire.bad_device_key")
		}
	case TWelcome:
		if m.Identity != nil {
			if err := m.Identity.Validate(); err != nil {
				return err
			}
		}
	case TPoke:
	case TPush:
		if len(m.Mutations) == 0 || len(m.Mutations) > MaxMutations {
			return invalid("wire.bad_push", MaxMutations)
		}
		var last uint64
		for _, mu := range m.Mutations {
			if mu.Seq <= last || mu.Seq > maxSafeInteger {
				return invalid("wire.bad_seq")
			}
			last = mu.Seq
			if mu.Name == "" || len(mu.Name) > maxMutationName {
				return invalid("wire.bad_mutation_name")
			}
			if len(mu.Args) > MaxArgs {
				return invalid("wire.too_large", MaxArgs)
			}
		}
	case TAck:
		for _, r := range m.Results {
			if r.Seq == 0 || r.Seq > maxSafeInteger {
				return invalid("wire.bad_seq")
			}
		}
	case TPull:
		if m.Limit < 0 || m.Limit > MaxPullLimit {
			return invalid("wire.bad_limit", MaxPullLimit)
		}
	case TChanges:
		if m.Remaining < 0 || m.Remaining > maxSafeInteger {
			return invalid("wire.bad_change")
		}
		for _, c := range m.Changes {
			if c.V == 0 || c.V > maxSafeInteger || c.V > m.Cursor {
				return invalid("wire.bad_version")
			}
			if c.Type == "" || c.ID == "" || (!c.Deleted && len(c.Data) == 0) {
				return invalid("wire.bad_change")
			}
		}
	case TError:
		if m.Code == "" {
			return invalid("wire.bad_error")
		}
	default:
		return invalid("wire.unknown_type", m.T)
	}
	return nil
}
