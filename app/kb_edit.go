package app

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/markdown"
	"outpost/shared/search"
	"outpost/shared/wire"
)

// kbEdit is the article editor, for staff: a form with a live preview that
// works offline. Saving queues an "article.save" naming the revision the
// edit started from; the server refuses it if someone else saved in
// between. Until the server has the text, the device keeps it in local
// storage (editDraft), so neither a reload nor a refused save loses a word.
type kbEdit struct {
	page
	id      string // the article's ID; "" while a new article has no save queued
	key     string // local-storage key of the draft
	d       editDraft
	ready   bool // d holds the form (from the draft, the article or a blank)
	cur     articleState
	preview string // HTML of d's body
	idSet   bool   // the ID was typed, not derived from the title
	notice  string
	errMsg  string
	// settling is when the outbox emptied of this article's changes while
	// the last one had not arrived yet.
	settling time.Time
	// mounted is the page's own context. A button's context drops what is
	// dispatched through it once the button is gone from the page, and a
	// save changes which buttons there are.
	mounted app.Context
}

// settleDelay is how long after its acknowledgement a change may take to
// arrive in the replica before the editor calls it refused.
const settleDelay = 3 * time.Second

// editDraft is the form as the device keeps it.
type editDraft struct {
	Article shared.Article `json:"article"`
	Tags    string         `json:"tags"` // as typed
	// Base is the revision the text was edited from (0: a new article).
	Base int `json:"base"`
	// Dirty: the form has changes not queued yet.
	Dirty bool `json:"dirty"`
	// Sent is the revision the last queued change will make, until the
	// device sees it arrive (or not: then the server refused it).
	Sent int `json:"sent,omitempty"`
	// Created: the change in flight creates the article.
	Created bool `json:"created,omitempty"`
	// FromTicket is the ticket a new article was written from.
	FromTicket string `json:"from_ticket,omitempty"`
}

func editKey(id string) string { return "kbedit/" + id }

// articleState is an article as this device sees it: the replica's copy
// with the article changes still in the outbox counted on top.
type articleState struct {
	article shared.Article
	exists  bool // stored, or a save of it is queued
	pending int  // article.* mutations for it in the outbox
	// revision is the revision the article will have once the queue is
	// through: what the next change must name as its base.
	revision int
}

// articleState reads article id and the changes to it waiting to be sent.
func (c *Client) articleState(id string) (articleState, error) {
	var st articleState
	rec, found, err := c.Store.Get(wire.TypeArticle, id)
	if err != nil {
		return st, err
	}
	if found && json.Unmarshal(rec.Data, &st.article) == nil {
		st.exists = true
		st.revision = max(st.article.Revision, 1)
	}
	out, err := c.Store.Outbox()
	if err != nil {
		return st, err
	}
	for _, m := range out {
		switch m.Name {
		case shared.OpArticleSave:
			var s shared.ArticleSave
			if json.Unmarshal(m.Args, &s) != nil || s.Article.ID != id {
				continue
			}
			status := st.article.Status
			if !st.exists {
				status = shared.ArticleDraft
			}
			st.article = s.Article
			st.article.Status, st.exists = status, true
		case shared.OpArticlePublish, shared.OpArticleArchive, shared.OpArticleRestore:
			var ch shared.ArticleChange
			if json.Unmarshal(m.Args, &ch) != nil || ch.ArticleID != id {
				continue
			}
			switch m.Name {
			case shared.OpArticlePublish:
				st.article.Status = shared.ArticlePublished
			case shared.OpArticleArchive:
				st.article.Status = shared.ArticleArchived
			}
		default:
			continue
		}
		st.pending++
		st.revision++
	}
	st.article.Revision = st.revision
	return st, nil
}

func (e *kbEdit) OnPreRender(ctx app.Context) {
	e.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(e.lang, "kbedit.title_edit") + " · " + t(e.lang, "app.name"))
}

func (e *kbEdit) OnMount(ctx app.Context) {
	e.mounted = ctx
	e.id = strings.TrimPrefix(ctx.Page().URL().Path, "/kb/edit/")
	if ctx.Page().URL().Path == "/kb/new" {
		e.id = ""
		e.key = editKey("new")
		if tk := ctx.Page().URL().Query().Get("from_ticket"); shared.ValidUUID(tk) {
			e.key = editKey("new/" + tk)
		}
	} else {
		e.key = editKey(e.id)
	}
	e.mountPage(ctx, e.load)
}

