package app

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
)

// Kiosk steps.
const (
	stepWelcome = ""
	stepForm    = "form"
	stepDone    = "done"
)

// Local-storage keys of a kiosk: its letter and its count of the day. No
// visitor data is ever stored there.
const (
	kioskLetterKey  = "kiosk/letter"
	kioskCounterKey = "kiosk/counter"
)

// kioskCounter is the count of numbers a kiosk issued on Day (its local date).
type kioskCounter struct {
	Day string `json:"day"`
	N   int    `json:"n"`
}

// kioskPage is the visitor's side of the walk-up desk: welcome, check in
// with a name, an e-mail address and a reason, then a queue number and
// the wait. On a device that is not a kiosk yet it enrolls it with a code.
//
// The name and e-mail address live in this component only until the
// check-in is queued; then they are cleared, here and in the form fields.
// The outbox entry leaves the device once the server has it.
type kioskPage struct {
	page
	step   string
	name   string
	email  string
	reason string // category or category/subcategory
	errMsg string
	visits []visitView
	letter string
	loaded bool
	busy   bool

	// The confirmation: a number and the visit, never the visitor's name.
	number  string
	visitID string

	code string // the enrollment code being typed

	refused string // check-ins the server did not take, for staff
}

func (k *kioskPage) OnPreRender(ctx app.Context) {
	k.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(k.lang, "kiosk.title") + " · " + t(k.lang, "app.name"))
}

func (k *kioskPage) OnMount(ctx app.Context) {
	idle := &k.client.kiosk
	idle.Lock()
	if idle.resets == nil {
		idle.resets = map[*kioskPage]func(app.Context){}
	}
	idle.resets[k] = k.reset
	idle.Unlock()
	k.mountPage(ctx, k.load)
}

func (k *kioskPage) OnDismount() {
	idle := &k.client.kiosk
	idle.Lock()
	delete(idle.resets, k)
	idle.Unlock()
	k.page.OnDismount()
}

func (k *kioskPage) load(ctx app.Context) {
	ctx.Page().SetTitle(t(k.lang, "kiosk.title") + " · " + t(k.lang, "app.name"))
	if !k.client.isKiosk() {
		k.loaded = true
		return
	}
	site, self := k.client.me().Site, k.client.me().UserID
	ctx.Async(func() {
		vs, err := k.client.siteVisits(site)
		letter := ""
		if rec, ok, _ := k.client.Store.Get(shared.TypeKiosk, self); ok {
			var d shared.KioskDevice
			if json.Unmarshal(rec.Data, &d) == nil {
				letter = d.Letter
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			k.visits, k.loaded = vs, true
			if letter == "" {
				ctx.LocalStorage().Get(kioskLetterKey, &letter)
			} else {
				ctx.LocalStorage().Set(kioskLetterKey, letter)
			}
			k.letter = letter
			// A check-in the server refused (its visitor has gone; only the
			// number was noted) is said on the welcome screen, for staff.
			if rs := takeRefusals(ctx.LocalStorage(), "checkin/"); len(rs) > 0 {
				var lines []string
				for rec, r := range rs {
					lines = append(lines, t(k.lang, "kiosk.checkin_refused", strings.TrimPrefix(rec, "checkin/"), r.text(k.lang)))
				}
				sort.Strings(lines)
				k.refused = strings.Join(lines, " ")
			}
			if err != nil {
				k.errMsg = storageErrText(k.lang, err)
			}
		})
	})
}

// reset forgets the visitor: the idle timer and "Done" call it.
func (k *kioskPage) reset(ctx app.Context) {
	k.step, k.name, k.email, k.reason, k.errMsg, k.number, k.visitID, k.code = stepWelcome, "", "", "", "", "", "", ""
	k.busy = false
	k.lang = k.client.pageLang(ctx)
	for _, id := range []string{"kiosk-name", "kiosk-email", "kiosk-code"} {
		clearField(id)
	}
	k.client.kioskDirty(false)
}

func (k *kioskPage) start(ctx app.Context, e app.Event) {
	k.step, k.errMsg = stepForm, ""
	k.client.kioskDirty(true)
	focusSoon("kiosk-name")
}

func (k *kioskPage) done(ctx app.Context, e app.Event) { k.reset(ctx) }

