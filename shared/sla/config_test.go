package sla

import (
	"testing"
	"time"

	"outpost/shared"
)

func TestDefaultsAreValid(t *testing.T) {
	cal, err := DefaultCalendar(DefaultZone, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.Validate(); err != nil {
		t.Errorf("DefaultCalendar().Validate() = %v", err)
	}
	if err := DefaultPolicy().Validate(); err != nil {
		t.Errorf("DefaultPolicy().Validate() = %v", err)
	}
	if _, err := DefaultCalendar("Mars/Olympus", nil); shared.ErrorCode(err) != shared.EINVALID {
		t.Errorf("DefaultCalendar(Mars/Olympus) err = %v; want EINVALID", err)
	}
}

func TestConfigSaveValidate(t *testing.T) {
	cal := &Calendar{Zone: "UTC", Week: Weekdays(Hours(9, 0, 17, 0))}
	tests := []struct {
		name string
		in   ConfigSave
		want string // catalog key, "" for valid
	}{
		{"calendar", ConfigSave{ID: ConfigCalendar, Calendar: cal}, ""},
		{"policy", ConfigSave{ID: ConfigPolicy, Policy: DefaultPolicy()}, ""},
		{"unknown id", ConfigSave{ID: "colours", Calendar: cal}, "slaadmin.bad_save"},
		{"both", ConfigSave{ID: ConfigCalendar, Calendar: cal, Policy: DefaultPolicy()}, "slaadmin.bad_save"},
		{"missing", ConfigSave{ID: ConfigPolicy}, "slaadmin.bad_save"},
		{"bad zone", ConfigSave{ID: ConfigCalendar, Calendar: &Calendar{Zone: "Nowhere/Else", Week: cal.Week}}, "sla.bad_zone"},
		{"no hours", ConfigSave{ID: ConfigCalendar, Calendar: &Calendar{Zone: "UTC"}}, "sla.no_hours"},
	}
	for _, tt := range tests {
		err := tt.in.Validate(nil)
		key, _ := shared.ErrorKey(err)
		if err == nil {
			key = ""
		}
		if key != tt.want {
			t.Errorf("%s: Validate() = %v; want %q", tt.name, err, tt.want)
		}
	}
}

// TestTicketTimers: a ticket filed offline on Friday and received on
// Monday at 10:00 starts at 09:45 (Start's grace), and a staff reply stops
// its first-response timer.
func TestTicketTimers(t *testing.T) {
	cal, _ := DefaultCalendar("UTC", nil)
	pol := DefaultPolicy()
	mon := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
	tk := &shared.Ticket{ID: "t", Priority: shared.PriorityP3, RequesterID: "u",
		CreatedAt: time.Date(2026, 1, 9, 17, 0, 0, 0, time.UTC).UnixMilli(), ReceivedAt: mon.UnixMilli()}
	tm, err := pol.TicketTimers(cal, tk, nil, mon)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 1, 12, 17, 45, 0, 0, time.UTC); !tm.FirstResponse.Due.Equal(want) {
		t.Errorf("first response due %v; want %v", tm.FirstResponse.Due, want)
	}
	if next, which := tm.Next(); which != TimerFirstResponse || next.State != StateRunning {
		t.Errorf("Next() = %s %s; want the running first response", which, next.State)
	}
	reply := shared.Entry{Kind: shared.EntryReply, AuthorID: "a", AuthorStaff: true, At: mon.Add(time.Hour).UnixMilli()}
	tm, _ = pol.TicketTimers(cal, tk, []shared.Entry{reply}, mon.Add(2*time.Hour))
	if tm.FirstResponse.State != StateMet {
		t.Errorf("after a staff reply the first response is %s; want met", tm.FirstResponse.State)
	}
	if _, which := tm.Next(); which != TimerResolution {
		t.Errorf("after a reply Next() is %s; want the resolution", which)
	}
	if id := MarkID("0190c3a1-0000-7000-8000-000000000001", TimerResolution, StateBreached); shared.ValidUUID(id) {
		t.Errorf("MarkID = %q is a UUID: a device could take it first", id)
	}
}
