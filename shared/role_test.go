package shared

import (
	"slices"
	"strings"
	"testing"
)

func TestIdentityValidate(t *testing.T) {
	base := func(role string, edit func(*Identity)) Identity {
		id := Identity{UserID: requesterID, Email: "ana@example.com", Name: "Ana", Role: role}
		if edit != nil {
			edit(&id)
		}
		return id
	}
	tests := []struct {
		name string
		in   Identity
		want string
	}{
		{"requester", base(RoleRequester, nil), ok},
		{"admin", base(RoleAdmin, nil), ok},
		{"agent", base(RoleAgent, func(id *Identity) { id.Tier, id.Groups = Tier2, []string{"network", "field-ops"} }), ok},
		{"kiosk", base(RoleKiosk, func(id *Identity) { id.Site = "lobby" }), ok},
		{"bad user ID", base(RoleRequester, func(id *Identity) { id.UserID = "42" }), "auth.bad_user_id"},
		{"bad e-mail", base(RoleRequester, func(id *Identity) { id.Email = "ana" }), "auth.bad_email"},
		{"long name", base(RoleRequester, func(id *Identity) { id.Name = strings.Repeat("n", MaxName+1) }), "auth.name_too_long"},
		{"no role", base("", nil), "role.unknown"},
		{"unknown role", base("root", nil), "role.unknown"},
		{"agent without a tier", base(RoleAgent, nil), "role.bad_tier"},
		{"agent at tier 4", base(RoleAgent, func(id *Identity) { id.Tier = 4 }), "role.bad_tier"},
		{"agent in a bad group", base(RoleAgent, func(id *Identity) { id.Tier, id.Groups = 1, []string{"Net Work"} }), "role.bad_group"},
		{"agent in too many groups", base(RoleAgent, func(id *Identity) {
			id.Tier = 1
			for range MaxGroups + 1 {
				id.Groups = append(id.Groups, "g")
			}
		}), "role.too_many_groups"},
		{"requester with a tier", base(RoleRequester, func(id *Identity) { id.Tier = 1 }), "role.tier_agents_only"},
		{"admin with groups", base(RoleAdmin, func(id *Identity) { id.Groups = []string{"network"} }), "role.tier_agents_only"},
		{"kiosk without a site", base(RoleKiosk, nil), "role.site_required"},
		{"kiosk with a bad site", base(RoleKiosk, func(id *Identity) { id.Site = "Main Lobby" }), "role.bad_site"},
		{"agent with a site", base(RoleAgent, func(id *Identity) { id.Tier, id.Site = 1, "lobby" }), "role.site_kiosks_only"},
	}
	for _, tt := range tests {
		err := tt.in.Validate()
		if got := errKey(t, err); got != tt.want || (err != nil && ErrorCode(err) != EINVALID) {
			t.Errorf("%s: Validate() = %v; want %q", tt.name, err, tt.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string // want "" means invalid
	}{
		{"ana@example.com", "ana@example.com"},
		{"  Ana.Perez+it@Example.COM\n", "ana.perez+it@example.com"},
		{"josé@ejemplo.es", "josé@ejemplo.es"},
		{"", ""},
		{"ana", ""},
		{"ana@localhost", ""},
		{"@example.com", ""},
		{"ana@@example.com", ""},
		{"ana@ex@ample.com", ""},
		{"ana perez@example.com", ""},
		{"ana@.example.com", ""},
		{"ana@example.com.", ""},
		{"ana@example..com", ""},
		{"<ana@example.com>", ""},
		{"ana@example.com, bob@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", MaxEmail) + ".com", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && (ErrorCode(err) != EINVALID || errKey(t, err) != "auth.bad_email") {
			t.Errorf("NormalizeEmail(%q) error = %v; want %s auth.bad_email", tt.in, err, EINVALID)
		}
	}
}

func TestIsStaff(t *testing.T) {
	want := map[string]bool{RoleRequester: false, RoleAgent: true, RoleAdmin: true, RoleKiosk: false, "": false, "Admin": false}
	for _, role := range append(slices.Clone(Roles), "", "Admin") {
		w, ok := want[role]
		if !ok {
			t.Fatalf("role %q has no expectation: say whether it works tickets", role)
		}
		if got := IsStaffRole(role); got != w {
			t.Errorf("IsStaffRole(%q) = %v; want %v", role, got, w)
		}
		id := &Identity{Role: role}
		if got := id.IsStaff(); got != w {
			t.Errorf("Identity{Role: %q}.IsStaff() = %v; want %v", role, got, w)
		}
	}
	var nobody *Identity
	if nobody.IsStaff() {
		t.Error("(*Identity)(nil).IsStaff() = true; want false")
	}
}
