package selector

import (
	"cmp"
	"slices"
	"strings"
)

// Selector is a conjunction of requirements. It is an immutable value: the
// zero Selector is Everything (matches every label set); Nothing matches none.
// Requirements are kept in ascending key order; requirements with the same
// key keep the order in which they were given (as upstream's stable sort of
// small selectors does), which String preserves.
type Selector struct {
	reqs    []Requirement
	nothing bool
}

// Everything returns the selector that matches every label set.
func Everything() Selector { return Selector{} }

// Nothing returns the selector that matches no label set. Its String is "",
// like upstream's; it is the one selector that does not round-trip through Parse.
func Nothing() Selector { return Selector{nothing: true} }

// Empty reports whether s has no requirements and so matches everything.
func (s Selector) Empty() bool { return !s.nothing && len(s.reqs) == 0 }

// IsNothing reports whether s is Nothing.
func (s Selector) IsNothing() bool { return s.nothing }

// Requirements returns a copy of the requirements in key order.
func (s Selector) Requirements() []Requirement { return slices.Clone(s.reqs) }

// Add returns a new selector with the requirements added (kept in key order,
// stable for equal keys). Adding to Nothing gives Nothing. s is not changed.
func (s Selector) Add(rs ...Requirement) Selector {
	if s.nothing {
		return s
	}
	reqs := make([]Requirement, 0, len(s.reqs)+len(rs))
	reqs = append(reqs, s.reqs...)
	reqs = append(reqs, rs...)
	slices.SortStableFunc(reqs, func(a, b Requirement) int { return cmp.Compare(a.key, b.key) })
	return Selector{reqs: reqs}
}

// Matches reports whether every requirement matches ls. Nothing matches
// nothing; Everything matches everything. Cost: O(sum of requirement sizes).
func (s Selector) Matches(ls Labels) bool {
	if s.nothing {
		return false
	}
	for i := range s.reqs {
		if !s.reqs[i].Matches(ls) {
			return false
		}
	}
	return true
}

// String renders s canonically: requirements joined by "," in key order.
// Parse(s.String()) returns a selector Equal to s, except for Nothing.
func (s Selector) String() string {
	parts := make([]string, len(s.reqs))
	for i, r := range s.reqs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// Equal reports whether s and o have equal requirements in the same order.
func (s Selector) Equal(o Selector) bool {
	return s.nothing == o.nothing && slices.EqualFunc(s.reqs, o.reqs, Requirement.Equal)
}

// RequiresExactMatch reports the value label must have for s to match, if s
// requires one exact value (an Equals, DoubleEquals, or single-valued In).
func (s Selector) RequiresExactMatch(label string) (string, bool) {
	for _, r := range s.reqs {
		if r.key != label {
			continue
		}
		switch r.op {
		case Equals, DoubleEquals, In:
			if len(r.values) == 1 {
				return r.values[0], true
			}
		}
	}
	return "", false
}
