package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/chromedp/chromedp"

	"outpost/server"
	"outpost/server/auth"
	"outpost/server/store"
	outsync "outpost/server/sync"
	"outpost/shared"
	"outpost/shared/i18n"
	"outpost/shared/wire"
)

// Scenes several tests start from: who is there, on which network, and
// in what state, so that each test reads as its story.

// homeSynced is true once the home page lists the knowledge base from the
// device's own replica (a full pull done, online, nothing to send).
const homeSynced = `document.querySelectorAll("#article-list ul.articles li").length >= 10`

// visitHome opens the home page signed out and waits until the device
// holds the knowledge base and the service worker the app, so that it
// works offline from then on.
func visitHome(t *testing.T, d device) {
	t.Helper()
	run(t, d.ctx, chromedp.Navigate(d.base+"/"))
	waitJS(t, d.ctx, d.name+" online and synced", statusIs("online", 0)+` && `+synced+` && `+homeSynced, 60*time.Second)
	waitCached(t, d.ctx)
}

// onLink is a browser that reaches the server through a network of its
// own (newLink), so that it can lose the server for real while the other
// browsers keep it.
type onLink struct {
	device
	link *toxiproxy.Proxy
}

// newOnLink starts a browser named name whose way to the server at addr
// is a link of its own.
func newOnLink(t *testing.T, name, addr string) onLink {
	t.Helper()
	link := newLink(t, addr)
	return onLink{device: device{name: name, base: "http://" + link.Listen, ctx: newBrowser(t)}, link: link}
}

// signIn signs the browser in as email and waits for its first sync.
func (d device) signIn(t *testing.T, email string) {
	t.Helper()
	signInUI(t, d.ctx, d.base, email)
	waitJS(t, d.ctx, d.name+" synced", statusIs("online", 0)+` && `+synced, 60*time.Second)
}

// cut takes the device's network away, as a phone loses it: the link
// closes (an emulated offline page would keep its open websocket) and the
// browser is told, so the app says "offline" at once.
func (d onLink) cut(t *testing.T) {
	t.Helper()
	d.link.Stop()
	setOffline(t, d.ctx, true)
	waitJS(t, d.ctx, d.name+" offline", `document.getElementById("sync-status").dataset.state === "offline"`, 30*time.Second)
}

// restore gives the network back and waits until the device has sent
// everything it held.
func (d onLink) restore(t *testing.T) {
	t.Helper()
	if err := d.link.Start(); err != nil {
		t.Fatal(err)
	}
	setOffline(t, d.ctx, false)
	waitJS(t, d.ctx, d.name+" back online, everything sent", statusIs("online", 0), 60*time.Second)
}

// adminScene is a server with the demo knowledge base, a signed-out
// visitor's browser that has visited it (synced, and able to work
// offline), and Ada Admin signed in on a browser with a network of its
// own.
type adminScene struct {
	srv     *server.Main
	visitor device
	admin   onLink
}

// visitorAndAdmin sets up an adminScene.
func visitorAndAdmin(t *testing.T) adminScene {
	t.Helper()
	dir, addr := t.TempDir(), freeAddr(t)
	srv := startServer(t, addr, dir)
	addAccount(t, srv, "ada@example.com", "Ada Admin", shared.RoleAdmin, 0)
	s := adminScene{
		srv:     srv,
		visitor: device{name: "visitor", base: srv.HTTP.URL(), ctx: newBrowser(t)},
		admin:   newOnLink(t, "admin", addr),
	}
	visitHome(t, s.visitor)
	s.admin.signIn(t, "ada@example.com")
	return s
}

// storedConfig reads the configuration record key from the server's
// store into v.
func storedConfig(t *testing.T, s store.Store, key string, v any) error {
	t.Helper()
	return s.View(context.Background(), func(tx store.ReadTx) error {
		data, err := tx.Get(wire.TypeConfig, key)
		if err != nil {
			return err
		}
		return json.Unmarshal(data, v)
	})
}