// nextNumber issues this kiosk's next queue number of the day: one more
// than the highest it knows of, from its counter and from the visits it
// made that the replica or the outbox holds (so a lost counter does not
// repeat numbers the server has seen).
func (k *kioskPage) nextNumber(ctx app.Context, now time.Time) string {
	day := shared.LocalDay(now)
	var c kioskCounter
	ctx.LocalStorage().Get(kioskCounterKey, &c)
	n := 0
	if c.Day == day {
		n = c.N
	}
	for _, v := range k.visits {
		if v.KioskID == k.client.me().UserID && strings.HasPrefix(v.Number, k.letter+"-") && shared.LocalDay(time.UnixMilli(v.CreatedAt)) == day {
			n = max(n, shared.NumberCount(v.Number))
		}
	}
	n++
	ctx.LocalStorage().Set(kioskCounterKey, kioskCounter{Day: day, N: n})
	return shared.VisitNumber(k.letter, n)
}

func (k *kioskPage) submit(ctx app.Context, e app.Event) {
	client := k.client
	if client.prerendering() || !client.isKiosk() || k.busy || k.step != stepForm {
		return
	}
	if k.letter == "" {
		k.errMsg = t(k.lang, "kiosk.no_letter")
		return
	}
	if why := k.blocked(); why != "" {
		k.errMsg = why
		return
	}
	now := client.Engine.Now()
	ci := shared.KioskCheckin{
		ID: shared.NewID(now), Site: client.me().Site, Number: "A-1", Name: strings.TrimSpace(k.name),
		Email: strings.TrimSpace(k.email), Reason: k.reason, CreatedAt: now.UnixMilli(),
	}
	if err := ci.Validate(client.categories()); err != nil { // checked before a number is spent
		k.errMsg = errorText(k.lang, err)
		return
	}
	ci.Number = k.nextNumber(ctx, now)
	if err := client.Engine.Mutate(shared.OpKioskCheckin, ci, ""); err != nil {
		k.errMsg = errorText(k.lang, err)
		return
	}
	// The visitor's words leave this component now: only the outbox entry
	// holds them, until the server acknowledges it.
	k.name, k.email = "", ""
	clearField("kiosk-name")
	clearField("kiosk-email")
	k.step, k.number, k.visitID, k.errMsg = stepDone, ci.Number, ci.ID, ""
	k.load(ctx)
	focusSoon("kiosk-number")
}

// enroll turns this device into a kiosk with an enrollment code.
func (k *kioskPage) enroll(ctx app.Context, e app.Event) {
	if k.client.prerendering() || k.client.Post == nil || k.busy {
		return
	}
	code := strings.TrimSpace(k.code)
	if code == "" {
		k.errMsg = t(k.lang, "kiosk.code_unknown")
		return
	}
	body, _ := json.Marshal(map[string]string{"code": code})
	lang := k.lang
	k.busy, k.errMsg = true, ""
	ctx.Async(func() {
		status, resp, err := k.client.Post("/api/kiosk/enroll", body, lang)
		var out struct {
			Identity shared.Identity
			Kiosk    shared.KioskDevice
		}
		ok := err == nil && status == 200 && json.Unmarshal(resp, &out) == nil && out.Identity.UserID != ""
		var switchErr error
		if ok {
			switchErr = k.client.signedIn(out.Identity)
		}
		ctx.Dispatch(func(ctx app.Context) {
			k.busy = false
			switch {
			case !ok:
				k.errMsg = errorFrom(lang, status, resp, err)
			case switchErr != nil:
				k.errMsg = errorText(lang, switchErr)
			default:
				k.code = ""
				clearField("kiosk-code")
				ctx.LocalStorage().Set(identityKey, out.Identity)
				ctx.LocalStorage().Set(kioskLetterKey, out.Kiosk.Letter)
				ctx.LocalStorage().Del(kioskCounterKey)
				k.client.setMe(&out.Identity)
				k.letter = out.Kiosk.Letter
				k.client.watchKiosk(ctx)
				k.load(ctx)
			}
		})
	})
}

// setFieldSoon sets the value of field id once it is drawn.
func setFieldSoon(id, value string) {
	if !app.IsClient {
		return
	}
	go func() {
		for i := 0; i < 20; i++ {
			time.Sleep(25 * time.Millisecond)
			if el := app.Window().GetElementByID(id); el.Truthy() {
				el.Set("value", value)
				return
			}
		}
	}()
}

// focusSoon moves the keyboard focus to element id once the redraw that
// makes it has happened (the handler's element may be gone by then, so
// ctx.Defer would not run).
func focusSoon(id string) {
	if !app.IsClient {
		return
	}
	go func() {
		for i := 0; i < 20; i++ {
			time.Sleep(25 * time.Millisecond)
			if el := app.Window().GetElementByID(id); el.Truthy() {
				el.Call("focus")
				return
			}
		}
	}()
}

