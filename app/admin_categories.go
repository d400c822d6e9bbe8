package app

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/shared"
	"outpost/shared/wire"
)

// The category tree is data (issue 7): the config record
// shared.ConfigCategories, synced to every device. The Client holds the
// tree in use (categories): it reads its replica's at start and whenever
// the replica changes, before the page reloads (mountPage), so every list
// of categories shows the tree in use, and every check before a change is
// queued uses it.

// categoryInUse is the category tree a device shows and checks against,
// and the record it was read from.
type categoryInUse struct {
	sync.Mutex
	data string                              // the record last put in use
	tree atomic.Pointer[shared.CategoryTree] // nil until the replica has one
}

// categories returns the category tree in use: the replica's, once
// refreshCategories has read it; when prerendering, the server's; else
// the default, shared.Categories. Callers must not change it.
func (c *Client) categories() shared.CategoryTree {
	if c == nil {
		return shared.Categories
	}
	if t := c.categoriesTree.tree.Load(); t != nil {
		return *t
	}
	if c.server != nil {
		if t := c.server.Categories(); len(t) > 0 {
			return t
		}
	}
	return shared.Categories
}

// refreshCategories puts the replica's category tree in use if it changed,
// and the replica's site names (names.go), and reports whether either
// did. A tree that shared.CategoryTree's ValidateConfig refuses is not put
// in use. It reads the store: call it off the UI goroutine.
func (c *Client) refreshCategories() bool {
	sites := c.refreshSites()
	rec, ok, err := c.Store.Get(wire.TypeConfig, shared.ConfigCategories)
	if err != nil || !ok {
		return sites
	}
	c.categoriesTree.Lock()
	defer c.categoriesTree.Unlock()
	if string(rec.Data) == c.categoriesTree.data {
		return sites
	}
	var tree shared.CategoryTree
	if json.Unmarshal(rec.Data, &tree) != nil || tree.ValidateConfig() != nil {
		return sites // keep the tree in use; the server checks what it stores
	}
	c.categoriesTree.tree.Store(&tree)
	c.categoriesTree.data = string(rec.Data)
	return true
}

// eachCategory renders f for every category of the tree in use, in order.
func (c *Client) eachCategory(f func(slug string) app.UI) app.UI {
	cats := c.categories()
	return app.Range(cats).Slice(func(i int) app.UI { return f(cats[i].Slug) })
}

// categoryAdmin is the admin screen of the category tree: add, remove and
// reorder categories and their subcategories. Slugs are identifiers, not
// edited in place (tickets and articles store them): rename by adding the
// new one and removing the old. The form checks the tree with
// shared.CategoryTree.ValidateConfig as the admin edits, warns of removed
// categories still in use, and saves through config.save, queued like any
// change; the server checks again.
type categoryAdmin struct {
	page
	loaded bool
	dirty  bool   // the form holds edits: a sync must not overwrite them
	sent   string // the tree saved and not yet back from the server (JSON)

	tree   shared.CategoryTree // as edited
	stored shared.CategoryTree // as synced
	used   map[string]int      // tickets and articles by "cat" and "cat/sub"

	treeErr, addErr string
	subErr          map[string]string // by category slug
	saved           bool
	errMsg          string
}

func (a *categoryAdmin) OnPreRender(ctx app.Context) {
	a.lang = prerenderLang(ctx)
	ctx.Page().SetTitle(t(a.lang, "catadmin.title") + " · " + t(a.lang, "app.name"))
}

func (a *categoryAdmin) OnMount(ctx app.Context) { a.mountPage(ctx, a.load) }

