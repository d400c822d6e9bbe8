package seed

import (
	"context"
	"fmt"

	"outpost/server/auth"
	"outpost/shared"
)

// DemoPassword is the password of every demo account. The accounts exist
// only with `outpost serve -demo` (make run), never in a real deployment.
const DemoPassword = "outpost-demo"

// DemoUsers are the demo accounts: an admin, an agent in each tier and a
// field worker who files tickets.
var DemoUsers = []auth.NewUser{
	{Email: "admin@outpost.example", Name: "Ada Admin", Role: shared.RoleAdmin},
	{Email: "agent1@outpost.example", Name: "Tomás Tier-One", Role: shared.RoleAgent, Tier: 1, Groups: []string{"service-desk"}},
	{Email: "agent2@outpost.example", Name: "Priya Tier-Two", Role: shared.RoleAgent, Tier: 2, Groups: []string{"field-support"}},
	{Email: "agent3@outpost.example", Name: "Sam Tier-Three", Role: shared.RoleAgent, Tier: 3, Groups: []string{"network"}},
	{Email: "field@outpost.example", Name: "Fatima Field", Role: shared.RoleRequester},
}

// Users adds the demo accounts to a portal that has no account yet, and
// reports how many it added.
func Users(ctx context.Context, a *auth.Service) (int, error) {
	existing, err := a.ListUsers(ctx)
	if err != nil || len(existing) > 0 {
		return 0, err
	}
	for _, nu := range DemoUsers {
		nu.Password = DemoPassword
		if _, err := a.AddUser(ctx, nu); err != nil {
			return 0, fmt.Errorf("add demo user %s: %w", nu.Email, err)
		}
	}
	return len(DemoUsers), nil
}
