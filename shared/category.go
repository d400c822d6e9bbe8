package shared

// Limits of the category tree: few enough that the home page and the ticket
// form can show every category at once.
const (
	MaxCategories    = 10
	MaxSubcategories = 5
)

// Category is a top-level knowledge-base category. Its display name is the
// catalog key "category.<Slug>"; a subcategory's is
// "subcategory.<category slug>.<subcategory slug>".
type Category struct {
	Slug          string        `json:"slug"`
	Subcategories []Subcategory `json:"subcategories,omitempty"`
}

// Subcategory is a category's child. Its slug is unique within its category.
type Subcategory struct {
	Slug string `json:"slug"`
}

// CategoryTree is the ordered list of categories, each with its ordered
// subcategories. The order is the order pages show them in.
type CategoryTree []Category

// Categories is the category tree client and server agree on. Issue 4 will
// let an admin edit it (validated by CategoryTree.Validate); until then it is
// fixed here.
var Categories = CategoryTree{
	{Slug: "network", Subcategories: []Subcategory{{"wifi"}, {"vpn"}, {"wired"}}},
	{Slug: "accounts", Subcategories: []Subcategory{{"password"}, {"mfa"}, {"access"}}},
	{Slug: "email", Subcategories: []Subcategory{{"outlook"}, {"mobile-mail"}, {"shared-mailbox"}}},
	{Slug: "devices", Subcategories: []Subcategory{{"laptop"}, {"printer"}, {"phone"}}},
}

// Validate returns an EINVALID *Error naming the first thing wrong with t:
// more than MaxCategories categories or MaxSubcategories subcategories in
// one, a slug that is not a valid slug (see ValidSlug), or a slug used twice
// at the same level.
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
		seen[c.Slug] = true
		subs := make(map[string]bool, len(c.Subcategories))
		for _, s := range c.Subcategories {
			switch {
			case !ValidSlug(s.Slug):
				return Errorf(EINVALID, "subcategory.bad_slug", s.Slug, c.Slug)
			case subs[s.Slug]:
				return Errorf(EINVALID, "subcategory.duplicate", s.Slug, c.Slug)
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

// ValidCategory reports whether slug names a category in Categories.
func ValidCategory(slug string) bool {
	_, ok := Categories.Find(slug)
	return ok
}

// ValidSubcategory reports whether sub is a subcategory of cat in Categories.
func ValidSubcategory(cat, sub string) bool {
	return Categories.HasSubcategory(cat, sub)
}
