package sync

import (
	"encoding/json"
	"slices"

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

// searchBlocksSave stores the expansions an admin blocked (config.save
// with ID shared.ConfigSearchBlocks): related-word pairs, which the next
// rebuild of the related-words table leaves out (related.go), and learned
// associations, which leave the learned record at once and are not
// published again.
func searchBlocksSave(tx store.Tx, a Actor, args json.RawMessage) error {
	if a.User.Role != shared.RoleAdmin {
		return shared.Errorf(shared.EFORBIDDEN, "synonyms.admin_only")
	}
	var s shared.SearchBlocksSave
	if err := json.Unmarshal(args, &s); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if s.Blocks == nil {
		s.Blocks = shared.SearchBlocks{}
	}
	if err := s.Blocks.Validate(); err != nil {
		return err
	}
	learned := shared.LearnedSearches{}
	if err := getJSON(tx, wire.TypeConfig, shared.ConfigLearned, &learned); err != nil {
		return err
	}
	changed := false
	for lang, list := range learned {
		kept := slices.DeleteFunc(slices.Clone(list), func(x shared.LearnedSearch) bool {
			return s.Blocks[lang].LearnedBlocked(x.Key, x.ArticleID)
		})
		if len(kept) != len(list) {
			learned[lang], changed = kept, true
		}
	}
	if changed {
		if err := putJSON(tx, wire.TypeConfig, shared.ConfigLearned, learned); err != nil {
			return err
		}
	}
	return putJSON(tx, wire.TypeConfig, shared.ConfigSearchBlocks, s.Blocks)
}
