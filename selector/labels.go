package selector

import (
	"slices"
	"strings"
)

// Labels is read access to a label set, as upstream's labels.Labels.
type Labels interface {
	// Has reports whether the key is present.
	Has(key string) bool
	// Get returns the value of key, or "" if it is absent.
	Get(key string) string
	// Lookup returns the value of key and whether it is present.
	Lookup(key string) (string, bool)
}

// Set is a label set: keys to values. A nil Set is an empty set.
type Set map[string]string

var _ Labels = Set(nil)

// Has reports whether key is present. O(1).
func (s Set) Has(key string) bool { _, ok := s[key]; return ok }

// Get returns the value of key, or "". O(1).
func (s Set) Get(key string) string { return s[key] }

// Lookup returns the value of key and whether it is present. O(1).
func (s Set) Lookup(key string) (string, bool) { v, ok := s[key]; return v, ok }

// sortedKeys returns the keys in ascending byte order.
func (s Set) sortedKeys() []string {
	keys := make([]string, 0, len(s))
	for k := range s { //detlint:allow keys are sorted before use
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// String renders the set canonically as "k1=v1,k2=v2" in ascending key
// order. The empty set renders as "".
func (s Set) String() string {
	var b strings.Builder
	for i, k := range s.sortedKeys() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(s[k])
	}
	return b.String()
}

// Clone returns a copy of s; nil stays nil.
func (s Set) Clone() Set {
	if s == nil {
		return nil
	}
	c := make(Set, len(s))
	for k, v := range s { //detlint:allow copying a map is order-independent
		c[k] = v
	}
	return c
}

// Equal reports whether s and o hold the same keys and values (nil equals empty).
func (s Set) Equal(o Set) bool {
	if len(s) != len(o) {
		return false
	}
	for k, v := range s { //detlint:allow comparison is order-independent
		if w, ok := o[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// SelectorFromSet returns the selector that matches exactly the sets that
// contain every key=value of s (an Equals requirement per key). A nil or
// empty set gives Everything. It does not validate; see ValidatedSelectorFromSet.
func SelectorFromSet(s Set) Selector {
	if len(s) == 0 {
		return Everything()
	}
	reqs := make([]Requirement, 0, len(s))
	for _, k := range s.sortedKeys() {
		reqs = append(reqs, Requirement{key: k, op: Equals, values: []string{s[k]}})
	}
	return Selector{reqs: reqs}
}

// ValidatedSelectorFromSet is SelectorFromSet that first validates every key
// and value, returning the first-found problems joined.
func ValidatedSelectorFromSet(s Set) (Selector, error) {
	if len(s) == 0 {
		return Everything(), nil
	}
	reqs := make([]Requirement, 0, len(s))
	for _, k := range s.sortedKeys() {
		r, err := NewRequirement(k, Equals, s[k])
		if err != nil {
			return Selector{}, err
		}
		reqs = append(reqs, r)
	}
	return Selector{reqs: reqs}, nil
}
