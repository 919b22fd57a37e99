// Package selector parses label selectors and matches them against label
// sets, with the semantics of Kubernetes' k8s.io/apimachinery/pkg/labels and
// of node affinity's NodeSelector (k8s.io/component-helpers nodeaffinity).
//
// It offers the apimachinery vocabulary: Set, Labels, Operator, Requirement,
// Selector, Parse (the kubectl -l syntax), Everything and Nothing; the API
// object forms LabelSelector (matchLabels, matchExpressions) and NodeSelector
// (nodeSelectorTerms with matchExpressions and matchFields); and validation
// of label keys and values with the upstream messages.
//
// # Usage
//
//	sel, err := selector.Parse("tier in (web,api),!canary")
//	if err != nil { ... }               // *ParseError names the byte position
//	sel.Matches(selector.Set{"tier": "web"}) // true
//
//	ls := &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}}
//	s, err := selector.LabelSelectorAsSelector(ls) // nil → Nothing, {} → Everything
//
// # Determinism
//
// Selector and Requirement are immutable values. String methods are
// canonical: requirements in key order (stable for equal keys, as upstream's
// sort of small selectors is), values sorted, so
// Parse(s.String()) is Equal to s. Set.String sorts keys. No function reads a
// clock, draws a random number or lets map order decide a result.
//
// # Differences from upstream
//
//   - Parse errors carry the byte position (*ParseError); upstream's messages
//     carry none. Which inputs are accepted is the same.
//   - Requirement values are stored sorted; upstream keeps the values given
//     to NewRequirement in their order and sorts only when printing. String
//     and matching are the same. Equal compares value sets.
//   - Upstream sorts a parsed selector with sort.Sort, which is stable only
//     for up to 12 requirements; we always sort stably. Selectors with more
//     than 12 requirements and repeated keys may print their repeated-key
//     requirements in a different order than upstream; they match the same.
//   - Nothing().String() is "" as upstream; it is the one selector whose
//     String does not parse back to itself.
package selector
