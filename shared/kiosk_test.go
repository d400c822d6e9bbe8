package shared

import (
	"testing"
	"time"
)

func TestKioskCheckinValidate(t *testing.T) {
	ok := KioskCheckin{ID: "01936f6e-7a1b-7c3d-8e4f-0123456789ac", Site: "lobby", Number: "A-001", Name: "Ana", Email: "Ana@Example.com", Reason: "network/wifi", CreatedAt: 1}
	tests := []struct {
		name string
		edit func(*KioskCheckin)
		want string
	}{
		{"valid", func(*KioskCheckin) {}, ""},
		{"category only", func(c *KioskCheckin) { c.Reason = "email" }, ""},
		{"bad id", func(c *KioskCheckin) { c.ID = "x" }, "kiosk.bad_id"},
		{"bad number", func(c *KioskCheckin) { c.Number = "a-1" }, "kiosk.bad_number"},
		{"no digits", func(c *KioskCheckin) { c.Number = "A-" }, "kiosk.bad_number"},
		{"blank name", func(c *KioskCheckin) { c.Name = "  " }, "kiosk.name_required"},
		{"bad e-mail", func(c *KioskCheckin) { c.Email = "ana" }, "kiosk.bad_email"},
		{"unknown reason", func(c *KioskCheckin) { c.Reason = "network/printer" }, "kiosk.bad_reason"},
		{"bad site", func(c *KioskCheckin) { c.Site = "Lobby" }, "role.bad_site"},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		key := ""
		if err := c.Validate(Categories); err != nil {
			key, _ = ErrorKey(err)
		}
		if key != tt.want {
			t.Errorf("%s: Validate() = %q; want %q", tt.name, key, tt.want)
		}
	}
}

func TestKioskLetterAndNumbers(t *testing.T) {
	for n, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 52: "BA"} {
		if got := KioskLetter(n); got != want {
			t.Errorf("KioskLetter(%d) = %q; want %q", n, got, want)
		}
	}
	if got := VisitNumber("B", 7); got != "B-007" || NumberCount(got) != 7 || !ValidVisitNumber(got) {
		t.Errorf("VisitNumber(B, 7) = %q (count %d)", got, NumberCount(got))
	}
	if got := NormalizeEnrollCode(" 7kq4-mz2p "); got != "7KQ4MZ2P" {
		t.Errorf("NormalizeEnrollCode = %q", got)
	}
}

func TestNextVisitStatus(t *testing.T) {
	tests := []struct{ from, op, want string }{
		{VisitWaiting, OpVisitCall, VisitCalled},
		{VisitCalled, OpVisitCall, VisitCalled},
		{VisitCalled, OpVisitStart, VisitServing},
		{VisitServing, OpVisitResolve, VisitResolved},
		{VisitServing, OpVisitTicket, VisitTicketed},
		{VisitCalled, OpVisitNoShow, VisitNoShow},
		{VisitServing, OpVisitNoShow, ""},
		{VisitResolved, OpVisitCall, ""},
		{VisitNoShow, OpVisitStart, ""},
	}
	for _, tt := range tests {
		got, err := NextVisitStatus(tt.from, tt.op)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("NextVisitStatus(%q, %q) = %q, %v; want %q", tt.from, tt.op, got, err, tt.want)
		}
	}
}

// The queue is in arrival order by the kiosks' clocks, bounded by when the
// server first heard of each visit.
func TestQueueOrder(t *testing.T) {
	const min = int64(time.Minute / time.Millisecond)
	base := int64(1_800_000_000_000)
	vs := []Visit{
		{ID: "4", Number: "B-002", CreatedAt: base + 3*min, Received: base + 30*min}, // offline kiosk B, synced late
		{ID: "1", Number: "A-001", CreatedAt: base + 1*min, Received: base + 1*min},
		{ID: "5", Number: "A-002", CreatedAt: base + 90*min, Received: base + 4*min}, // A's clock runs 86 min fast
		{ID: "2", Number: "B-001", CreatedAt: base + 2*min, Received: base + 30*min},
		{ID: "6", Number: "C-001", CreatedAt: base - 20*60*min, Received: base + 5*min}, // C's clock is 20 h slow
		{ID: "7", Number: "C-002", CreatedAt: base + 6*min},                             // not yet on the server
	}
	SortQueue(vs)
	var got string
	for _, v := range vs {
		got += v.Number + " "
	}
	if want := "C-001 A-001 B-001 B-002 A-002 C-002 "; got != want {
		t.Errorf("queue = %s; want %s", got, want)
	}
}

func TestEstimateWait(t *testing.T) {
	if mid, lo, hi := EstimateWait(0, nil); mid != 0 || lo != 0 || hi != 0 {
		t.Errorf("nobody ahead: %v %v %v", mid, lo, hi)
	}
	if mid, lo, hi := EstimateWait(2, nil); mid != 10*time.Minute || lo != 6*time.Minute || hi != 14*time.Minute {
		t.Errorf("no history, 2 ahead: %v %v %v; want 10m 6m 14m", mid, lo, hi)
	}
	times := []time.Duration{4 * time.Minute, 2 * time.Minute, 6 * time.Minute, 8 * time.Minute, 5 * time.Minute}
	if mid, lo, hi := EstimateWait(2, times); mid != 10*time.Minute || lo != 8*time.Minute || hi != 12*time.Minute {
		t.Errorf("2 ahead: %v %v %v; want 10m 8m 12m", mid, lo, hi)
	}
	if got := WaitMinutes(61 * time.Second); got != 2 {
		t.Errorf("WaitMinutes(61s) = %d", got)
	}
}
