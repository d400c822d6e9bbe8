package app

import (
	"encoding/json"
	"sort"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// staffMember is an agent or admin as the replica holds them (staff
// devices receive every account, without secrets).
type staffMember struct {
	ID     string   `json:"id"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Role   string   `json:"role"`
	Tier   int      `json:"tier"`
	Groups []string `json:"groups"`
}

// staff returns the agents and admins on this device, by name, and every
// group they belong to.
func (c *Client) staff() ([]staffMember, []string, error) {
	recs, err := c.Store.List(wire.TypeUser)
	if err != nil {
		return nil, nil, err
	}
	var out []staffMember
	groups := map[string]bool{}
	for _, r := range recs {
		var u staffMember
		if json.Unmarshal(r.Data, &u) != nil || !shared.IsStaffRole(u.Role) {
			continue
		}
		out = append(out, u)
		for _, g := range u.Groups {
			groups[g] = true
		}
	}
	sort.Slice(out, func(i, j int) bool { return or(out[i].Name, out[i].Email) < or(out[j].Name, out[j].Email) })
	var gs []string
	for g := range groups {
		gs = append(gs, g)
	}
	sort.Strings(gs)
	return out, gs, nil
}

// renderAssign draws "assign to" an agent and a group. The lists are read
// when the page loads (p.staff, p.groups).
func (p *ticketPage) renderAssign() app.UI {
	l, tk := p.lang, p.ticket
	return app.Div().ID("assign").Class("actions").Body(
		app.Label().For("assign-agent").Text(t(l, "agent.assign_to")),
		app.Select().ID("assign-agent").OnChange(func(ctx app.Context, e app.Event) {
			p.change(ctx, shared.OpTicketAssign, shared.TicketOp{AssigneeID: inputValue(ctx), Group: p.ticket.Group})
		}).Body(
			app.Option().Value("").Selected(tk.AssigneeID == "").Text(t(l, "ticket.unassigned")),
			app.Range(p.staff).Slice(func(i int) app.UI {
				u := p.staff[i]
				label := or(u.Name, u.Email)
				if u.Tier > 0 {
					label += " · " + t(l, "role.tier", u.Tier)
				}
				return app.Option().Value(u.ID).Selected(u.ID == tk.AssigneeID).Text(label)
			}),
		),
		app.Label().For("assign-group").Text(t(l, "agent.group")),
		app.Select().ID("assign-group").OnChange(func(ctx app.Context, e app.Event) {
			p.change(ctx, shared.OpTicketAssign, shared.TicketOp{AssigneeID: p.ticket.AssigneeID, Group: inputValue(ctx)})
		}).Body(
			app.Option().Value("").Selected(tk.Group == "").Text(t(l, "agent.general_queue")),
			app.Range(p.groups).Slice(func(i int) app.UI {
				return app.Option().Value(p.groups[i]).Selected(p.groups[i] == tk.Group).Text(p.groups[i])
			}),
		),
	)
}
