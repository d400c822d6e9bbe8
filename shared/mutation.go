package shared

// Mutation names: every change a device can ask of the server, as it is
// named on the wire (wire.Mutation.Name) and in the outbox. This is the
// one list; the server's table of what applies each is
// server/sync/handlers.go, and a test there keeps the two in step.
//
// Each line says the argument's type and who may make it. Who may is
// checked by the handler, on the record it touches: for a ticket with
// Allowed and one of the Actions (the permission table), named here.
const (
	// Tickets.
	OpTicketCreate   = "ticket.create"   // TicketCreate: anyone, signed out too (signed in: ActionCreate)
	OpTicketReply    = "ticket.reply"    // TicketOp: ActionReply
	OpTicketNote     = "ticket.note"     // TicketOp: ActionNote
	OpTicketStatus   = "ticket.status"   // TicketOp: CanTransition (ActionChangeStatus, or ActionReopen)
	OpTicketPriority = "ticket.priority" // TicketOp: ActionChangePriority
	OpTicketAssign   = "ticket.assign"   // TicketOp: ActionAssign
	OpTicketEscalate = "ticket.escalate" // TicketOp: ActionEscalate (and ValidateEscalation)
	OpTicketRate     = "ticket.rate"     // Rating: the requester rates a resolved ticket (ActionView, ActionRate)

	// The knowledge base, read by anyone, written by support staff.
	OpKBFeedback     = "kb.feedback"     // Feedback: anyone
	OpSearchMiss     = "search.miss"     // SearchMiss: anyone
	OpArticleSave    = "article.save"    // ArticleSave: staff write a new revision (a new article is a draft)
	OpArticlePublish = "article.publish" // ArticleChange: staff
	OpArticleArchive = "article.archive" // ArticleChange: staff
	OpArticleRestore = "article.restore" // ArticleChange: staff; revision Restore's content becomes the next revision

	// Guided troubleshooting (shared/tree).
	OpTreeEvent     = "tree.event"     // tree.RunEvent: anyone; a troubleshooting run started or ended
	OpTreeSave      = "tree.save"      // tree.Save: staff store a tree as a draft (a new revision)
	OpTreePublish   = "tree.publish"   // tree.Save: the same, published, if tree.Publishable
	OpTreeUnpublish = "tree.unpublish" // tree.Change: staff; back to a draft, hidden from users

	// Settings every device syncs, admins only: sla.ConfigSave (the
	// calendar, the SLA policy), CategorySave, SynonymSave,
	// SearchBlocksSave or SiteSave, told apart by the record ID.
	OpConfigSave = "config.save"

	// Kiosk mode. A kiosk may only check visitors in; the visit operations
	// are support staff's.
	OpKioskCheckin = "kiosk.checkin" // KioskCheckin: a kiosk, for its site
	OpVisitCall    = "visit.call"    // VisitOp: ID, Desk
	OpVisitStart   = "visit.start"   // VisitOp: ID, Desk
	OpVisitResolve = "visit.resolve" // VisitOp: ID (resolved at the desk: first-contact resolution)
	OpVisitTicket  = "visit.ticket"  // VisitOp: ID, TicketID, Title, Description, Category, Subcategory
	OpVisitNoShow  = "visit.noshow"  // VisitOp: ID
)

// TicketOps lists the ticket mutations TicketOp carries.
var TicketOps = []string{OpTicketReply, OpTicketNote, OpTicketStatus, OpTicketPriority, OpTicketAssign, OpTicketEscalate}

// VisitOps lists the staff operations on a visit.
var VisitOps = []string{OpVisitCall, OpVisitStart, OpVisitResolve, OpVisitTicket, OpVisitNoShow}

// Mutations lists every mutation name above.
var Mutations = append(append([]string{
	OpTicketCreate, OpTicketRate,
	OpKBFeedback, OpSearchMiss, OpArticleSave, OpArticlePublish, OpArticleArchive, OpArticleRestore,
	OpTreeEvent, OpTreeSave, OpTreePublish, OpTreeUnpublish,
	OpConfigSave,
	OpKioskCheckin,
}, TicketOps...), VisitOps...)