func (a *categoryAdmin) load(ctx app.Context) {
	ctx.Page().SetTitle(t(a.lang, "catadmin.title") + " · " + t(a.lang, "app.name"))
	ctx.Async(func() {
		stored, data := a.client.categories(), ""
		rec, ok, err := a.client.Store.Get(wire.TypeConfig, shared.ConfigCategories)
		if err == nil && ok {
			var tree shared.CategoryTree
			if err = json.Unmarshal(rec.Data, &tree); err == nil {
				stored, data = tree, string(rec.Data)
			}
		}
		used := map[string]int{}
		for _, typ := range []string{wire.TypeTicket, wire.TypeArticle} {
			recs, _ := a.client.Store.List(typ)
			for _, r := range recs {
				var x struct{ Category, Subcategory string }
				if json.Unmarshal(r.Data, &x) == nil && x.Category != "" {
					used[x.Category]++
					if x.Subcategory != "" {
						used[x.Category+"/"+x.Subcategory]++
					}
				}
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			a.loaded, a.errMsg, a.used, a.stored = true, "", used, stored
			if err != nil {
				a.errMsg = errorText(a.lang, err)
			}
			if a.sent != "" && a.sent == data {
				a.sent = "" // the server has what was saved
			}
			if !a.dirty && a.sent == "" {
				a.tree = stored.Clone()
				a.check()
			}
		})
	})
}

// check validates the tree as edited.
func (a *categoryAdmin) check() {
	a.treeErr = ""
	if err := a.tree.ValidateConfig(); err != nil {
		a.treeErr = errorText(a.lang, err)
	}
}

// edited notes a change to the tree and checks it again.
func (a *categoryAdmin) edited() {
	a.dirty, a.saved, a.addErr, a.subErr = true, false, "", nil
	a.check()
}

// fieldText returns the trimmed text of field id.
func fieldText(id string) string {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return ""
	}
	return strings.TrimSpace(el.Get("value").String())
}

// newEntry reads the fields of a new category or subcategory: its names
// (fields prefix-en, prefix-es) and its slug (field prefix, or made from
// the English name when left empty). It returns a message for the admin
// if a name is missing or refused; the fields are cleared once accepted
// (clearNewEntry).
func (a *categoryAdmin) newEntry(prefix string) (slug string, names shared.Names, msg string) {
	names = shared.Names{}
	for _, l := range shared.Languages {
		if v := fieldText(prefix + "-" + l); v != "" {
			names[l] = v
		}
	}
	slug = strings.ToLower(fieldText(prefix))
	if slug == "" {
		slug = slugify(names["en"])
	}
	for _, l := range shared.Languages {
		if names[l] == "" {
			return slug, names, t(a.lang, "catadmin.name_required", t(a.lang, "names.lang."+l))
		}
	}
	if err := names.Validate(slug); err != nil {
		return slug, names, errorText(a.lang, err)
	}
	return slug, names, ""
}

// clearNewEntry empties the fields newEntry read.
func clearNewEntry(prefix string) {
	setField(prefix, "")
	for _, l := range shared.Languages {
		setField(prefix+"-"+l, "")
	}
}

// rename sets the name in lang of category cat (sub "") or of its
// subcategory sub, as typed in place; a blank name removes it (the page
// then falls back as every page does).
func (a *categoryAdmin) rename(cat, sub, lang, name string) {
	i := a.index(cat)
	if i < 0 {
		return
	}
	names := &a.tree[i].Names
	if sub != "" {
		subs := a.tree[i].Subcategories
		names = nil
		for j := range subs {
			if subs[j].Slug == sub {
				names = &subs[j].Names
			}
		}
		if names == nil {
			return
		}
	}
	next := names.Clone()
	if next == nil {
		next = shared.Names{}
	}
	if name = strings.TrimSpace(name); name == "" {
		delete(next, lang)
	} else {
		next[lang] = name
	}
	if len(next) == 0 {
		next = nil
	}
	*names = next
	a.edited()
}

// label is the name of a category (sub "") or subcategory as edited.
func (a *categoryAdmin) label(c shared.Category, sub *shared.Subcategory) string {
	if sub != nil {
		return displayName(a.lang, sub.Names, "subcategory."+c.Slug+"."+sub.Slug, sub.Slug)
	}
	return displayName(a.lang, c.Names, "category."+c.Slug, c.Slug)
}

// slugErr says what is wrong with slug as a new entry beside have, or "".
func (a *categoryAdmin) slugErr(slug string, have []string) string {
	if !shared.ValidSlug(slug) {
		return t(a.lang, "catadmin.bad_slug", slug)
	}
	for _, h := range have {
		if h == slug {
			return t(a.lang, "catadmin.duplicate", slug)
		}
	}
	return ""
}

