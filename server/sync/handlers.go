package sync

import (
	"encoding/json"
	"time"

	"outpost/server/store"
	"outpost/shared"
	"outpost/shared/sla"
	"outpost/shared/tree"
)

// handler applies one mutation's effects in tx, at now; a category it
// names must be in cats, the tree in use (Service.Categories). A
// *shared.Error that is not EINTERNAL or EUNAUTHORIZED rejects the
// mutation. EUNAUTHORIZED (the user must sign in) stops the push without
// an answer, so the mutation waits in the outbox; any other error aborts
// the push, to be retried.
type handler func(tx store.Tx, a Actor, args json.RawMessage, now time.Time, cats shared.CategoryTree) error

// handlers is what applies each mutation, by name: the one table of them.
// shared/mutation.go names every mutation (shared.Mutations) and says who
// may make it; TestEveryMutationHasAHandler keeps the two in step. Each
// handler decodes and validates its own arguments and checks the actor's
// permission on the records it touches.
var handlers = map[string]handler{
	// Tickets: ticket.go, rating.go.
	shared.OpTicketCreate:   ticketCreate,
	shared.OpTicketReply:    ticketOp(shared.OpTicketReply),
	shared.OpTicketNote:     ticketOp(shared.OpTicketNote),
	shared.OpTicketStatus:   ticketOp(shared.OpTicketStatus),
	shared.OpTicketPriority: ticketOp(shared.OpTicketPriority),
	shared.OpTicketAssign:   ticketOp(shared.OpTicketAssign),
	shared.OpTicketEscalate: ticketOp(shared.OpTicketEscalate),
	shared.OpTicketRate:     ticketRate,

	// The knowledge base: kb.go (what readers send), article.go (editors).
	shared.OpKBFeedback:     kbFeedback,
	shared.OpSearchMiss:     searchMiss,
	shared.OpArticleSave:    articleSave,
	shared.OpArticlePublish: articleStatus(shared.ArticlePublished),
	shared.OpArticleArchive: articleStatus(shared.ArticleArchived),
	shared.OpArticleRestore: articleRestore,

	// Troubleshooting: tree.go (runs), tree_edit.go (editors).
	shared.OpTreeEvent:     treeEvent,
	shared.OpTreeSave:      treeSave(tree.StatusDraft),
	shared.OpTreePublish:   treeSave(tree.StatusPublished),
	shared.OpTreeUnpublish: treeUnpublish,

	// Settings: configSave hands each record to its saver (configSavers).
	shared.OpConfigSave: configSave,

	// Kiosk mode: kiosk.go.
	shared.OpKioskCheckin: kioskCheckin,
	shared.OpVisitCall:    visitOp(shared.OpVisitCall),
	shared.OpVisitStart:   visitOp(shared.OpVisitStart),
	shared.OpVisitResolve: visitOp(shared.OpVisitResolve),
	shared.OpVisitTicket:  visitOp(shared.OpVisitTicket),
	shared.OpVisitNoShow:  visitOp(shared.OpVisitNoShow),
}

// configSaver stores one config record an admin saved with config.save,
// after checking who saves it and what, as the admin screen did.
type configSaver func(tx store.Tx, a Actor, args json.RawMessage) error

// configSavers is what saves each config record of config.save, by record
// ID: the one table of them. An ID it lacks goes to slaConfigSave, which
// refuses it (slaadmin.bad_save) to an admin, and anyone else as
// slaadmin.admin_only. The server writes config records of its own too,
// which no device saves: shared.ConfigLearned (learn.go) and
// shared.ConfigRelated (related.go).
var configSavers = map[string]configSaver{
	sla.ConfigCalendar:        slaConfigSave,    // sla.go
	sla.ConfigPolicy:          slaConfigSave,    // sla.go
	shared.ConfigCategories:   categoriesSave,   // categories.go; put in use once committed (afterCommit)
	shared.ConfigSynonyms:     synonymsSave,     // synonyms.go
	shared.ConfigSearchBlocks: searchBlocksSave, // synonyms.go
	shared.ConfigSites:        sitesSave,        // sites.go
}

// configSave applies config.save: a signed-in user's, saved by the saver of
// the record it names (configSavers).
func configSave(tx store.Tx, a Actor, args json.RawMessage, _ time.Time, _ shared.CategoryTree) error {
	if a.User == nil {
		return ErrSignIn
	}
	save, ok := configSavers[configID(args)]
	if !ok {
		save = slaConfigSave
	}
	return save(tx, a, args)
}

// configID returns the ID a config.save's arguments name.
func configID(args json.RawMessage) string {
	var s struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(args, &s)
	return s.ID
}