func (k *kioskPage) Render() app.UI {
	l := k.lang
	if !k.client.prerendering() && !k.client.isKiosk() {
		return k.kioskFrame(k.renderEnroll())
	}
	switch k.step {
	case stepForm:
		return k.kioskFrame(k.renderForm())
	case stepDone:
		return k.kioskFrame(k.renderDone())
	}
	q := queueOf(k.visits)
	blocked := k.blocked()
	return k.kioskFrame(
		app.Section().ID("kiosk-welcome").Class("kiosk-welcome").Body(
			app.H1().Text(t(l, "kiosk.welcome")),
			app.P().Class("kiosk-lead").Text(t(l, "kiosk.welcome_p")),
			app.Div().Class("notices").Body(
				app.If(blocked != "", func() app.UI {
					return app.P().ID("kiosk-blocked").Class("error kiosk-error").Attr("role", "alert").Text(blocked)
				}),
				app.If(k.refused != "", func() app.UI {
					return app.P().ID("kiosk-refused").Class("error kiosk-error").Attr("role", "alert").Text(k.refused)
				}),
			),
			app.Button().ID("kiosk-checkin").Class("kiosk-button primary huge").Type("button").
				Disabled(k.client.prerendering() || blocked != "").Text(t(l, "kiosk.checkin")).OnClick(k.start),
			app.If(k.loaded, func() app.UI {
				return app.P().ID("kiosk-queue-now").Class("kiosk-lead").Aria("live", "polite").
					Text(queueText(l, "kiosk.checkin_next", len(q.Waiting), q.Times))
			}),
			app.Div().Class("kiosk-tiles").Body(
				app.A().ID("kiosk-kb").Class("kiosk-button secondary").Href("/").Text(t(l, "kiosk.browse_kb")),
				app.A().ID("kiosk-troubleshoot").Class("kiosk-button secondary").Href("/troubleshoot").Text(t(l, "kiosk.troubleshoot")),
				app.A().ID("kiosk-board-link").Class("kiosk-button secondary").Href("/kiosk/board").Text(t(l, "kiosk.board")),
			),
		),
	)
}

// blocked says why this kiosk cannot check visitors in now (the server
// refused its session: revoked, or signed out), or "". A number given now
// would never reach the desk.
func (k *kioskPage) blocked() string {
	why := k.status.SignIn
	switch why {
	case "":
		return ""
	case "auth.disabled": // a kiosk's account is disabled only by revoking it
		why = "kiosk.revoked"
	}
	return t(k.lang, "kiosk.cannot_checkin", t(k.lang, why))
}

func (k *kioskPage) renderEnroll() app.UI {
	l := k.lang
	return app.Section().ID("kiosk-enroll-step").Class("kiosk-welcome").Body(
		app.H1().Text(t(l, "kiosk.enroll_title")),
		app.P().Class("kiosk-lead").Text(t(l, "kiosk.enroll_p")),
		app.Form().ID("kiosk-enroll-form").Class("kiosk-form").Attr("onsubmit", noNativeSubmit).OnSubmit(k.enroll).Body(
			app.Label().For("kiosk-code").Text(t(l, "kiosk.code")),
			app.Input().ID("kiosk-code").Type("text").Attr("autocomplete", "off").Attr("autocapitalize", "characters").
				Attr("spellcheck", "false").Required(true).
				OnInput(func(ctx app.Context, e app.Event) {
					k.code = ctx.JSSrc().Get("value").String()
					k.client.kioskDirty(true)
				}),
			app.If(k.errMsg != "", func() app.UI {
				return app.P().ID("kiosk-error").Class("error kiosk-error").Attr("role", "alert").Text(k.errMsg)
			}),
			app.Button().ID("kiosk-enroll").Class("kiosk-button primary").Type("submit").Disabled(k.busy).Text(t(l, "kiosk.enroll")),
		),
		app.P().Class("muted").Text(t(l, "kiosk.enroll_staff")),
	)
}