func (e *kbEdit) load(ctx app.Context) {
	if e.client.prerendering() {
		return
	}
	title := "kbedit.title_new"
	if e.id != "" {
		title = "kbedit.title_edit"
	}
	ctx.Page().SetTitle(t(e.lang, title) + " · " + t(e.lang, "app.name"))
	id, q := e.id, ctx.Page().URL().Query()
	fromTicket, lang := q.Get("from_ticket"), e.lang
	ctx.Async(func() {
		var st articleState
		var err error
		if id != "" {
			st, err = e.client.articleState(id)
		}
		var prefill editDraft
		if !e.ready && id == "" {
			prefill = e.client.newDraft(lang, q, fromTicket)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if id != e.id {
				return // read for the address the page had before a first save
			}
			e.cur = st
			if err != nil {
				e.errMsg = storageErrText(e.lang, err)
				return
			}
			if !e.ready {
				e.start(ctx, prefill)
			}
			e.reconcile(ctx)
		})
	})
}

// newDraft is the form of a new article: blank, or prefilled from a ticket
// (?from_ticket=) or a search that found nothing (?title=&lang=).
func (c *Client) newDraft(lang string, q url.Values, fromTicket string) editDraft {
	d := editDraft{Article: shared.Article{Lang: lang, Visibility: shared.Public, Category: c.categories()[0].Slug}}
	if l := q.Get("lang"); shared.ValidLang(l) {
		d.Article.Lang = l
	}
	d.Article.Title = strings.TrimSpace(q.Get("title"))
	if !shared.ValidUUID(fromTicket) {
		return d
	}
	tv, entries, found, err := c.ticket(fromTicket)
	if err != nil || !found {
		return d
	}
	d.FromTicket = fromTicket
	d.Article.Title = tv.Title
	if c.categories().Has(tv.Category) {
		d.Article.Category = tv.Category
	}
	solution := ""
	for _, en := range entries {
		if en.Kind == shared.EntryReply && en.AuthorStaff && !en.Internal {
			solution = en.Body
		}
	}
	l := d.Article.Lang
	d.Article.Body = "## " + t(l, "kbedit.problem") + "\n\n" + strings.TrimSpace(tv.Description) +
		"\n\n## " + t(l, "kbedit.solution") + "\n\n" + strings.TrimSpace(solution) + "\n"
	d.Dirty = true
	return d
}

// start fills the form, once: the draft this device kept if there is one,
// else the article, else the new article's prefill.
func (e *kbEdit) start(ctx app.Context, prefill editDraft) {
	var kept editDraft
	switch {
	case ctx.LocalStorage().Get(e.key, &kept) == nil && (kept.Article.ID != "" || kept.Article.Title != "" || kept.Article.Body != ""):
		e.d = kept
		e.idSet = kept.Article.ID != ""
		if kept.Dirty {
			e.notice = t(e.lang, "kbedit.restored_draft")
		}
	case e.id != "" && e.cur.exists:
		e.d = draftOf(e.cur)
	case e.id != "":
		e.errMsg = t(e.lang, "kbedit.not_found", e.id)
		if !e.status.Synced {
			return // the first sync may still bring it
		}
	default:
		e.d = prefill
		if prefill.FromTicket != "" {
			e.notice = t(e.lang, "kbedit.from_ticket", prefill.Article.Title)
		}
	}
	e.ready, e.errMsg = true, ""
	e.preview = markdown.Render(e.d.Article.Body)
}

func draftOf(st articleState) editDraft {
	return editDraft{Article: st.article, Tags: strings.Join(st.article.Tags, ", "), Base: st.revision}
}

