package app

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// visitView is a visit as this device sees it: the replica's copy with this
// device's changes still in the outbox applied, or a check-in not yet sent.
type visitView struct {
	shared.Visit
	Pending bool
}

// siteVisits returns the visits of site: the replica's, then this device's
// pending check-ins and desk changes on top (optimistic; the server may
// still refuse a change another desk beat it to). A pending check-in
// carries no name or e-mail: those stay in the outbox entry alone.
func (c *Client) siteVisits(site string) ([]visitView, error) {
	recs, err := c.Store.List(shared.TypeVisit)
	if err != nil {
		return nil, err
	}
	byID := map[string]int{}
	var out []visitView
	for _, r := range recs {
		var v shared.Visit
		if json.Unmarshal(r.Data, &v) == nil && v.Site == site {
			byID[v.ID] = len(out)
			out = append(out, visitView{Visit: v})
		}
	}
	pending, err := c.Store.Outbox()
	if err != nil {
		return out, err
	}
	now := c.Engine.Now().UnixMilli()
	for _, m := range pending {
		switch {
		case m.Name == shared.OpKioskCheckin:
			var ci shared.KioskCheckin
			if json.Unmarshal(m.Args, &ci) != nil || ci.Site != site {
				continue
			}
			if _, known := byID[ci.ID]; known {
				continue
			}
			kiosk := ""
			if c.me() != nil {
				kiosk = c.me().UserID
			}
			byID[ci.ID] = len(out)
			out = append(out, visitView{Visit: shared.Visit{
				ID: ci.ID, Site: ci.Site, Number: ci.Number, Reason: ci.Reason, Status: shared.VisitWaiting,
				KioskID: kiosk, CreatedAt: ci.CreatedAt,
			}, Pending: true})
		case slices.Contains(shared.VisitOps, m.Name):
			var op shared.VisitOp
			if json.Unmarshal(m.Args, &op) != nil {
				continue
			}
			i, ok := byID[op.ID]
			if !ok {
				continue
			}
			v := &out[i]
			to, err := shared.NextVisitStatus(v.Status, m.Name)
			if err != nil {
				continue
			}
			v.Status, v.Pending = to, true
			switch m.Name {
			case shared.OpVisitCall:
				v.Desk, v.CalledAt = op.Desk, now
			case shared.OpVisitStart:
				v.Desk, v.StartedAt = op.Desk, now
			case shared.OpVisitResolve:
				v.FCR, v.EndedAt = true, now
			case shared.OpVisitTicket:
				v.TicketID, v.EndedAt = op.TicketID, now
			case shared.OpVisitNoShow:
				v.EndedAt = now
			}
		}
	}
	sortVisits(out)
	return out, nil
}

// sortVisits orders visits as shared.SortQueue does.
func sortVisits(vs []visitView) {
	plain := make([]shared.Visit, len(vs))
	pending := map[string]bool{}
	for i, v := range vs {
		plain[i] = v.Visit
		pending[v.ID] = v.Pending
	}
	shared.SortQueue(plain)
	for i, v := range plain {
		vs[i] = visitView{Visit: v, Pending: pending[v.ID]}
	}
}

// queueState is what the board and the kiosk show about a site's queue.
type queueState struct {
	Serving []visitView // called or at a desk, latest call first
	Waiting []visitView // in arrival order
	Times   []time.Duration
}

func queueOf(vs []visitView) queueState {
	var q queueState
	plain := make([]shared.Visit, 0, len(vs))
	for _, v := range vs {
		plain = append(plain, v.Visit)
		switch v.Status {
		case shared.VisitWaiting:
			q.Waiting = append(q.Waiting, v)
		case shared.VisitCalled, shared.VisitServing:
			q.Serving = append(q.Serving, v)
		}
	}
	slices.SortStableFunc(q.Serving, func(a, b visitView) int { return int(b.CalledAt - a.CalledAt) })
	q.Times = shared.ServiceTimes(plain)
	return q
}

// ahead counts who waits before visit id (everyone waiting, if id is not
// waiting).
func (q queueState) ahead(id string) int {
	for i, v := range q.Waiting {
		if v.ID == id {
			return i
		}
	}
	return len(q.Waiting)
}

// waitText says how long ahead people take: "about 10 min (6–14 min)".
func waitText(l string, ahead int, times []time.Duration) string {
	if ahead <= 0 {
		return t(l, "kiosk.wait_next")
	}
	mid, lo, hi := shared.EstimateWait(ahead, times)
	m, a, b := shared.WaitMinutes(mid), shared.WaitMinutes(lo), shared.WaitMinutes(hi)
	if a == b {
		return t(l, "kiosk.wait_about", m)
	}
	return t(l, "kiosk.wait_range", m, a, b)
}

// kioskDevices returns the enrolled kiosks in the replica (staff see all,
// a kiosk its own), by site then letter.
func (c *Client) kioskDevices() ([]shared.KioskDevice, error) {
	recs, err := c.Store.List(shared.TypeKiosk)
	if err != nil {
		return nil, err
	}
	var out []shared.KioskDevice
	for _, r := range recs {
		var k shared.KioskDevice
		if json.Unmarshal(r.Data, &k) == nil {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b shared.KioskDevice) int {
		if a.Site != b.Site {
			if a.Site < b.Site {
				return -1
			}
			return 1
		}
		if len(a.Letter) != len(b.Letter) {
			return len(a.Letter) - len(b.Letter)
		}
		if a.Letter < b.Letter {
			return -1
		}
		return 1
	})
	return out, nil
}

// visitors returns the visitor records (staff only receive them), by visit.
func (c *Client) visitors() (map[string]shared.Visitor, error) {
	recs, err := c.Store.List(shared.TypeVisitor)
	if err != nil {
		return nil, err
	}
	out := map[string]shared.Visitor{}
	for _, r := range recs {
		var v shared.Visitor
		if json.Unmarshal(r.Data, &v) == nil {
			out[v.ID] = v
		}
	}
	return out, nil
}

// sites lists the sites with kiosks or visits in the replica.
func (c *Client) sites() []string {
	seen := map[string]bool{}
	if ks, err := c.kioskDevices(); err == nil {
		for _, k := range ks {
			seen[k.Site] = true
		}
	}
	if recs, err := c.Store.List(shared.TypeVisit); err == nil {
		for _, r := range recs {
			var v struct{ Site string }
			if json.Unmarshal(r.Data, &v) == nil && v.Site != "" {
				seen[v.Site] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// reasonText names a check-in reason: "Network › Wi-Fi".
func (c *Client) reasonText(l, reason string) string {
	cat := shared.ReasonCategory(reason)
	if cat == reason {
		return c.categoryName(l, cat)
	}
	_, sub, _ := strings.Cut(reason, "/")
	return c.categoryName(l, cat) + " › " + c.subcategoryName(l, cat, sub)
}

// boardSite is the site a board or desk shows: a kiosk's own, else ?site=,
// else the one this device last chose.
func (c *Client) boardSite(ctx app.Context) string {
	if c.isKiosk() {
		return c.me().Site
	}
	if s := ctx.Page().URL().Query().Get("site"); shared.ValidSlug(s) {
		return s
	}
	var s string
	ctx.LocalStorage().Get(deskSiteKey, &s)
	return s
}

// deskSiteKey and deskNameKey remember a desk's site and name on the device.
const (
	deskSiteKey = "desk/site"
	deskNameKey = "desk/name"
)
