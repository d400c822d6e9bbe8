package shared

// Limits of the category tree: few enough that the home page and the ticket
// form can show every category at once.
const (
	MaxCategories    = 10
	MaxSubcategories = 5
)

// Category is a top-level knowledge-base category. Its display name in a
// language is Names (set by an admin, issue 16), else the catalog key
// "category.<Slug>" (the default tree's), else the name in the other
// language, else HumanSlug(Slug); a subcategory's catalog key is
// "subcategory.<category slug>.<subcategory slug>".
type Category struct {
	Slug          string        `json:"slug"`
	Names         Names         `json:"names,omitempty"`
	Subcategories []Subcategory `json:"subcategories,omitempty"`
}

// Subcategory is a category's child. Its slug is unique within its category.
type Subcategory struct {
	Slug  string `json:"slug"`
	Names Names  `json:"names,omitempty"`
}

// CategoryTree is the ordered list of categories, each with its ordered
// subcategories. The order is the order pages show them in.
type CategoryTree []Category

// Categories is the default category tree: the one a new portal starts
// with (the server seeds the "categories" config record with it), and the
// tree in use until a stored one is read. The tree in use is data an
// admin edits (issue 7): the server's sync Service and the browser's
// Client each hold theirs, and validation that needs it takes it as an
// argument. Nothing changes this variable; callers that would edit the
// tree Clone it first.
var Categories = CategoryTree{
	{Slug: "network", Subcategories: []Subcategory{{Slug: "wifi"}, {Slug: "vpn"}, {Slug: "wired"}}},
	{Slug: "accounts", Subcategories: []Subcategory{{Slug: "password"}, {Slug: "mfa"}, {Slug: "access"}}},
	{Slug: "email", Subcategories: []Subcategory{{Slug: "outlook"}, {Slug: "mobile-mail"}, {Slug: "shared-mailbox"}}},
	{Slug: "devices", Subcategories: []Subcategory{{Slug: "laptop"}, {Slug: "printer"}, {Slug: "phone"}}},
}

// Validate returns an EINVALID *Error naming the first thing wrong with t:
// more than MaxCategories categories or MaxSubcategories subcategories in
// one, a slug that is not a valid slug (see ValidSlug), a slug used twice
// at the same level, or a display name Names.Validate refuses. Names are
// optional: records saved before they existed have none.
func (t CategoryTree) Validate() error {
	if len(t) > MaxCategories {
		return Errorf(EINVALID, "category.too_many", len(t), MaxCategories)
	}
	seen := make(map[string]bool, len(t))
	for _, c := range t {
		switch {
		case !ValidSlug(c.Slug):
			return Errorf(EINVALID, "category.bad_slug", c.Slug)
		case seen[c.Slug]:
			return Errorf(EINVALID, "category.duplicate_slug", c.Slug)
		case len(c.Subcategories) > MaxSubcategories:
			return Errorf(EINVALID, "category.too_many_subs", c.Slug, len(c.Subcategories), MaxSubcategories)
		}
		if err := c.Names.Validate(c.Slug); err != nil {
			return err
		}
		seen[c.Slug] = true
		subs := make(map[string]bool, len(c.Subcategories))
		for _, s := range c.Subcategories {
			switch {
			case !ValidSlug(s.Slug):
				return Errorf(EINVALID, "subcategory.bad_slug", s.Slug, c.Slug)
			case subs[s.Slug]:
				return Errorf(EINVALID, "subcategory.duplicate", s.Slug, c.Slug)
			}
			if err := s.Names.Validate(s.Slug); err != nil {
				return err
			}
			subs[s.Slug] = true
		}
	}
	return nil
}

// Find returns the category with the given slug.
func (t CategoryTree) Find(slug string) (Category, bool) {
	for _, c := range t {
		if c.Slug == slug {
			return c, true
		}
	}
	return Category{}, false
}

// Has reports whether slug names a category of t.
func (t CategoryTree) Has(slug string) bool {
	_, ok := t.Find(slug)
	return ok
}

// HasSubcategory reports whether sub is a subcategory of the category cat.
func (t CategoryTree) HasSubcategory(cat, sub string) bool {
	c, ok := t.Find(cat)
	if !ok {
		return false
	}
	for _, s := range c.Subcategories {
		if s.Slug == sub {
			return true
		}
	}
	return false
}

// ConfigCategories is the ID of the configuration record (type "config",
// synced to every device) holding the category tree in use, as the JSON of
// a CategoryTree. Admins save it with the "config.save" mutation.
const ConfigCategories = "categories"

// CategorySave is the argument of "config.save" for ConfigCategories.
type CategorySave struct {
	ID         string       `json:"id"` // ConfigCategories
	Categories CategoryTree `json:"categories"`
}

// reservedCategories are slugs whose catalog key "category.<slug>" means
// something else ("Not sure" on the ticket form, an error message).
var reservedCategories = map[string]bool{"none": true, "unknown": true}

// ValidateConfig is Validate for a tree to be put in use: it must also
// have at least one category, and no category named as one of the
// catalog's other "category." keys.
func (t CategoryTree) ValidateConfig() error {
	if len(t) == 0 {
		return Errorf(EINVALID, "catadmin.empty")
	}
	for _, c := range t {
		if reservedCategories[c.Slug] {
			return Errorf(EINVALID, "catadmin.reserved", c.Slug)
		}
	}
	return t.Validate()
}

// Clone returns a deep copy of t.
func (t CategoryTree) Clone() CategoryTree {
	if t == nil {
		return nil
	}
	out := make(CategoryTree, len(t))
	for i, c := range t {
		out[i] = Category{Slug: c.Slug, Names: c.Names.Clone()}
		for _, s := range c.Subcategories {
			out[i].Subcategories = append(out[i].Subcategories, Subcategory{Slug: s.Slug, Names: s.Names.Clone()})
		}
	}
	return out
}
