package sync

import "time"

// Observer is told what the service does, for metrics (server/metrics).
// Its methods must be quick and safe for concurrent use; a nil Observer
// on the Service observes nothing.
type Observer interface {
	// Mutation is called once per mutation a push handled: name is a
	// known mutation name or "unknown" (a client cannot make up label
	// values), result is ResultApplied, ResultRejected or ResultDuplicate,
	// and took is how long its transaction took, commit included.
	Mutation(name, result string, took time.Duration)
	// Pulled is called once per page of changes served.
	Pulled(changes, bytes int)
	// SLAMark is called once per SLA mark committed: timer is
	// sla.TimerFirstResponse or sla.TimerResolution, mark sla.StateWarned
	// or sla.StateBreached.
	SLAMark(timer, mark string)
}

// Results of a mutation, for Observer.Mutation.
const (
	ResultApplied   = "applied"
	ResultRejected  = "rejected"
	ResultDuplicate = "duplicate" // a resend, answered again
)

func (s *Service) observeMutation(name, result string, took time.Duration) {
	if s.Observe == nil {
		return
	}
	if _, ok := handlers[name]; !ok {
		name = "unknown"
	}
	s.Observe.Mutation(name, result, took)
}
