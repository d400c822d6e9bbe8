package app

import (
	"strings"
	"testing"
	"time"

	"outpost/shared"
)

func TestStatusLabelPerRole(t *testing.T) {
	for _, c := range []struct {
		lang, role, status, want string
	}{
		{"en", shared.RoleRequester, shared.StatusPending, "Waiting for your reply"},
		{"en", shared.RoleAgent, shared.StatusPending, "Waiting on the requester"},
		{"en", shared.RoleAdmin, shared.StatusPending, "Waiting on the requester"},
		{"es", shared.RoleRequester, shared.StatusPending, "Esperando tu respuesta"},
		{"es", shared.RoleAgent, shared.StatusPending, "Esperando al solicitante"},
		{"en", shared.RoleRequester, shared.StatusNew, "Received"},
		{"en", shared.RoleAgent, shared.StatusNew, "New"},
		{"es", shared.RoleRequester, shared.StatusNew, "Recibido"},
		{"en", shared.RoleRequester, shared.StatusOpen, "In progress"},
		{"en", shared.RoleAgent, shared.StatusOpen, "Open"},
		{"es", shared.RoleRequester, shared.StatusOpen, "En curso"},
		{"en", shared.RoleRequester, shared.StatusResolved, "Resolved"},
		{"es", shared.RoleAgent, shared.StatusClosed, "Cerrado"},
		{"en", "", shared.StatusPending, "Waiting for your reply"}, // nobody signed in reads as a requester
	} {
		if got := statusLabel(c.lang, c.role, c.status); got != c.want {
			t.Errorf("statusLabel(%q, %q, %q) = %q; want %q", c.lang, c.role, c.status, got, c.want)
		}
	}
	// Every status has words for every reader, in both languages.
	for _, l := range []string{"en", "es"} {
		for _, role := range []string{shared.RoleRequester, shared.RoleAgent} {
			for _, s := range shared.TicketStatuses {
				if got := statusLabel(l, role, s); got == "" || strings.Contains(got, "status.") {
					t.Errorf("statusLabel(%q, %q, %q) = %q; want words", l, role, s, got)
				}
			}
		}
	}
}

func TestEntryShownPerRole(t *testing.T) {
	for _, c := range []struct {
		entry     shared.Entry
		requester bool // agents and admins see every line
	}{
		{shared.Entry{Kind: shared.EntryReply}, true},
		{shared.Entry{Kind: shared.EntryStatus, To: shared.StatusPending}, true},
		{shared.Entry{Kind: shared.EntryRating, To: "4"}, true},
		{shared.Entry{Kind: shared.EntryNote, Internal: true}, false},
		{shared.Entry{Kind: shared.EntryReply, Internal: true}, false},
		{shared.Entry{Kind: shared.EntryPriority, To: "P1"}, false},
		{shared.Entry{Kind: shared.EntryAssign, To: "Tomás"}, false},
		{shared.Entry{Kind: shared.EntryEscalate, To: "2"}, false},
		{shared.Entry{Kind: "sla", To: "warned"}, false},
	} {
		if got := entryShown(shared.RoleRequester, c.entry); got != c.requester {
			t.Errorf("entryShown(requester, %s %q) = %v; want %v", c.entry.Kind, c.entry.To, got, c.requester)
		}
		for _, staff := range []string{shared.RoleAgent, shared.RoleAdmin} {
			if !entryShown(staff, c.entry) {
				t.Errorf("entryShown(%s, %s %q) = false; want true", staff, c.entry.Kind, c.entry.To)
			}
		}
	}
	es := []entryView{{Entry: shared.Entry{ID: "1", Kind: shared.EntryReply}}, {Entry: shared.Entry{ID: "2", Kind: shared.EntryPriority}}}
	if got := shownEntries(shared.RoleRequester, es); len(got) != 1 || got[0].ID != "1" || len(es) != 2 {
		t.Errorf("shownEntries(requester) = %+v (of %d); want only the reply, the input kept", got, len(es))
	}
}

func TestQueueTextNobodyWaiting(t *testing.T) {
	for _, c := range []struct {
		lang, key string
		waiting   int
		want      string
	}{
		{"en", "", 0, ""}, // the desk: its empty state says it
		{"en", "kiosk.checkin_next", 0, "Nobody is waiting: check in and you are next."},
		{"es", "kiosk.checkin_next", 0, "No espera nadie: regístrese y será el siguiente."},
		{"en", "kiosk.checkin_next", 2, "People waiting: 2. About"},
	} {
		got := queueText(c.lang, c.key, c.waiting, []time.Duration{5 * time.Minute})
		if !strings.HasPrefix(got, c.want) || c.want == "" && got != "" || strings.Contains(got, "You are next") {
			t.Errorf("queueText(%q, %q, %d) = %q; want it to start %q", c.lang, c.key, c.waiting, got, c.want)
		}
	}
}
