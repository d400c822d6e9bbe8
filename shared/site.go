package shared

// ConfigSites is the ID of the configuration record (type "config", synced
// to every device, kiosks and signed-out devices too) that holds the
// display names of sites, as the JSON of a SiteList. Sites themselves are
// slugs on kiosks and visits ("madrid-hq"); a site without an entry shows
// as HumanSlug of its slug. Admins save it with "config.save" from
// /admin/kiosks.
const ConfigSites = "sites"

// MaxSites bounds the SiteList, so one record stays small.
const MaxSites = 200

// Site is the display names of one site.
type Site struct {
	Slug  string `json:"slug"`
	Names Names  `json:"names,omitempty"`
}

// SiteList is every named site, in the order they were first named.
type SiteList []Site

// SiteSave is the argument of "config.save" for ConfigSites.
type SiteSave struct {
	ID    string   `json:"id"` // ConfigSites
	Sites SiteList `json:"sites"`
}

// Validate returns an EINVALID *Error naming the first thing wrong with l:
// more than MaxSites sites, a slug that is not a valid slug or is named
// twice, or a name Names.Validate refuses.
func (l SiteList) Validate() error {
	if len(l) > MaxSites {
		return Errorf(EINVALID, "sites.too_many", len(l), MaxSites)
	}
	seen := make(map[string]bool, len(l))
	for _, s := range l {
		switch {
		case !ValidSlug(s.Slug):
			return Errorf(EINVALID, "role.bad_site", s.Slug)
		case seen[s.Slug]:
			return Errorf(EINVALID, "sites.duplicate", s.Slug)
		}
		seen[s.Slug] = true
		if err := s.Names.Validate(s.Slug); err != nil {
			return err
		}
	}
	return nil
}

// Find returns the entry of site slug.
func (l SiteList) Find(slug string) (Site, bool) {
	for _, s := range l {
		if s.Slug == slug {
			return s, true
		}
	}
	return Site{}, false
}

// With returns a copy of l where site slug has names: its entry replaced,
// or a new one at the end.
func (l SiteList) With(slug string, names Names) SiteList {
	out := make(SiteList, 0, len(l)+1)
	found := false
	for _, s := range l {
		if s.Slug == slug {
			s, found = Site{Slug: slug, Names: names.Clone()}, true
		}
		out = append(out, s)
	}
	if !found {
		out = append(out, Site{Slug: slug, Names: names.Clone()})
	}
	return out
}

// Name returns the display name of site slug in lang: its name in lang,
// else in another language, else HumanSlug(slug).
func (l SiteList) Name(lang, slug string) string {
	if s, ok := l.Find(slug); ok {
		if n := s.Names.In(lang); n != "" {
			return n
		}
	}
	return HumanSlug(slug)
}