func (a *categoryAdmin) addCategory() {
	slug, names, msg := a.newEntry("cat-new")
	var have []string
	for _, c := range a.tree {
		have = append(have, c.Slug)
	}
	if msg == "" {
		msg = a.slugErr(slug, have)
	}
	if msg != "" {
		a.addErr = msg
		return
	}
	clearNewEntry("cat-new")
	a.tree = append(a.tree, shared.Category{Slug: slug, Names: names})
	a.edited()
}

// index returns the position of category slug in the tree as edited, or
// -1. Handlers name rows by slug, not by position: a click that lands
// before the redraw after a move must act on the row the admin saw.
func (a *categoryAdmin) index(slug string) int {
	for i, c := range a.tree {
		if c.Slug == slug {
			return i
		}
	}
	return -1
}

func (a *categoryAdmin) addSubcategory(cat string) {
	i := a.index(cat)
	if i < 0 {
		return
	}
	c := &a.tree[i]
	slug, names, msg := a.newEntry("cat-newsub-" + c.Slug)
	var have []string
	for _, s := range c.Subcategories {
		have = append(have, s.Slug)
	}
	if msg == "" {
		msg = a.slugErr(slug, have)
	}
	if msg != "" {
		a.subErr = map[string]string{c.Slug: msg}
		return
	}
	clearNewEntry("cat-newsub-" + c.Slug)
	c.Subcategories = append(c.Subcategories, shared.Subcategory{Slug: slug, Names: names})
	a.edited()
}

// moveCategory moves category cat by d (-1 up, +1 down), or removes it
// (d 0).
func (a *categoryAdmin) moveCategory(cat string, d int) {
	i := a.index(cat)
	switch {
	case i < 0 || i >= len(a.tree):
		return
	case d == 0:
		a.tree = append(a.tree[:i:i], a.tree[i+1:]...)
	case i+d >= 0 && i+d < len(a.tree):
		a.tree[i], a.tree[i+d] = a.tree[i+d], a.tree[i]
	default:
		return
	}
	a.edited()
}

// moveSubcategory is moveCategory for subcategory sub of category cat.
func (a *categoryAdmin) moveSubcategory(cat, sub string, d int) {
	i := a.index(cat)
	if i < 0 {
		return
	}
	subs, j := a.tree[i].Subcategories, -1
	for k, s := range subs {
		if s.Slug == sub {
			j = k
		}
	}
	switch {
	case j < 0 || j >= len(subs):
		return
	case d == 0:
		a.tree[i].Subcategories = append(subs[:j:j], subs[j+1:]...)
	case j+d >= 0 && j+d < len(subs):
		subs[j], subs[j+d] = subs[j+d], subs[j]
	default:
		return
	}
	a.edited()
}

// warnings says which categories and subcategories in use the edited tree
// drops: allowed (old tickets and articles keep their value), but the
// admin should know.
func (a *categoryAdmin) warnings() []string {
	var out []string
	for _, c := range a.stored {
		kept, ok := a.tree.Find(c.Slug)
		if !ok {
			if n := a.used[c.Slug]; n > 0 {
				out = append(out, t(a.lang, "catadmin.removed_in_use", a.client.categoryName(a.lang, c.Slug), n))
			}
			continue
		}
		for _, s := range c.Subcategories {
			if n := a.used[c.Slug+"/"+s.Slug]; n > 0 && !a.tree.HasSubcategory(kept.Slug, s.Slug) {
				out = append(out, t(a.lang, "catadmin.sub_removed_in_use", a.client.subcategoryName(a.lang, c.Slug, s.Slug), a.client.categoryName(a.lang, c.Slug), n))
			}
		}
	}
	return out
}

// save queues the tree.
func (a *categoryAdmin) save(ctx app.Context) {
	client := a.client
	a.check()
	if a.treeErr != "" {
		return
	}
	tree := a.tree.Clone()
	data, _ := json.Marshal(tree)
	ctx.Async(func() {
		err := client.Engine.Mutate(shared.OpConfigSave, shared.CategorySave{ID: shared.ConfigCategories, Categories: tree}, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.errMsg = errorText(a.lang, err)
				return
			}
			a.saved, a.dirty, a.sent = true, false, string(data)
		})
	})
}

