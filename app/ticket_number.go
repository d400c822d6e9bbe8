package app

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Ticket numbers ("#1042") are given by the server when it first stores a
// ticket (server/sync/number.go); a ticket still on its way shows "number
// pending". People say them on the phone, so they can be typed into the
// search box or the agent queue's "Go to #" field to open the ticket.

// numberText is how a ticket's number reads: "#1042", or "number pending".
func numberText(l string, tk *ticketView) string {
	if tk.Number == 0 {
		return t(l, "ticket.number_pending")
	}
	return "#" + strconv.FormatInt(tk.Number, 10)
}

// numberBadge draws a ticket's number.
func numberBadge(l string, tk *ticketView) app.UI {
	cls := "ticket-number"
	if tk.Number == 0 {
		cls += " pending"
	}
	return app.Span().Class(cls).DataSet("number", tk.Number).Text(numberText(l, tk))
}

// parseNumber reads a ticket number as people type it: "1042", "#1042",
// " # 1042 ". It returns 0 for anything else.
func parseNumber(s string) int64 {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if s == "" || len(s) > 15 {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// ticketByNumber finds the ticket numbered n among those on this device.
func (c *Client) ticketByNumber(n int64) (ticketView, bool, error) {
	ts, err := c.tickets()
	if err != nil {
		return ticketView{}, false, err
	}
	for _, tk := range ts {
		if tk.Number == n {
			return tk, true, nil
		}
	}
	return ticketView{}, false, nil
}