func (k *kioskPage) renderForm() app.UI {
	l := k.lang
	cat := shared.ReasonCategory(k.reason)
	var subs []shared.Subcategory
	if c, ok := k.client.categories().Find(cat); ok {
		subs = c.Subcategories
	}
	return app.Section().ID("kiosk-form-step").Body(
		app.H1().Text(t(l, "kiosk.form_title")),
		app.Form().ID("kiosk-form").Class("kiosk-form").Attr("onsubmit", noNativeSubmit).OnSubmit(k.submit).Attr("novalidate", true).Body(
			app.Label().For("kiosk-name").Text(t(l, "kiosk.name")),
			// No Value(): go-app runs input handlers asynchronously, and a
			// redraw with a value one keystroke behind would drop keys.
			app.Input().ID("kiosk-name").Type("text").Attr("autocomplete", "off").Required(true).
				OnInput(func(ctx app.Context, e app.Event) { k.name = ctx.JSSrc().Get("value").String() }),
			app.Label().For("kiosk-email").Text(t(l, "kiosk.email")),
			app.Input().ID("kiosk-email").Type("email").Attr("autocomplete", "off").Attr("inputmode", "email").Required(true).
				OnInput(func(ctx app.Context, e app.Event) { k.email = ctx.JSSrc().Get("value").String() }),
			app.FieldSet().ID("kiosk-reason").Class("kiosk-choices").Body(
				app.Legend().Text(t(l, "kiosk.reason")),
				k.client.eachCategory(func(slug string) app.UI {
					return choice("reason-"+slug, "reason", slug, k.client.categoryName(l, slug), cat == slug,
						func(ctx app.Context) { k.reason = slug })
				}),
			),
			app.If(len(subs) > 0, func() app.UI {
				return app.FieldSet().ID("kiosk-subreason").Class("kiosk-choices").Body(
					app.Legend().Text(t(l, "kiosk.subreason")),
					choice("sub-any", "subreason", "", t(l, "kiosk.sub_any"), k.reason == cat,
						func(ctx app.Context) { k.reason = cat }),
					app.Range(subs).Slice(func(i int) app.UI {
						r := cat + "/" + subs[i].Slug
						return choice("sub-"+subs[i].Slug, "subreason", r, k.client.subcategoryName(l, cat, subs[i].Slug), k.reason == r,
							func(ctx app.Context) { k.reason = r })
					}),
				)
			}),
			app.P().Class("muted").Text(t(l, "kiosk.privacy")),
			app.If(k.errMsg != "", func() app.UI {
				return app.P().ID("kiosk-error").Class("error kiosk-error").Attr("role", "alert").Text(k.errMsg)
			}),
			app.Div().Class("kiosk-actions").Body(
				app.Button().ID("kiosk-submit").Class("kiosk-button primary").Type("submit").Text(t(l, "kiosk.submit")),
				app.Button().ID("kiosk-cancel").Class("kiosk-button secondary").Type("button").Text(t(l, "kiosk.cancel")).OnClick(k.done),
			),
		),
	)
}

// choice is a large radio tile. The value is part of the handler's scope,
// so a redraw with other choices never leaves a stale handler behind.
func choice(id, name, value, label string, checked bool, pick func(app.Context)) app.UI {
	return app.Label().Class("kiosk-choice").For(id).Body(
		app.Input().ID(id).Type("radio").Name(name).Value(value).Checked(checked).
			OnChange(func(ctx app.Context, e app.Event) { pick(ctx) }, app.EventScope(id)),
		app.Span().Text(label),
	)
}

func (k *kioskPage) renderDone() app.UI {
	l := k.lang
	q := queueOf(k.visits)
	ahead := q.ahead(k.visitID)
	return app.Section().ID("kiosk-done").Class("kiosk-welcome").Body(
		app.H1().Text(t(l, "kiosk.done_title")),
		app.P().Class("kiosk-lead").Text(t(l, "kiosk.your_number")),
		app.P().ID("kiosk-number").Class("kiosk-number").TabIndex(-1).Text(k.number),
		app.P().ID("kiosk-wait").Class("kiosk-lead").Aria("live", "polite").DataSet("ahead", ahead).
			Text(t(l, "kiosk.ahead", ahead)+" "+waitText(l, ahead, q.Times)),
		app.P().Class("kiosk-lead").Text(t(l, "kiosk.meanwhile")),
		app.Div().Class("kiosk-tiles").Body(
			app.A().ID("kiosk-kb").Class("kiosk-button secondary").Href("/").Text(t(l, "kiosk.browse_kb")),
			app.A().ID("kiosk-troubleshoot").Class("kiosk-button secondary").Href("/troubleshoot").Text(t(l, "kiosk.troubleshoot")),
		),
		app.Button().ID("kiosk-finish").Class("kiosk-button primary").Type("button").Text(t(l, "kiosk.finish")).OnClick(k.done),
	)
}