func (a *categoryAdmin) Render() app.UI {
	l := a.lang
	if !a.client.prerendering() && (a.client.me() == nil || a.client.me().Role != shared.RoleAdmin) {
		return a.frame(
			app.H1().Text(t(l, "catadmin.title")),
			app.P().Class("notice").Text(t(l, "catadmin.admins_only")),
			app.A().Class("button").Href("/signin?next=/admin/categories").Text(t(l, "nav.signin")),
		)
	}
	if !a.loaded {
		return a.frame(app.H1().Text(t(l, "catadmin.title")), app.P().Class("muted").Text(t(l, "home.loading")))
	}
	tree, warnings := a.tree, a.warnings()
	n := len(tree)
	return a.frame(
		app.H1().Text(t(l, "catadmin.title")),
		app.P().Class("muted").Text(t(l, "catadmin.intro", shared.MaxCategories, shared.MaxSubcategories)),
		app.If(a.errMsg != "", func() app.UI { return app.P().Class("error").Text(a.errMsg) }),
		app.Form().ID("cat-admin").Class("form card cat-admin").Attr("onsubmit", noNativeSubmit).Body(
			app.Ol().ID("cat-list").Class("cat-list").Body(app.Range(tree).Slice(func(i int) app.UI {
				c := tree[i]
				scope := strconv.Itoa(i) + "/" + c.Slug + "/" + strconv.Itoa(n)
				subs := c.Subcategories
				return app.Li().ID("cat-"+c.Slug).Class("cat-row").DataSet("slug", c.Slug).Body(
					app.Div().Class("cat-head").Body(
						app.Strong().Class("cat-name").Text(a.label(c, nil)),
						app.Code().Class("cat-slug").Text(" "+c.Slug+" "),
						app.Button().Class("cat-up").Type("button").Disabled(i == 0).Aria("label", t(l, "catadmin.up")).Text("↑").
							OnClick(func(ctx app.Context, e app.Event) { a.moveCategory(c.Slug, -1) }, app.EventScope(scope)),
						app.Button().Class("cat-down").Type("button").Disabled(i == n-1).Aria("label", t(l, "catadmin.down")).Text("↓").
							OnClick(func(ctx app.Context, e app.Event) { a.moveCategory(c.Slug, 1) }, app.EventScope(scope)),
						app.Button().Class("cat-remove").Type("button").Text(t(l, "catadmin.remove")).
							OnClick(func(ctx app.Context, e app.Event) { a.moveCategory(c.Slug, 0) }, app.EventScope(scope)),
						app.If(a.used[c.Slug] > 0, func() app.UI {
							return app.Span().Class("muted").Text(" " + t(l, "catadmin.in_use", a.used[c.Slug]))
						}),
					),
					a.nameFields("cat-name-"+c.Slug, c.Slug, "", c.Names, a.label(c, nil), scope),
					app.Ul().Class("sub-list").Body(app.Range(subs).Slice(func(j int) app.UI {
						s := subs[j]
						sscope := scope + "/" + strconv.Itoa(j) + "/" + s.Slug + "/" + strconv.Itoa(len(subs))
						return app.Li().ID("sub-"+c.Slug+"-"+s.Slug).Class("sub-row").DataSet("slug", s.Slug).Body(
							app.Span().Class("sub-name").Text(a.label(c, &s)),
							app.Code().Class("sub-slug").Text(" "+s.Slug+" "),
							a.nameFields("sub-name-"+c.Slug+"-"+s.Slug, c.Slug, s.Slug, s.Names, a.label(c, &s), sscope),
							app.Button().Class("sub-up").Type("button").Disabled(j == 0).Aria("label", t(l, "catadmin.up")).Text("↑").
								OnClick(func(ctx app.Context, e app.Event) { a.moveSubcategory(c.Slug, s.Slug, -1) }, app.EventScope(sscope)),
							app.Button().Class("sub-down").Type("button").Disabled(j == len(subs)-1).Aria("label", t(l, "catadmin.down")).Text("↓").
								OnClick(func(ctx app.Context, e app.Event) { a.moveSubcategory(c.Slug, s.Slug, 1) }, app.EventScope(sscope)),
							app.Button().Class("sub-remove").Type("button").Text(t(l, "catadmin.remove")).
								OnClick(func(ctx app.Context, e app.Event) { a.moveSubcategory(c.Slug, s.Slug, 0) }, app.EventScope(sscope)),
						)
					})),
					app.Div().Class("sub-add").Body(
						newNameFields("cat-newsub-"+c.Slug, l, t(l, "catadmin.new_sub", a.label(c, nil))),
						app.Input().ID("cat-newsub-"+c.Slug).Type("text").Attr("autocapitalize", "off").Attr("spellcheck", "false").
							Aria("label", t(l, "catadmin.new_sub_slug", a.label(c, nil))).Placeholder(t(l, "catadmin.slug_optional")),
						app.Button().ID("cat-addsub-"+c.Slug).Type("button").Text(t(l, "catadmin.add_sub")).
							OnClick(func(ctx app.Context, e app.Event) { a.addSubcategory(c.Slug) }, app.EventScope(scope)),
						app.If(a.subErr[c.Slug] != "", func() app.UI {
							return app.P().Class("error").Attr("role", "alert").Text(a.subErr[c.Slug])
						}),
					),
				)
			})),
			app.Div().Class("cat-add").Body(
				app.Strong().Text(t(l, "catadmin.new_category")),
				newNameFields("cat-new", l, t(l, "catadmin.new_category")),
				app.Label().For("cat-new").Text(t(l, "catadmin.slug_label")),
				app.Input().ID("cat-new").Type("text").Attr("autocapitalize", "off").Attr("spellcheck", "false").Placeholder(t(l, "catadmin.slug_optional")),
				app.Button().ID("cat-add").Type("button").Text(t(l, "catadmin.add_category")).
					OnClick(func(ctx app.Context, e app.Event) { a.addCategory() }),
				app.If(a.addErr != "", func() app.UI {
					return app.P().ID("cat-add-error").Class("error").Attr("role", "alert").Text(a.addErr)
				}),
			),
			app.P().Class("muted").Text(t(l, "catadmin.names_hint")),
			app.If(len(warnings) > 0, func() app.UI {
				return app.Div().ID("cat-warnings").Class("notice").Body(app.Range(warnings).Slice(func(i int) app.UI {
					return app.P().Text(warnings[i])
				}))
			}),
			app.If(a.treeErr != "", func() app.UI {
				return app.P().ID("cat-error").Class("error").Attr("role", "alert").Text(a.treeErr)
			}),
			app.Div().Class("actions").Body(
				app.Button().ID("cat-save").Type("button").Disabled(a.treeErr != "").Text(t(l, "catadmin.save")).
					OnClick(func(ctx app.Context, e app.Event) { a.save(ctx) }),
				app.If(a.saved, func() app.UI { return app.Span().ID("cat-saved").Class("muted").Text(t(l, "catadmin.saved")) }),
			),
		),
	)
}

