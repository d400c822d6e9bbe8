package shared

import (
	"strings"
	"testing"
	"time"
)

var testNow = time.UnixMilli(1_800_000_000_000)

func TestTicketCreatePriorityAndRequester(t *testing.T) {
	tc := TicketCreate{ID: NewID(testNow), Title: "  Printer on fire  ", Impact: LevelHigh, CreatedAt: 5}
	if err := tc.Validate(Categories); err != nil {
		t.Fatal(err)
	}
	who := Identity{UserID: NewID(testNow), Email: "field@example.com", Name: "Field", Role: RoleRequester}
	tk := tc.TicketBy("client", who)
	if tk.Title != "Printer on fire" || tk.Priority != PriorityP2 || tk.Urgency != LevelMedium || tk.Status != StatusNew ||
		tk.RequesterID != who.UserID || tk.RequesterEmail != who.Email || tk.ClientID != "client" {
		t.Errorf("TicketBy = %+v", tk)
	}
	if anon := tc.Ticket("client"); anon.RequesterID != "" || anon.Priority != PriorityP2 {
		t.Errorf("signed-out ticket = %+v", anon)
	}
}

func TestTicketOpValidate(t *testing.T) {
	id, tid := NewID(testNow), NewID(testNow)
	ok := func(op TicketOp) TicketOp { op.ID, op.TicketID = id, tid; return op }
	cases := []struct {
		name string
		op   TicketOp
		key  string
	}{
		{OpTicketReply, ok(TicketOp{Body: "Try this"}), ""},
		{OpTicketReply, ok(TicketOp{Body: "  "}), "ticket.reply_required"},
		{OpTicketNote, ok(TicketOp{Body: strings.Repeat("x", MaxReply+1)}), "field.too_long"},
		{OpTicketStatus, ok(TicketOp{To: StatusResolved}), ""},
		{OpTicketStatus, ok(TicketOp{To: "done"}), "transition.unknown_status"},
		{OpTicketPriority, ok(TicketOp{Impact: LevelLow, Urgency: LevelHigh}), ""},
		{OpTicketPriority, ok(TicketOp{Impact: "huge", Urgency: LevelHigh}), "ticket.priority.bad_impact"},
		{OpTicketAssign, ok(TicketOp{AssigneeID: NewID(testNow)}), ""},
		{OpTicketAssign, ok(TicketOp{AssigneeID: "bob"}), "ticket.bad_assignee"},
		{OpTicketAssign, ok(TicketOp{Group: "Not A Slug"}), "role.bad_group"},
		{OpTicketEscalate, ok(TicketOp{Tier: 2, Body: "needs a technician"}), ""},
		{OpTicketEscalate, ok(TicketOp{Tier: 4, Body: "x"}), "role.bad_tier"},
		{OpTicketEscalate, ok(TicketOp{Tier: 2}), "transition.reason_required"},
		{"ticket.delete", ok(TicketOp{}), "mutation.unknown"},
		{OpTicketReply, TicketOp{ID: "1", TicketID: tid, Body: "x"}, "ticket.bad_op_id"},
		{OpTicketReply, TicketOp{ID: id, TicketID: "t", Body: "x"}, "ticket.bad_id"},
		{OpTicketReply, ok(TicketOp{Body: "x", CreatedAt: -1}), "ticket.bad_time"},
	}
	for _, c := range cases {
		err := c.op.Validate(c.name)
		if key, _ := ErrorKey(err); (err == nil) != (c.key == "") || err != nil && key != c.key {
			t.Errorf("%s %+v: Validate = %v; want %q", c.name, c.op, err, c.key)
		}
	}
}
