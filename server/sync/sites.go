package sync

import (
	"encoding/json"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/wire"
)

// sitesSave stores the display names of sites an admin saved (config.save
// with ID shared.ConfigSites, from /admin/kiosks), after checking them as
// the admin screen did. Admins only.
func sitesSave(tx store.Tx, a Actor, args json.RawMessage) error {
	if a.User.Role != shared.RoleAdmin {
		return shared.Errorf(shared.EFORBIDDEN, "sites.admin_only")
	}
	var s shared.SiteSave
	if err := json.Unmarshal(args, &s); err != nil {
		return shared.Errorf(shared.EINVALID, "mutation.bad_args", err.Error())
	}
	if err := s.Sites.Validate(); err != nil {
		return err
	}
	return putJSON(tx, wire.TypeConfig, shared.ConfigSites, s.Sites)
}