// nameFields are the in-place name fields of a category (sub "") or a
// subcategory, one per language: ids id-en, id-es. Empty shows the name
// the pages fall back to as placeholder.
func (a *categoryAdmin) nameFields(id, cat, sub string, names shared.Names, shown, scope string) app.UI {
	l := a.lang
	return app.Div().Class("cat-names").Body(app.Range(shared.Languages).Slice(func(i int) app.UI {
		lang := shared.Languages[i]
		return app.Input().ID(id+"-"+lang).Class("cat-name-field").Type("text").Lang(lang).
			MaxLength(shared.MaxDisplayName).Value(names.Own(lang)).Placeholder(shown).
			Aria("label", t(l, "catadmin.name_of", shown, t(l, "names.lang."+lang))).
			OnChange(func(ctx app.Context, e app.Event) {
				a.rename(cat, sub, lang, ctx.JSSrc().Get("value").String())
			}, app.EventScope(scope+"/"+lang))
	}))
}

// newNameFields are the name fields of a new entry (ids prefix-en,
// prefix-es), read by newEntry.
func newNameFields(prefix, l, what string) app.UI {
	return app.Div().Class("cat-names").Body(app.Range(shared.Languages).Slice(func(i int) app.UI {
		lang := shared.Languages[i]
		return app.Input().ID(prefix+"-"+lang).Type("text").Lang(lang).MaxLength(shared.MaxDisplayName).
			Aria("label", what+" · "+t(l, "sites.name_in", t(l, "names.lang."+lang))).
			Placeholder(t(l, "sites.name_in", t(l, "names.lang."+lang)))
	}))
}
