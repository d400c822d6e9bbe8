package sync

import (
	"encoding/json"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// keysOf names what applying m will read, so that a store whose reads cost
// a round trip (PostgreSQL) reads them with the rest of its batch when it
// opens the transaction (store.Keys). Only the common mutations are named;
// any read left out still works, at a round trip's cost.
func keysOf(clientID string, m wire.Mutation) store.Keys {
	k := store.Keys{Clients: []string{clientID}}
	if m.Name == shared.OpTicketCreate {
		var tc struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(m.Args, &tc) == nil && tc.ID != "" {
			k.Records = []store.Key{{A: wire.TypeTicket, B: tc.ID}} // "is this ID free"
			k.Local = []store.Key{{A: counterKind, B: counterKey}}  // the ticket number
		}
	}
	return k
}
