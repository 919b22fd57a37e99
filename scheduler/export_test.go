package scheduler

// DisableEquivalence turns the equivalence-class memos off, so that tests
// can check they change no decision.
func DisableEquivalence(s *Scheduler) { s.noEquivalence = true }
