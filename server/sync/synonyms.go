package sync

import (
	"encoding/json"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// synonymsSave stores the search synonyms an admin saved (config.save with
// ID shared.ConfigSynonyms), after checking them as the admin screen did.
// Every device pulls the record and searches with it (shared/search).
func synonymsSave(tx store.Tx, a Actor, args json.RawMessage) error {
	if a.User.Role != shared.RoleAdmin {
		return shared.Errorf(shared.EFORBIDDEN, "synonyms.admin_only")
	}
	var s shared.SynonymSave
	if err := json.Unmarshal(args, &s); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if s.Synonyms == nil {
		s.Synonyms = shared.Synonyms{}
	}
	if err := s.Synonyms.Validate(); err != nil {
		return err
	}
	return putJSON(tx, wire.TypeConfig, shared.ConfigSynonyms, s.Synonyms)
}