// reconcile follows what became of the last queued change once it left
// the outbox, and takes in others' changes while the form is clean.
func (e *kbEdit) reconcile(ctx app.Context) {
	if e.cur.pending > 0 {
		e.settling = time.Time{}
	}
	if !e.ready || e.id == "" || e.cur.pending > 0 {
		return
	}
	if e.d.Sent > 0 {
		// The server acknowledges a change before the device pulls it:
		// give the pull a moment before calling the change refused.
		notYet := !e.arrived(e.d.Sent) && (e.settling.IsZero() || e.client.clk().Since(e.settling) < settleDelay || e.status.Syncing)
		if notYet {
			if e.settling.IsZero() {
				e.settling = e.client.clk().Now()
			}
			ctx.After(settleDelay/2, e.load)
			return
		}
		e.settling = time.Time{}
		if e.arrived(e.d.Sent) {
			e.d.Sent, e.d.Created = 0, false
			e.notice = t(e.lang, "kbedit.sent")
		} else if rej, noted := takeRefusal(ctx.LocalStorage(), "article/"+e.id); e.d.Created {
			// Refused as a new article (most likely its ID is taken):
			// back to a new article, keeping the text.
			e.errMsg = t(e.lang, "kbedit.not_created", e.id)
			if noted {
				e.errMsg = t(e.lang, "kbedit.not_created_why", e.id, rej.text(e.lang))
			}
			e.d.Sent, e.d.Dirty, e.d.Base, e.d.Created = 0, true, 0, false
			e.id, e.key, e.idSet = "", editKey("new"), true
			u := *ctx.Page().URL()
			u.Path = "/kb/new"
			ctx.Page().ReplaceURL(&u)
		} else {
			// Refused (most likely someone else saved first): keep the
			// text, and let the next save replace what is there now.
			e.d.Sent, e.d.Dirty, e.d.Base = 0, true, e.cur.revision
			e.notice = ""
			e.errMsg = t(e.lang, "kbedit.not_saved", e.cur.revision, e.cur.article.UpdatedBy)
			if noted {
				e.errMsg = t(e.lang, "kbedit.refused", rej.text(e.lang))
			}
		}
		e.keep(ctx)
		return
	}
	if !e.d.Dirty && e.cur.exists && e.cur.revision != e.d.Base {
		e.d = draftOf(e.cur)
		e.preview = markdown.Render(e.d.Article.Body)
		e.fillFields()
	}
}

// arrived reports whether revision n of the article, as this device
// queued it, is in the replica.
func (e *kbEdit) arrived(n int) bool {
	if e.cur.article.Revision < n {
		return false
	}
	rec, ok, err := e.client.Store.Get(shared.RevisionType, shared.RevisionID(e.id, n))
	if err != nil || !ok {
		return e.cur.article.Revision == n && e.cur.article.UpdatedBy == shared.EditAuthor(e.client.identity())
	}
	var r shared.Revision
	return json.Unmarshal(rec.Data, &r) == nil && r.Author == shared.EditAuthor(e.client.identity()) &&
		r.Article.Title == strings.TrimSpace(e.d.Article.Title) && r.Article.Body == strings.TrimSpace(e.d.Article.Body)
}

// keep saves the form to local storage, or drops it once there is nothing
// the server does not have.
func (e *kbEdit) keep(ctx app.Context) {
	if !e.d.Dirty && e.d.Sent == 0 {
		ctx.LocalStorage().Del(e.key)
		return
	}
	if err := ctx.LocalStorage().Set(e.key, e.d); err != nil {
		e.errMsg = storageErrText(e.lang, err)
	}
}

// edit applies a change to the form.
func (e *kbEdit) edit(ctx app.Context, fn func(a *shared.Article)) {
	fn(&e.d.Article)
	e.d.Dirty = true
	e.notice = ""
	e.keep(ctx)
}

func (e *kbEdit) onTitle(ctx app.Context, ev app.Event) {
	v := ctx.JSSrc().Get("value").String()
	e.edit(ctx, func(a *shared.Article) {
		a.Title = v
		if e.id == "" && !e.idSet {
			a.ID = slugify(v)
			setField("kb-id", a.ID)
		}
	})
}

func (e *kbEdit) onBody(ctx app.Context, ev app.Event) {
	v := ctx.JSSrc().Get("value").String()
	e.edit(ctx, func(a *shared.Article) { a.Body = v })
	e.preview = markdown.Render(v)
}

