package shared

import (
	"strings"
	"unicode/utf8"
)

// Roles. Every account has exactly one; what each may do is the permission
// table in lifecycle.go.
const (
	RoleRequester = "requester" // asks for help: files and follows their own tickets
	RoleAgent     = "agent"     // works the queues of their tier and groups
	RoleAdmin     = "admin"     // runs the portal: may do everything an agent may, everywhere
	RoleKiosk     = "kiosk"     // a walk-up desk device: files tickets for visitors at its site
)

// Roles lists every role. The permission tests run every role against every
// action, so a role added here without rules fails them.
var Roles = []string{RoleRequester, RoleAgent, RoleAdmin, RoleKiosk}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Support tiers: tier 1 is the front line, tier 2 technicians, tier 3
// specialists. Agents have a tier; tickets are worked at a tier and
// escalate upwards.
const (
	Tier1   = 1
	Tier2   = 2
	Tier3   = 3
	MaxTier = Tier3
)

// Identity limits.
const (
	MaxEmail  = 254 // RFC 5321 path limit
	MaxName   = 200
	MaxGroups = 20
)

// Identity is who a user or device acts as. The server makes it from the
// account on sign-in, and a device caches it so it can keep working offline
// (its queued mutations are authorized again when pushed). Groups and Tier
// are for agents, Site for kiosks.
type Identity struct {
	UserID string   `json:"user_id"`
	Email  string   `json:"email"`
	Name   string   `json:"name,omitempty"`
	Role   string   `json:"role"`
	Tier   int      `json:"tier,omitempty"`
	Groups []string `json:"groups,omitempty"`
	Site   string   `json:"site,omitempty"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with id:
// an unknown role, a tier or groups on anyone but an agent, a site on
// anyone but a kiosk, or a kiosk without a site.
func (id *Identity) Validate() error {
	switch {
	case !ValidUUID(id.UserID):
		return Errorf(EINVALID, "auth.bad_user_id", id.UserID)
	case !ValidEmail(id.Email):
		return Errorf(EINVALID, "auth.bad_email", id.Email)
	case utf8.RuneCountInString(id.Name) > MaxName:
		return Errorf(EINVALID, "auth.name_too_long", MaxName)
	case !ValidRole(id.Role):
		return Errorf(EINVALID, "role.unknown", id.Role)
	}
	if id.Role == RoleAgent {
		if id.Tier < Tier1 || id.Tier > MaxTier {
			return Errorf(EINVALID, "role.bad_tier", id.Tier)
		}
		if len(id.Groups) > MaxGroups {
			return Errorf(EINVALID, "role.too_many_groups", MaxGroups)
		}
		for _, g := range id.Groups {
			if !ValidSlug(g) {
				return Errorf(EINVALID, "role.bad_group", g)
			}
		}
	} else if id.Tier != 0 || len(id.Groups) > 0 {
		return Errorf(EINVALID, "role.tier_agents_only")
	}
	switch {
	case id.Role == RoleKiosk && id.Site == "":
		return Errorf(EINVALID, "role.site_required")
	case id.Role == RoleKiosk && !ValidSlug(id.Site):
		return Errorf(EINVALID, "role.bad_site", id.Site)
	case id.Role != RoleKiosk && id.Site != "":
		return Errorf(EINVALID, "role.site_kiosks_only")
	}
	return nil
}

// IsStaffRole reports whether role works tickets: an agent or an admin.
// Staff see every ticket's triage (priority, assignment, internal notes)
// and read statuses in the desk's words.
func IsStaffRole(role string) bool {
	return role == RoleAgent || role == RoleAdmin
}

// IsStaff reports whether id works tickets (see IsStaffRole). A nil id,
// nobody signed in, is not staff.
func (id *Identity) IsStaff() bool {
	return id != nil && IsStaffRole(id.Role)
}

// InGroup reports whether id belongs to group.
func (id *Identity) InGroup(group string) bool {
	for _, g := range id.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// NormalizeEmail returns s trimmed and lower-cased, the form accounts are
// stored and looked up by, or an EINVALID *Error if it is not an e-mail
// address.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if !ValidEmail(e) {
		return "", Errorf(EINVALID, "auth.bad_email", s)
	}
	return e, nil
}

// ValidEmail reports whether s is a lower-case e-mail address as accounts
// store them: one "@", a local part of at most 64 bytes, a domain with a dot
// in it, no spaces or control characters, at most MaxEmail bytes. It checks
// shape, not deliverability.
func ValidEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || len(s) > MaxEmail || !utf8.ValidString(s) ||
		strings.Contains(domain, "@") || s != strings.ToLower(s) {
		return false
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == ',' || r == ';' || r == '"' {
			return false
		}
	}
	return true
}
