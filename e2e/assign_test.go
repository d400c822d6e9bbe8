package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"outpost/server/auth"
	"outpost/shared"
)

// TestAssignSelectKeepsChoice is issue 16's Assign glitch: an agent picks
// an assignee with the keyboard (a real change event) over a slow link;
// the select shows the choice at once and never shows another value while
// the change is sent, acknowledged and pulled back. (The outbox entry used
// to go at the ack, and the page redrew from the replica before the pull
// brought the server's copy: the select jumped back to the old assignee.)
func TestAssignSelectKeepsChoice(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	var olga auth.User
	for _, u := range []auth.NewUser{
		{Email: "tomas@example.com", Name: "Tomás Agent", Role: shared.RoleAgent, Tier: 1},
		{Email: "olga@example.com", Name: "Olga Agent", Role: shared.RoleAgent, Tier: 1},
	} {
		olga = addUser(t, srv, u)
	}
	id := fileTicketAs(t, srv, addUser(t, srv, auth.NewUser{Email: "rita@example.com", Name: "Rita Requester", Role: shared.RoleRequester}),
		"0190c3a1-0000-7000-8000-00000000a551", 1, "Laptop fan is loud")

	link := newLink(t, addr)
	base := "http://" + link.Listen
	agent := newBrowser(t)
	signInUI(t, agent, base, "tomas@example.com")
	run(t, agent, chromedp.Navigate(base+"/ticket/"+id))
	const olgaLabel = "Olga Agent · Tier 1"
	waitJS(t, agent, "the Assign select", appReady+` && `+statusIs("online", 0)+` && !!document.getElementById("assign-agent") &&
		document.getElementById("assign-agent").selectedOptions[0].text === "Unassigned" &&
		document.getElementById("assign-agent").options[1].text === `+jsString(olgaLabel), 30*time.Second)

	// Every answer from the server now takes 400 ms: the ack and the pull
	// after it arrive well apart.
	if _, err := link.Toxics.AddToxicJson(strings.NewReader(`{"name":"slow","type":"latency","stream":"downstream","attributes":{"latency":400}}`)); err != nil {
		t.Fatal(err)
	}
	// Watch what the select shows, every few milliseconds, from before the
	// choice until after it is synced.
	eval[any](t, agent, `window.assignSeen = []; window.assignWatch = setInterval(() => {
		const s = document.getElementById("assign-agent"), v = s ? s.selectedOptions[0].text : "(gone)";
		if (assignSeen[assignSeen.length - 1] !== v) assignSeen.push(v);
	}, 4); true`)
	run(t, agent, chromedp.Focus(chromedp.CSS("#assign-agent"), chromedp.NodeVisible), chromedp.KeyEvent(kb.ArrowDown))
	if got := eval[string](t, agent, `document.getElementById("assign-agent").selectedOptions[0].text`); got != olgaLabel {
		t.Fatalf("right after the choice the select shows %q; want %q", got, olgaLabel)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		done := false
		for _, tk := range ticketsOf(t, srv.Store) {
			done = done || tk.ID == id && tk.AssigneeID == olga.ID
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never got the assignment")
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitJS(t, agent, "synced", statusIs("online", 0)+` && document.getElementById("ticket").dataset.pending === "false" && document.querySelector("#ticket .meta").innerText.includes("Olga Agent")`, 30*time.Second)
	time.Sleep(time.Second) // two more round trips at 400 ms: any late redraw shows
	seen := eval[[]string](t, agent, `clearInterval(assignWatch); assignSeen`)
	if len(seen) != 2 || seen[0] != "Unassigned" || seen[1] != olgaLabel {
		t.Errorf("the select showed %q; want Unassigned, then only %q", seen, olgaLabel)
	}
	if got := eval[string](t, agent, `document.getElementById("assign-agent").selectedOptions[0].text`); got != olgaLabel {
		t.Errorf("after sync the select shows %q; want %q", got, olgaLabel)
	}
}
