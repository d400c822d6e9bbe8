package app

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"outpost/app/store"
	"outpost/shared"
)

// The ticket form's attachments: a camera button (capture="environment"
// opens a phone's camera) and a file button. A picked file is downscaled,
// hashed and stored in the blob store before the draft references it, so
// the draft never names bytes this device does not hold.

const (
	attachCameraID = "attach-camera"
	attachFileID   = "attach-file"
)

func (f *ticketNew) renderAttach() app.UI {
	l, as := f.lang, f.draft.Attachments
	full := len(as)+f.preparing >= shared.MaxAttachments
	disabled := f.submitting || full || f.client.prerendering()
	accept := strings.Join(shared.AttachmentTypes, ",") + ",.txt,.pdf"
	return app.FieldSet().ID("attach").Class("attach-field").Body(
		app.Legend().Text(t(l, "attach.title")),
		// Every child is always there: a child that appears would shift the
		// file inputs, go-app would replace them, and the Dispatch of a
		// pick (whose source is an input) would be dropped.
		app.Div().ID("attach-list").Class("attachments").Body(app.Range(as).Slice(func(i int) app.UI {
			a := as[i]
			return app.Div().Class("attach-item").DataSet("sha", a.SHA256).Body(
				&attachThumb{Lang: l, A: a, client: f.client},
				app.Button().Type("button").Class("link attach-remove").Disabled(f.submitting).
					Aria("label", t(l, "attach.remove_label", a.Name)).Text(t(l, "attach.remove")).
					OnClick(func(ctx app.Context, e app.Event) { f.removeAttachment(ctx, a.SHA256) }, app.EventScope(a.SHA256)),
			)
		})),
		app.P().ID("attach-preparing").Class("muted").Attr("role", "status").Hidden(f.preparing == 0).
			Text(t(l, "attach.preparing", f.preparing)),
		app.Div().Class("actions").Body( // each input before its label, for the focus ring in app.css
			app.Input().ID(attachCameraID).Class("visually-hidden").Type("file").Accept("image/*").Capture("environment").
				Disabled(disabled).OnChange(func(ctx app.Context, e app.Event) { f.pick(ctx, attachCameraID) }),
			app.Label().For(attachCameraID).Class("button secondary").Aria("disabled", disabled).Text(t(l, "attach.camera")),
			app.Input().ID(attachFileID).Class("visually-hidden").Type("file").Accept(accept).Multiple(true).
				Disabled(disabled).OnChange(func(ctx app.Context, e app.Event) { f.pick(ctx, attachFileID) }),
			app.Label().For(attachFileID).Class("button secondary").Aria("disabled", disabled).Text(t(l, "attach.add")),
		),
		app.P().Class("muted hint").Text(t(l, "attach.hint", shared.MaxAttachments, shared.MaxAttachmentSize>>20)),
	)
}

// pick attaches the files chosen in input id: each is downscaled (images),
// hashed, stored, and only then added to the draft. A file that cannot be
// attached says why and leaves nothing behind.
func (f *ticketNew) pick(ctx app.Context, id string) {
	if f.client.prerendering() || f.submitting {
		return
	}
	files := pickedFiles(id)
	room := shared.MaxAttachments - len(f.draft.Attachments) - f.preparing
	if len(files) > room {
		f.errMsg = t(f.lang, "attach.too_many", shared.MaxAttachments)
		files = files[:max(room, 0)]
	} else {
		f.errMsg = ""
	}
	f.preparing += len(files)
	lang := f.lang
	for _, file := range files {
		name := fileName(file)
		ctx.Async(func() {
			a, data, err := prepareFile(file)
			if err == nil {
				err = f.client.Store.PutBlob(store.Blob{Attachment: a, AddedAt: f.client.clk().Now().UnixMilli()}, data)
				var full *store.QuotaError
				if errors.As(err, &full) {
					err = shared.Errorf(shared.EINVALID, "attach.quota", name)
				} else if err != nil {
					err = shared.Errorf(shared.EINTERNAL, "status.storage_err", err.Error())
				}
			}
			ctx.Dispatch(func(ctx app.Context) {
				f.preparing--
				if err != nil {
					f.errMsg = errorText(lang, err)
					return
				}
				f.edit(ctx, func(d *store.Draft) {
					for _, x := range d.Attachments {
						if x.SHA256 == a.SHA256 {
							return // the same file twice
						}
					}
					d.Attachments = append(d.Attachments, a)
				})
			})
		})
	}
}

// removeAttachment takes a file off the draft and, once the draft is
// saved without it, drops its bytes unless something else still needs
// them.
func (f *ticketNew) removeAttachment(ctx app.Context, sha string) {
	f.edit(ctx, func(d *store.Draft) {
		kept := d.Attachments[:0:0]
		for _, a := range d.Attachments {
			if a.SHA256 != sha {
				kept = append(kept, a)
			}
		}
		d.Attachments = kept
	})
	if f.ops == nil {
		return
	}
	draftID := f.draft.ID
	select {
	case f.ops <- func() {
		if !blobInUse(f.client.Store, sha, draftID) {
			f.client.Store.DeleteBlob(sha)
		}
	}:
	default: // the queue is full: the bytes stay, harmlessly
	}
}

// blobInUse reports whether another draft, a queued ticket or a ticket in
// the replica references blob sha.
func blobInUse(s store.Store, sha, exceptDraft string) bool {
	has := func(as []shared.Attachment) bool {
		for _, a := range as {
			if a.SHA256 == sha {
				return true
			}
		}
		return false
	}
	drafts, err := s.Drafts()
	if err != nil {
		return true
	}
	for _, d := range drafts {
		if d.ID != exceptDraft && has(d.Attachments) {
			return true
		}
	}
	out, err := s.Outbox()
	if err != nil {
		return true
	}
	for _, m := range out {
		var tc shared.TicketCreate
		if m.Name == shared.OpTicketCreate && json.Unmarshal(m.Args, &tc) == nil && has(tc.Attachments) {
			return true
		}
	}
	acked, err := ackedAttachments(s)
	return err != nil || acked[sha]
}
