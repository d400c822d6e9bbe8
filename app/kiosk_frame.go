package app

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/clock"
)

// The kiosk frame: on a kiosk device every page (the check-in, the
// knowledge base, guided troubleshooting) is drawn full-screen, without
// the portal's navigation, with one big way back to the welcome screen.
// An idle timer returns there and forgets what the visitor did.

// isKiosk reports whether this device is an enrolled kiosk.
func (c *Client) isKiosk() bool { return c.me() != nil && c.me().Role == shared.RoleKiosk }

// DefaultKioskIdle is how long a kiosk waits without a touch or a key
// before it starts over; ?idle=<seconds> on any kiosk page changes it
// until the app restarts (tests use a few seconds).
const DefaultKioskIdle = 90 * time.Second

// kioskPaths are the pages a visitor may use on a kiosk.
var kioskPaths = []string{"/kiosk", "/troubleshoot", "/article/"}

func kioskAllowed(path string) bool {
	if path == "/" {
		return true
	}
	for _, p := range kioskPaths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// kioskFrame draws content full-screen for a walk-up visitor: large
// targets, high contrast, the sync status (small, for staff), and a way
// back to the welcome screen.
func (p *page) kioskFrame(content ...app.UI) app.UI {
	l := p.lang
	path := ""
	if !p.client.prerendering() {
		path = app.Window().URL().Path
	}
	if p.client.isKiosk() && path != "" && !kioskAllowed(path) {
		content = []app.UI{
			app.H1().Text(t(l, "kiosk.not_here")),
			app.P().Class("kiosk-lead").Text(t(l, "kiosk.not_here_p")),
		}
	}
	site := ""
	if p.client.me() != nil && p.client.me().Site != "" {
		site = p.client.me().Site
	}
	return app.Div().Class("shell kiosk").Body(
		app.Header().Class("kiosk-top").Body(
			app.A().Class("kiosk-brand").Href("/kiosk").Body(
				// go-app drops an empty alt, so the decoration says so by its role.
				app.Img().Src("/web/icon.svg").Alt("").Attr("role", "presentation").Width(40).Height(40),
				app.Span().Text(t(l, "kiosk.brand")),
				app.If(site != "", func() app.UI { return app.Span().Class("kiosk-site").Text(" · " + p.client.siteName(l, site)) }),
			),
			app.Nav().Class("kiosk-nav").Aria("label", t(l, "kiosk.nav")).Body(
				app.If(path != "/kiosk", func() app.UI {
					return app.A().ID("kiosk-home").Class("kiosk-button secondary").Href("/kiosk").Text(t(l, "kiosk.back_home"))
				}),
				// Decide the language at click time (handlers outlive renders).
				app.Button().ID("kiosk-lang").Class("kiosk-button secondary").Type("button").Lang(otherLang(l)).
					Text(t(otherLang(l), "kiosk.lang_name")).
					OnClick(func(ctx app.Context, e app.Event) { p.setLang(ctx, otherLang(p.lang)) }),
			),
		),
		app.Main().Class("kiosk-main").Body(content...),
		app.Footer().Class("kiosk-foot").Body(p.statusBar()),
	)
}

// kioskIdle watches a kiosk for inactivity: a timer on the client's clock,
// pushed back by every touch, fires timeout after the last one.
type kioskIdle struct {
	sync.Mutex
	once    sync.Once
	timeout time.Duration
	last    time.Time   // the last touch, by the client's clock
	timer   clock.Timer // nil until the first kiosk page mounts
	ctx     app.Context // the page mounted last
	hasCtx  bool
	dirty   bool // the welcome screen has something to forget
	resets  map[*kioskPage]func(app.Context)
}

// start arms the idle timer on clk: once timeout passes without a touch,
// idle is called (on the clock's goroutine) with the page mounted last.
func (k *kioskIdle) start(clk clock.Clock, idle func(app.Context)) {
	k.Lock()
	defer k.Unlock()
	k.last = clk.Now()
	k.timer = clk.AfterFunc(k.timeout, func() {
		k.Lock()
		// A touch that came as the timer fired has pushed it back.
		due := clk.Since(k.last) >= k.timeout
		if due {
			// Again later, should this reset not happen (the reset
			// touches, which pushes this back).
			k.timer.Reset(k.timeout)
		}
		ctx, ok := k.ctx, k.hasCtx
		k.Unlock()
		if due && ok {
			idle(ctx)
		}
	})
}

// touch says someone is at the kiosk: the idle time starts again.
func (k *kioskIdle) touch(clk clock.Clock) {
	k.Lock()
	k.touchLocked(clk)
	k.Unlock()
}

// touchLocked is touch with k held.
func (k *kioskIdle) touchLocked(clk clock.Clock) {
	k.last = clk.Now()
	if k.timer != nil {
		k.timer.Reset(k.timeout)
	}
}

// watchKiosk is called by every page as it mounts on a kiosk device: it
// starts the idle timer once, and remembers the page, to go home from.
func (c *Client) watchKiosk(ctx app.Context) {
	if c.prerendering() || !c.isKiosk() {
		return
	}
	k := &c.kiosk
	k.Lock()
	k.ctx, k.hasCtx = ctx, true
	if s, err := strconv.Atoi(ctx.Page().URL().Query().Get("idle")); err == nil && s > 0 {
		k.timeout = time.Duration(s) * time.Second
	}
	if k.timeout == 0 {
		k.timeout = DefaultKioskIdle
	}
	k.touchLocked(c.clk())
	k.Unlock()
	k.once.Do(func() {
		touch := app.FuncOf(func(app.Value, []app.Value) any {
			k.touch(c.clk())
			return nil
		})
		for _, ev := range []string{"pointerdown", "touchstart", "keydown", "input", "wheel"} {
			app.Window().Call("addEventListener", ev, touch, map[string]any{"capture": true, "passive": true})
		}
		k.start(c.clk(), func(ctx app.Context) {
			ctx.Dispatch(func(ctx app.Context) { c.kioskIdleReset(ctx, false) })
		})
	})
}

// kioskDirty tells the idle timer whether the welcome screen holds
// something of a visitor's.
func (c *Client) kioskDirty(dirty bool) {
	c.kiosk.Lock()
	c.kiosk.dirty = dirty
	c.kiosk.Unlock()
}

// kioskIdleReset returns to the welcome screen and forgets the visitor:
// what they typed (the check-in form resets itself), their troubleshooting
// runs and any ticket draft, the language they picked. force resets even
// a clean welcome screen (the "start over" button).
func (c *Client) kioskIdleReset(ctx app.Context, force bool) {
	k := &c.kiosk
	k.Lock()
	path := app.Window().URL().Path
	// The board is a wall display: nothing of a visitor's is on it.
	if !force && (path == "/kiosk" && !k.dirty || path == "/kiosk/board") {
		k.touchLocked(c.clk())
		k.Unlock()
		return
	}
	resets := make([]func(app.Context), 0, len(k.resets))
	for _, r := range k.resets {
		resets = append(resets, r)
	}
	k.dirty = false
	k.touchLocked(c.clk())
	k.Unlock()

	c.forgetVisitor(ctx)
	for _, r := range resets {
		r(ctx)
	}
	if path != "/kiosk" {
		ctx.Navigate("/kiosk")
	}
}

// forgetVisitor drops what a visitor left on the device outside the
// check-in form: troubleshooting runs (run/*), a chosen language, ticket
// drafts (a guide's escalation makes one).
func (c *Client) forgetVisitor(ctx app.Context) {
	ls := app.Window().Get("localStorage")
	var drop []string
	for i := 0; i < ls.Get("length").Int(); i++ {
		if key := ls.Call("key", i).String(); strings.HasPrefix(key, "run/") {
			drop = append(drop, key)
		}
	}
	for _, key := range drop {
		ls.Call("removeItem", key)
	}
	if c.uiLang() != "" {
		ls.Call("removeItem", langKey)
		c.setUILang("")
		ctx.Page().SetLang(c.pageLang(ctx))
	}
	if c.prerendering() {
		return
	}
	go func() {
		drafts, err := c.Store.Drafts()
		if err != nil {
			return
		}
		for _, d := range drafts {
			c.Store.DeleteDraft(d.ID)
		}
	}()
}
