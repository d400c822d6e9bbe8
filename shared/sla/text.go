package sla

import (
	"time"

	"outpost/shared/i18n"
)

// weekdays and months are the catalog keys of the short names, indexed by
// time.Weekday and time.Month − 1.
var (
	weekdays = [7]string{"sla.weekday.sun", "sla.weekday.mon", "sla.weekday.tue", "sla.weekday.wed", "sla.weekday.thu", "sla.weekday.fri", "sla.weekday.sat"}
	months   = [12]string{"sla.month.jan", "sla.month.feb", "sla.month.mar", "sla.month.apr", "sla.month.may", "sla.month.jun",
		"sla.month.jul", "sla.month.aug", "sla.month.sep", "sla.month.oct", "sla.month.nov", "sla.month.dec"}
)

// FormatDue returns due as a requester reads it in lang, in the calendar's
// zone, named: "Tue 10:00 CET" ("mar 10:00 CET") when due falls on one of
// the seven local dates starting with now's, and "Tue 14 Jan 10:00 CET"
// ("mar 14 ene 10:00 CET") otherwise, since a bare weekday a week or more
// away, or in the past, would be read as the wrong day. It is the %v of
// "sla.expect_response" and "sla.expect_resolution".
func FormatDue(lang string, due, now time.Time, cal *Calendar) string {
	loc := cal.loc()
	due = due.In(loc)
	clock := due.Format("15:04 MST") // named: the reader may be elsewhere
	wd := i18n.T(lang, weekdays[due.Weekday()])
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if !due.Before(today) && due.Before(time.Date(y, m, d+7, 0, 0, 0, 0, loc)) {
		return i18n.T(lang, "sla.due_week", wd, clock)
	}
	return i18n.T(lang, "sla.due_date", wd, due.Day(), i18n.T(lang, months[due.Month()-1]), clock)
}
