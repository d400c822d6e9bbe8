package app

import (
	"encoding/json"
	"strings"
	"testing"

	"outpost/shared"
	"outpost/shared/wire"
)

// A refused desk action is noted by its visit; a refused check-in by its
// number only, never by anything the visitor typed.
func TestRefusedRecordDeskAndKiosk(t *testing.T) {
	mut := func(name string, args any) wire.Mutation {
		b, _ := json.Marshal(args)
		return wire.Mutation{Seq: 1, Name: name, Args: b}
	}
	for _, op := range shared.VisitOps {
		if got := refusedRecord(mut(op, shared.VisitOp{ID: "v1", Desk: "Desk 2"})); got != "visit/v1" {
			t.Errorf("%s refused: noted as %q; want visit/v1", op, got)
		}
	}
	ci := shared.KioskCheckin{ID: "c1", Site: "lobby", Number: "A-007", Name: "Vera Visitor", Email: "vera@example.com", Reason: "network"}
	got := refusedRecord(mut(shared.OpKioskCheckin, ci))
	if got != "checkin/A-007" || strings.Contains(got, "Vera") || strings.Contains(got, "vera@") {
		t.Errorf("a refused check-in is noted as %q; want checkin/A-007", got)
	}
}
