package store

import (
	"encoding/json"

	"outpost/shared"
	"outpost/shared/wire"
)

// Scopes index the change log by who may read a record, so that a pull
// reads only the part of the log its asker could see: a signed-out device
// the public records and its own tickets, not every ticket ever filed.
// Every store indexes each record under RecordScopes in the transaction
// that writes it, and builds the index from the records when it finds it
// missing or made by other rules (ScopesVersion).
//
// The index narrows, it does not decide: the puller still filters every
// record it is given (server/sync.visibleTo), so a scope may hold more
// than its readers may see, never less. Staff, who see nearly everything,
// read the whole log.
const (
	ScopeAll = "all" // everyone: articles and troubleshooters (as content or removal), settings, every tombstone

	// ScopesVersion names the rules of RecordScopes. A store whose index
	// was built by other rules builds it again when opened: change it
	// whenever RecordScopes changes.
	ScopesVersion = "1"
)

// ScopeUser is the scope of the records of one account: its tickets,
// their history and ratings, its user (or kiosk) record.
func ScopeUser(userID string) string { return "u:" + userID }

// ScopeClient is the scope of the records a device made signed out: its
// tickets, their history and ratings.
func ScopeClient(clientID string) string { return "c:" + clientID }

// ScopeSite is the scope of a kiosk site's queue.
func ScopeSite(site string) string { return "s:" + site }

// RecordScopes returns the scopes a record is indexed under: none for what
// only staff read. A tombstone (deleted) is indexed under ScopeAll, since
// a deletion must reach every device that may hold the record, and it
// carries nothing but its type and ID.
func RecordScopes(typ string, data []byte, deleted bool) []string {
	if deleted {
		return []string{ScopeAll}
	}
	switch typ {
	case wire.TypeArticle, wire.TypeTree, wire.TypeConfig:
		return []string{ScopeAll}
	case wire.TypeTicket, wire.TypeEntry, wire.TypeRating:
		var r struct {
			RequesterID string `json:"requester_id"`
			ClientID    string `json:"client_id"`
		}
		switch {
		case json.Unmarshal(data, &r) != nil:
		case r.RequesterID != "":
			return []string{ScopeUser(r.RequesterID)}
		case r.ClientID != "":
			return []string{ScopeClient(r.ClientID)}
		}
	case wire.TypeUser, shared.TypeKiosk:
		var u struct{ ID string }
		if json.Unmarshal(data, &u) == nil && u.ID != "" {
			return []string{ScopeUser(u.ID)}
		}
	case shared.TypeVisit:
		var v struct{ Site string }
		if json.Unmarshal(data, &v) == nil && v.Site != "" {
			return []string{ScopeSite(v.Site)}
		}
	}
	return nil
}
