package shared

// Impact and urgency levels, the two inputs of a ticket's priority.
const (
	LevelHigh   = "high"
	LevelMedium = "medium"
	LevelLow    = "low"
)

// Priorities, P1 most urgent (the same values shared/tree suggests).
// Display names are the catalog keys "ticket.priority.<p>".
const (
	PriorityP1 = "P1" // critical: work stops for many, now
	PriorityP2 = "P2" // high
	PriorityP3 = "P3" // medium
	PriorityP4 = "P4" // low: can be planned
)

// Priorities lists the priorities, most urgent first.
var Priorities = []string{PriorityP1, PriorityP2, PriorityP3, PriorityP4}

// priorityMatrix is the ITIL impact × urgency matrix. ITIL's usual 3×3
// matrix has five levels (critical, high, medium, low, planning); Outpost
// has four, so low and planning share P4:
//
//	                  urgency high   medium   low
//	impact high             P1         P2      P3
//	impact medium           P2         P3      P4
//	impact low              P3         P4      P4
var priorityMatrix = map[[2]string]string{
	{LevelHigh, LevelHigh}: PriorityP1, {LevelHigh, LevelMedium}: PriorityP2, {LevelHigh, LevelLow}: PriorityP3,
	{LevelMedium, LevelHigh}: PriorityP2, {LevelMedium, LevelMedium}: PriorityP3, {LevelMedium, LevelLow}: PriorityP4,
	{LevelLow, LevelHigh}: PriorityP3, {LevelLow, LevelMedium}: PriorityP4, {LevelLow, LevelLow}: PriorityP4,
}

// Priority returns the priority of a ticket with the given impact (how many
// people or how much of the business it affects) and urgency (how soon it
// hurts), each LevelHigh, LevelMedium or LevelLow, from the matrix above.
// Returns EINVALID for any other level.
func Priority(impact, urgency string) (string, error) {
	if !validLevel(impact) {
		return "", Errorf(EINVALID, "ticket.priority.bad_impact", impact)
	}
	if !validLevel(urgency) {
		return "", Errorf(EINVALID, "ticket.priority.bad_urgency", urgency)
	}
	return priorityMatrix[[2]string{impact, urgency}], nil
}

func validLevel(l string) bool { return l == LevelHigh || l == LevelMedium || l == LevelLow }