// reloadUntil opens path on the device (a load pulls at once) until cond
// holds once the page is online with nothing to send and shows ready, or
// fails with why after within.
func reloadUntil(t *testing.T, d device, path, ready, cond string, within time.Duration, why string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		run(t, d.ctx, chromedp.Navigate(d.base+path))
		waitJS(t, d.ctx, d.name+" synced at "+path, appReady+` && `+statusIs("online", 0)+` && `+ready, 30*time.Second)
		if eval[bool](t, d.ctx, cond) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(why)
		}
		time.Sleep(time.Second)
	}
}

// say is what the app says for the catalogue key in lang (args as for
// i18n.T), as a JavaScript string literal: a test looks for the app's own
// words, not a copy of them that the next edit of the catalogue makes
// stale.
func say(lang, key string, args ...any) string {
	return jsString(i18n.T(lang, key, args...))
}

// sayUpTo is the words of the catalogue key in lang before its first
// argument, as a JavaScript string literal.
func sayUpTo(lang, key string) string {
	return jsString(strings.SplitN(i18n.T(lang, key), "%", 2)[0])
}

// signedInForOffline opens a new browser, signs it in on base as email
// and waits until the device can work offline: synced, with the app in
// the service worker's cache.
func signedInForOffline(t *testing.T, base, email string) context.Context {
	t.Helper()
	d := device{name: email, base: base, ctx: newBrowser(t)}
	d.signIn(t, email)
	waitCached(t, d.ctx)
	return d.ctx
}

// adminOnServer starts a server of its own with Ada Admin, and a browser
// signed in as her and synced.
func adminOnServer(t *testing.T) (srv *server.Main, base string, admin context.Context) {
	t.Helper()
	srv = startServer(t, freeAddr(t), t.TempDir())
	base = srv.HTTP.URL()
	addAccount(t, srv, "ada@example.com", "Ada Admin", shared.RoleAdmin, 0)
	admin = newBrowser(t)
	signInUI(t, admin, base, "ada@example.com")
	waitJS(t, admin, "synced", statusIs("online", 0), 30*time.Second)
	return srv, base, admin
}

// op is a mutation a test pushes on a user's behalf: its name and its
// arguments.
type op struct {
	name string
	args any
}

// pushAs applies ops on the server as user u's device clientID would push
// them, with sequences from seq on, and fails the test unless the server
// accepts every one: what other people did meanwhile, in a test about
// what one person sees.
func pushAs(t *testing.T, m *server.Main, u auth.User, clientID string, seq uint64, ops ...op) {
	t.Helper()
	ms := make([]wire.Mutation, len(ops))
	for i, o := range ops {
		args, err := json.Marshal(o.args)
		if err != nil {
			t.Fatal(err)
		}
		ms[i] = wire.Mutation{Seq: seq + uint64(i), Name: o.name, Args: args}
	}
	who := u.Identity()
	rs, err := m.Sync.PushAs(context.Background(), outsync.Actor{ClientID: clientID, User: &who}, ms)
	if err != nil || len(rs) != len(ms) {
		t.Fatalf("push as %s: %+v, %v", u.Email, rs, err)
	}
	for i, r := range rs {
		if !r.OK {
			t.Fatalf("%s as %s refused: %+v", ms[i].Name, u.Email, r)
		}
	}
}

// agentEmail is the tier-1 agent's account in requesterAndAgent.
const agentEmail = "agent@example.com"

// requesterAndAgent starts a server of its own (the demo knowledge base)
// with two accounts: the requester email, named name, and Tomás Agent
// (agentEmail, tier 1). It returns the server and its address.
func requesterAndAgent(t *testing.T, email, name string) (*server.Main, string) {
	t.Helper()
	addr := freeAddr(t)
	srv := startServer(t, addr, t.TempDir())
	addAccount(t, srv, email, name, shared.RoleRequester, 0)
	addAccount(t, srv, agentEmail, "Tomás Agent", shared.RoleAgent, 1)
	return srv, addr
}
