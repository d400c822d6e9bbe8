package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// renderAttachments is the ticket page's attachments section, for the
// requester and for agents alike: a thumbnail per file, opening the full
// file, with upload progress on the device that filed it. Files this
// device lacks are downloaded (and kept for offline use) when online.
func (p *ticketPage) renderAttachments() app.UI {
	l, as := p.lang, p.ticket.Attachments
	if len(as) == 0 {
		return app.Text("")
	}
	return app.Section().ID("attachments").Body(
		app.H2().Text(t(l, "attach.title")),
		p.client.renderAttachments(l, as, true),
	)
}