// slugify makes an article ID from a title: "Wi-Fi: ¿sin conexión?" →
// "wi-fi-sin-conexion".
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range search.Fold(s) {
		if b.Len() >= 60 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// form returns the article the form describes.
func (e *kbEdit) form() shared.Article {
	a := e.d.Article
	a.Tags = nil
	for _, tag := range strings.Split(e.d.Tags, ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			a.Tags = append(a.Tags, tag)
		}
	}
	a.Title, a.Summary, a.Body = strings.TrimSpace(a.Title), strings.TrimSpace(a.Summary), strings.TrimSpace(a.Body)
	if e.id != "" {
		a.ID = e.id
	}
	return a
}

// sameContent reports whether the form says what the article says.
func sameContent(a, b shared.Article) bool {
	return a.Title == b.Title && a.Summary == b.Summary && a.Body == strings.TrimSpace(b.Body) &&
		a.Category == b.Category && a.Subcategory == b.Subcategory && a.Lang == b.Lang &&
		a.TranslationOf == b.TranslationOf && a.Visibility == b.Visibility &&
		strings.Join(a.Tags, "\x00") == strings.Join(b.Tags, "\x00")
}

// queue sends the form's change (if any), then the named status change
// ("" for none), as mutations in the outbox.
func (e *kbEdit) queue(ctx app.Context, status string) {
	client := e.client
	a := e.form()
	save := !e.cur.exists || e.d.Dirty && !sameContent(a, e.cur.article)
	if !save && status == "" {
		e.d.Dirty = false
		e.notice, e.errMsg = t(e.lang, "kbedit.no_changes"), ""
		e.keep(ctx)
		return
	}
	s := shared.ArticleSave{Article: a, Base: e.d.Base}
	if save {
		if err := s.Validate(client.categories()); err != nil {
			e.errMsg = errorText(e.lang, err)
			return
		}
	}
	takeRefusal(ctx.LocalStorage(), "article/"+a.ID) // an older refusal is no news now
	lang, base := e.lang, e.d.Base
	ctx = e.mounted
	ctx.Async(func() {
		var err error
		if save {
			err = client.Engine.Mutate(shared.OpArticleSave, s, "")
			base++
		}
		if err == nil && status != "" {
			err = client.Engine.Mutate(status, shared.ArticleChange{ArticleID: a.ID, Base: base}, "")
			base++
		}
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				e.errMsg = errorText(lang, err)
				return
			}
			e.d.Created = e.d.Created || save && s.Base == 0
			e.d.Base, e.d.Sent, e.d.Dirty, e.errMsg = base, base, false, ""
			e.notice = t(lang, "kbedit.queued")
			if e.id == "" { // a new article now has an address
				ctx.LocalStorage().Del(e.key)
				e.id, e.key = a.ID, editKey(a.ID)
				e.d.Article.ID = a.ID
				u := *ctx.Page().URL()
				u.Path, u.RawQuery = "/kb/edit/"+a.ID, ""
				ctx.Page().ReplaceURL(&u)
			}
			e.keep(ctx)
			e.load(ctx)
		})
	})
}

// discard drops the device's changes and shows the article as it is.
func (e *kbEdit) discard(ctx app.Context, ev app.Event) {
	ctx.LocalStorage().Del(e.key)
	e.notice, e.errMsg = "", ""
	if e.id == "" {
		e.d = e.client.newDraft(e.lang, url.Values{}, "")
	} else {
		e.d = draftOf(e.cur)
	}
	e.idSet = false
	e.preview = markdown.Render(e.d.Article.Body)
	e.fillFields()
}

// fillFields writes the form into the fields: what a user typed lives in
// a field's value, which a redraw does not reset.
func (e *kbEdit) fillFields() {
	a := e.d.Article
	for id, v := range map[string]string{
		"kb-id": a.ID, "kb-title": a.Title, "kb-summary": a.Summary, "kb-tags": e.d.Tags,
		"kb-translation-of": a.TranslationOf, "kb-body": a.Body,
	} {
		setField(id, v)
	}
}

func setField(id, v string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", v)
	}
}

