package app

import (
	"encoding/json"
	"sync/atomic"

	"outpost/shared"
	"outpost/shared/wire"
)

// Display names (issue 16). Categories, subcategories and sites are stored
// by slug; people read their names, in the UI language. A category's name
// is the one an admin gave it in that language, else the catalog's (the
// default tree is named there), else the admin's name in the other
// language, else the slug title-cased ("madrid-hq" → "Madrid HQ"). Sites
// are named in the config record shared.ConfigSites.

// categoryName is the display name of category slug in l, named in the
// tree in use.
func (c *Client) categoryName(l, slug string) string {
	cat, _ := c.categories().Find(slug)
	return displayName(l, cat.Names, "category."+slug, slug)
}

// subcategoryName is the display name of subcategory sub of cat in l.
func (c *Client) subcategoryName(l, cat, sub string) string {
	var names shared.Names
	if parent, ok := c.categories().Find(cat); ok {
		for _, s := range parent.Subcategories {
			if s.Slug == sub {
				names = s.Names
			}
		}
	}
	return displayName(l, names, "subcategory."+cat+"."+sub, sub)
}

// displayName picks a name in l: names' own, the catalog's key, names' in
// another language, or the slug title-cased.
func displayName(l string, names shared.Names, key, slug string) string {
	if n := names.Own(l); n != "" {
		return n
	}
	if t(l, key) != key {
		return t(l, key)
	}
	if n := names.In(l); n != "" {
		return n
	}
	return shared.HumanSlug(slug)
}

// sitesInUse is the replica's shared.SiteList (nil before it has one),
// and the record it was read from.
type sitesInUse struct {
	list atomic.Pointer[shared.SiteList]
	seen atomic.Pointer[string]
}

// siteName is the display name of site slug in l.
func (c *Client) siteName(l, slug string) string {
	var list shared.SiteList
	if p := c.siteList.list.Load(); p != nil {
		list = *p
	}
	return list.Name(l, slug)
}

// siteNames returns the site names in use (never changed by callers).
func (c *Client) siteNames() shared.SiteList {
	if p := c.siteList.list.Load(); p != nil {
		return *p
	}
	return nil
}

// refreshSites reads the replica's site names and reports whether they
// changed. It reads the store: call it off the UI goroutine.
func (c *Client) refreshSites() bool {
	rec, ok, err := c.Store.Get(wire.TypeConfig, shared.ConfigSites)
	if err != nil || !ok {
		return false
	}
	data := string(rec.Data)
	if p := c.siteList.seen.Load(); p != nil && *p == data {
		return false
	}
	var list shared.SiteList
	if json.Unmarshal(rec.Data, &list) != nil || list.Validate() != nil {
		return false
	}
	c.siteList.list.Store(&list)
	c.siteList.seen.Store(&data)
	return true
}