func (e *kbEdit) Render() app.UI {
	l := e.lang
	if !e.client.prerendering() && !e.client.isStaff() {
		return e.frame(
			app.H1().Text(t(l, "kbedit.title_edit")),
			app.P().Class("notice").Text(t(l, "kbedit.staff_only")),
			app.A().Class("button").Href("/signin?next=/kb/new").Text(t(l, "nav.signin")),
		)
	}
	if !e.ready {
		return e.frame(
			app.H1().Text(t(l, "kbedit.title_edit")),
			app.If(e.errMsg != "", func() app.UI { return app.P().Class("error").Text(e.errMsg) }).
				Else(func() app.UI { return app.P().Class("muted").Text(t(l, "home.loading")) }),
		)
	}
	a, title := e.d.Article, t(l, "kbedit.title_new")
	if e.id != "" {
		title = t(l, "kbedit.title_edit")
	}
	status := shared.ArticleDraft
	if e.cur.exists {
		status = or(e.cur.article.Status, shared.ArticlePublished)
	}
	return e.frame(
		app.H1().Text(title),
		app.P().ID("kb-state").Class("meta").DataSet("status", status).DataSet("revision", e.cur.revision).
			DataSet("dirty", e.d.Dirty).DataSet("sent", e.d.Sent).Body(
			app.Span().Class("badge status-"+status).Text(t(l, "kbedit.status."+status)),
			app.If(e.cur.exists, func() app.UI { return app.Span().Class("muted").Text(t(l, "kbedit.revision", e.cur.revision)) }),
			app.If(e.d.Dirty, func() app.UI { return app.Span().Class("muted").Text(t(l, "kbedit.unsaved")) }),
			app.If(e.cur.exists && e.id != "", func() app.UI { return app.A().Href("/article/" + e.id).Text(t(l, "kbedit.view")) }),
		),
		// A stable element for the messages, so the form after them keeps
		// its place (go-app compares children by position) and the writer
		// their focus.
		app.Div().Class("notices").Body(
			app.If(e.notice != "", func() app.UI { return app.P().ID("kb-notice").Class("notice").Aria("live", "polite").Text(e.notice) }),
			app.If(e.errMsg != "", func() app.UI { return app.P().ID("kb-error").Class("error").Attr("role", "alert").Text(e.errMsg) }),
		),
		app.Div().Class("kb-editor").Body(
			app.Form().ID("kb-form").Class("form").Attr("onsubmit", noNativeSubmit).Body(
				e.textField("kb-title", t(l, "kbedit.field_title"), a.Title, shared.MaxTitle, e.onTitle),
				app.Label().For("kb-id").Text(t(l, "kbedit.field_id")),
				app.Input().ID("kb-id").Type("text").Value(a.ID).MaxLength(64).Disabled(e.id != "").
					Attr("pattern", "[a-z0-9][a-z0-9-]*").Attr("spellcheck", "false").
					OnInput(func(ctx app.Context, ev app.Event) {
						v := ctx.JSSrc().Get("value").String()
						e.idSet = true
						e.edit(ctx, func(a *shared.Article) { a.ID = v })
					}),
				app.Small().Class("muted").Text(t(l, "kbedit.field_id_hint")),
				e.textField("kb-summary", t(l, "kbedit.field_summary"), a.Summary, shared.MaxSummary, func(ctx app.Context, ev app.Event) {
					v := ctx.JSSrc().Get("value").String()
					e.edit(ctx, func(a *shared.Article) { a.Summary = v })
				}),
				app.Div().Class("row").Body(
					e.selectField("kb-category", t(l, "kbedit.field_category"), a.Category, e.client.categoryOptions(l), func(ctx app.Context, v string) {
						e.edit(ctx, func(a *shared.Article) {
							a.Category = v
							if !e.client.categories().HasSubcategory(v, a.Subcategory) {
								a.Subcategory = ""
							}
						})
					}),
					e.selectField("kb-subcategory", t(l, "kbedit.field_subcategory"), a.Subcategory, e.client.subcategoryOptions(l, a.Category), func(ctx app.Context, v string) {
						e.edit(ctx, func(a *shared.Article) { a.Subcategory = v })
					}),
					e.selectField("kb-lang", t(l, "kbedit.field_lang"), a.Lang, []option{{"en", "English"}, {"es", "Español"}}, func(ctx app.Context, v string) {
						e.edit(ctx, func(a *shared.Article) { a.Lang = v })
					}),
					e.selectField("kb-visibility", t(l, "kbedit.field_visibility"), a.Visibility, []option{
						{shared.Public, t(l, "kbedit.visibility.public")}, {shared.Internal, t(l, "kbedit.visibility.internal")},
					}, func(ctx app.Context, v string) { e.edit(ctx, func(a *shared.Article) { a.Visibility = v }) }),
				),
				e.textField("kb-tags", t(l, "kbedit.field_tags"), e.d.Tags, 1000, func(ctx app.Context, ev app.Event) {
					e.d.Tags = ctx.JSSrc().Get("value").String()
					e.edit(ctx, func(*shared.Article) {})
				}),
				e.textField("kb-translation-of", t(l, "kbedit.field_translation_of"), a.TranslationOf, 64, func(ctx app.Context, ev app.Event) {
					v := strings.TrimSpace(ctx.JSSrc().Get("value").String())
					e.edit(ctx, func(a *shared.Article) { a.TranslationOf = v })
				}),
				app.Label().For("kb-body").Text(t(l, "kbedit.field_body")),
				app.Textarea().ID("kb-body").Rows(18).MaxLength(shared.MaxBody).Attr("spellcheck", "true").
					Text(a.Body).OnInput(e.onBody),
				app.Div().Class("actions").Body(
					app.Button().ID("kb-save").Type("button").Text(t(l, "kbedit.save")).
						OnClick(func(ctx app.Context, ev app.Event) { e.queue(ctx, "") }),
					app.If(status != shared.ArticlePublished, func() app.UI {
						return app.Button().ID("kb-publish").Class("secondary").Type("button").Text(t(l, "kbedit.publish")).
							OnClick(func(ctx app.Context, ev app.Event) { e.queue(ctx, shared.OpArticlePublish) })
					}),
					app.If(e.cur.exists && status != shared.ArticleArchived, func() app.UI {
						return app.Button().ID("kb-archive").Class("secondary").Type("button").Text(t(l, "kbedit.archive")).
							OnClick(func(ctx app.Context, ev app.Event) { e.queue(ctx, shared.OpArticleArchive) })
					}),
					app.If(e.d.Dirty, func() app.UI {
						return app.Button().ID("kb-discard").Class("secondary").Type("button").Text(t(l, "kbedit.discard")).OnClick(e.discard)
					}),
				),
			),
			app.Section().ID("kb-preview").Class("kb-preview").Lang(a.Lang).Body(
				app.H2().Class("muted").Text(t(l, "kbedit.preview")),
				app.H1().Text(a.Title),
				app.If(a.Summary != "", func() app.UI { return app.P().Class("lead").Text(a.Summary) }),
				app.Raw(`<div class="body">`+e.preview+`</div>`),
				app.P().Class("muted").Text(t(l, "kbedit.preview_note")),
			),
		),
	)
}

func (e *kbEdit) textField(id, label, value string, maxLen int, on app.EventHandler) app.UI {
	return app.Div().Body(
		app.Label().For(id).Text(label),
		app.Input().ID(id).Type("text").Value(value).MaxLength(maxLen).OnInput(on),
	)
}

func (e *kbEdit) selectField(id, label, value string, opts []option, set func(app.Context, string)) app.UI {
	return app.Div().Body(
		app.Label().For(id).Text(label),
		app.Select().ID(id).OnChange(func(ctx app.Context, ev app.Event) { set(ctx, inputValue(ctx)) }).
			Body(app.Range(opts).Slice(func(i int) app.UI {
				return app.Option().Value(opts[i].value).Selected(opts[i].value == value).Text(opts[i].label)
			})),
	)
}

// subcategoryOptions offers the subcategories of cat in the tree in use,
// named in l, after "none".
func (c *Client) subcategoryOptions(l, cat string) []option {
	out := []option{{"", t(l, "kbedit.none")}}
	if parent, ok := c.categories().Find(cat); ok {
		for _, s := range parent.Subcategories {
			out = append(out, option{s.Slug, c.subcategoryName(l, cat, s.Slug)})
		}
	}
	return out
}

// renderKBFromTicket is the ticket page's link for staff to write an
// article from a resolved ticket.
func (c *Client) renderKBFromTicket(l string, tk ticketView) app.UI {
	if !c.isStaff() || tk.Pending || tk.Status != shared.StatusResolved && tk.Status != shared.StatusClosed {
		return nil
	}
	return app.P().Class("kb-from-ticket").Body(
		app.A().ID("kb-from-ticket").Href("/kb/new?from_ticket=" + tk.ID).Text(t(l, "kbedit.from_ticket_link")),
	)
}
