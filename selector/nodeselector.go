package selector

import (
	"errors"
	"slices"
	"strconv"

	"github.com/daemonsim/daemonsim/field"
)

// NodeSelectorOperator is the operator of a NodeSelectorRequirement.
type NodeSelectorOperator string

// The node selector operators. Gt and Lt compare integer label values.
const (
	NodeSelectorOpIn           NodeSelectorOperator = "In"
	NodeSelectorOpNotIn        NodeSelectorOperator = "NotIn"
	NodeSelectorOpExists       NodeSelectorOperator = "Exists"
	NodeSelectorOpDoesNotExist NodeSelectorOperator = "DoesNotExist"
	NodeSelectorOpGt           NodeSelectorOperator = "Gt"
	NodeSelectorOpLt           NodeSelectorOperator = "Lt"
)

// ObjectNameField is the one node field a matchFields requirement can name.
const ObjectNameField = "metadata.name"

// NodeSelector is required node affinity (v1.NodeSelector): its terms are ORed.
type NodeSelector struct {
	NodeSelectorTerms []NodeSelectorTerm `json:"nodeSelectorTerms"`
}

// NodeSelectorTerm is one term: its label expressions and field expressions
// are ANDed. A term with neither matches no node and is dropped.
type NodeSelectorTerm struct {
	MatchExpressions []NodeSelectorRequirement `json:"matchExpressions,omitempty"`
	MatchFields      []NodeSelectorRequirement `json:"matchFields,omitempty"`
}

// NodeSelectorRequirement is one expression on a node label or field.
type NodeSelectorRequirement struct {
	Key      string               `json:"key"`
	Operator NodeSelectorOperator `json:"operator"`
	Values   []string             `json:"values,omitempty"`
}

// DeepCopy returns a copy sharing nothing with ns; nil stays nil.
func (ns *NodeSelector) DeepCopy() *NodeSelector {
	if ns == nil {
		return nil
	}
	out := &NodeSelector{}
	if ns.NodeSelectorTerms != nil {
		out.NodeSelectorTerms = make([]NodeSelectorTerm, len(ns.NodeSelectorTerms))
		for i := range ns.NodeSelectorTerms {
			out.NodeSelectorTerms[i] = ns.NodeSelectorTerms[i].DeepCopy()
		}
	}
	return out
}

// DeepCopy returns a copy of the term sharing nothing with t.
func (t NodeSelectorTerm) DeepCopy() NodeSelectorTerm {
	return NodeSelectorTerm{MatchExpressions: copyNodeReqs(t.MatchExpressions), MatchFields: copyNodeReqs(t.MatchFields)}
}

func copyNodeReqs(rs []NodeSelectorRequirement) []NodeSelectorRequirement {
	if rs == nil {
		return nil
	}
	out := make([]NodeSelectorRequirement, len(rs))
	for i, r := range rs {
		r.Values = slices.Clone(r.Values)
		out[i] = r
	}
	return out
}

// IsEmpty reports whether the term has no expressions and no fields.
func (t *NodeSelectorTerm) IsEmpty() bool {
	return len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0
}

// fieldReq is a parsed matchFields requirement: key == value or key != value.
type fieldReq struct {
	key, value string
	notEqual   bool
}

type compiledTerm struct {
	labels    *Selector // nil when the term has no matchExpressions
	fields    []fieldReq
	hasFields bool
	errs      []error
}

// LazyErrorNodeSelector is a NodeSelector compiled once for repeated
// matching, with upstream's lazy parse errors: a term that fails to parse
// matches no node, while other terms still may. It is immutable and safe to
// share. Build it with NewLazyErrorNodeSelector.
type LazyErrorNodeSelector struct {
	terms []compiledTerm
}

// NewLazyErrorNodeSelector compiles ns. Empty terms are dropped; a nil ns or
// one with no terms left matches nothing. Cost: O(size of ns).
func NewLazyErrorNodeSelector(ns *NodeSelector) *LazyErrorNodeSelector {
	if ns == nil {
		return &LazyErrorNodeSelector{}
	}
	out := &LazyErrorNodeSelector{terms: make([]compiledTerm, 0, len(ns.NodeSelectorTerms))}
	for i := range ns.NodeSelectorTerms {
		t := &ns.NodeSelectorTerms[i]
		if t.IsEmpty() {
			continue
		}
		// field paths are built only for a term with errors
		ct := compileTerm(t, field.Discard)
		if len(ct.errs) > 0 {
			ct = compileTerm(t, field.NewPath("nodeSelectorTerms").Index(i))
		}
		out.terms = append(out.terms, ct)
	}
	return out
}

func compileTerm(t *NodeSelectorTerm, p *field.Path) compiledTerm {
	var ct compiledTerm
	if len(t.MatchExpressions) > 0 {
		sel, errs := nodeRequirementsAsSelector(t.MatchExpressions, p.Child("matchExpressions"))
		ct.errs = append(ct.errs, errs...)
		ct.labels = &sel
	}
	if len(t.MatchFields) > 0 {
		ct.hasFields = true
		fp := p.Child("matchFields")
		for i, r := range t.MatchFields {
			rp := fp.Index(i)
			switch r.Operator {
			case NodeSelectorOpIn, NodeSelectorOpNotIn:
				if len(r.Values) != 1 {
					ct.errs = append(ct.errs, field.Invalid(rp.Child("values"), r.Values, "must have one element"))
					continue
				}
				ct.fields = append(ct.fields, fieldReq{key: r.Key, value: r.Values[0], notEqual: r.Operator == NodeSelectorOpNotIn})
			default:
				ct.errs = append(ct.errs, field.NotSupported(rp.Child("operator"), string(r.Operator), []NodeSelectorOperator{NodeSelectorOpIn, NodeSelectorOpNotIn}))
			}
		}
	}
	return ct
}

var validNodeSelectorOperators = []NodeSelectorOperator{NodeSelectorOpIn, NodeSelectorOpNotIn, NodeSelectorOpExists, NodeSelectorOpDoesNotExist, NodeSelectorOpGt, NodeSelectorOpLt}

func nodeRequirementsAsSelector(rs []NodeSelectorRequirement, p *field.Path) (Selector, []error) {
	var errs []error
	var reqs []Requirement
	for i, r := range rs {
		rp := p.Index(i)
		var op Operator
		switch r.Operator {
		case NodeSelectorOpIn:
			op = In
		case NodeSelectorOpNotIn:
			op = NotIn
		case NodeSelectorOpExists:
			op = Exists
		case NodeSelectorOpDoesNotExist:
			op = DoesNotExist
		case NodeSelectorOpGt:
			op = GreaterThan
		case NodeSelectorOpLt:
			op = LessThan
		default:
			errs = append(errs, field.NotSupported(rp.Child("operator"), string(r.Operator), validNodeSelectorOperators))
			continue
		}
		req, err := newRequirement(r.Key, op, r.Values, rp)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		reqs = append(reqs, req)
	}
	if len(errs) > 0 {
		return Nothing(), errs
	}
	return Selector{}.Add(reqs...), nil
}

// Match reports whether the node matches some term. A term matches when its
// label requirements match nodeLabels and its field requirements match the
// node's fields; "metadata.name" is the node name and every other field key
// compares as "" (as upstream's field set does); field requirements are
// skipped when nodeName is "". When no term matches, the parse errors of the
// terms that failed to parse are returned joined (nil if there were none);
// callers that follow upstream ignore them. Cost: O(size of the selector).
func (ns *LazyErrorNodeSelector) Match(nodeName string, nodeLabels Labels) (bool, error) {
	var errs []error
	for i := range ns.terms {
		t := &ns.terms[i]
		if len(t.errs) > 0 {
			errs = append(errs, t.errs...)
			continue
		}
		if t.matches(nodeName, nodeLabels) {
			return true, nil
		}
	}
	return false, errors.Join(errs...)
}

func (t *compiledTerm) matches(nodeName string, nodeLabels Labels) bool {
	if t.labels != nil && !t.labels.Matches(nodeLabels) {
		return false
	}
	if t.hasFields && nodeName != "" {
		for _, f := range t.fields {
			v := ""
			if f.key == ObjectNameField {
				v = nodeName
			}
			if (v == f.value) == f.notEqual {
				return false
			}
		}
	}
	return true
}

// Matches compiles ns and reports whether a node with this name and labels
// matches it, ignoring parse errors (upstream's NodeSelector semantics).
// Cost: O(size of ns) per call; compile once with NewLazyErrorNodeSelector
// to match many nodes.
func (ns *NodeSelector) Matches(nodeName string, nodeLabels Set) bool {
	ok, _ := NewLazyErrorNodeSelector(ns).Match(nodeName, nodeLabels)
	return ok
}

// Validate returns every problem with ns, as upstream's ValidateNodeSelector
// with label values checked (as on create), with field paths relative to the
// selector ("nodeSelectorTerms[0]..."): see ValidateAt.
func (ns *NodeSelector) Validate() error {
	return ns.ValidateAt(nil).ToAggregate()
}

// ValidateAt is Validate with field paths under p: a nil ns or one without
// terms gives the one error Required "must have at least one node selector
// term" at p.nodeSelectorTerms; otherwise the errors of each term
// (ValidateNodeSelectorTerm with label values checked), in term order. An
// empty term is valid. Cost: O(size of ns); with p field.Discard no path is
// built.
func (ns *NodeSelector) ValidateAt(p *field.Path) field.ErrorList {
	tp := p.Child("nodeSelectorTerms")
	if ns == nil || len(ns.NodeSelectorTerms) == 0 {
		return field.ErrorList{field.Required(tp, "must have at least one node selector term")}
	}
	var errs field.ErrorList
	for i, t := range ns.NodeSelectorTerms {
		errs = append(errs, ValidateNodeSelectorTerm(t, false, tp.Index(i))...)
	}
	return errs
}

// ValidateNodeSelectorTerm returns every problem with one term, with paths
// under p, as upstream's ValidateNodeSelectorTerm. allowInvalidLabelValues
// skips the label-value check of matchExpressions values, as upstream does
// for the terms of preferred node affinity (which may match no node) and,
// on update, for a required selector that already held invalid values.
//
// The errors come in this order. Per matchExpressions requirement, in order:
// its operator (In and NotIn need values, "Required"; Exists and
// DoesNotExist take none, "Forbidden"; Gt and Lt need exactly one,
// "Required"; any other operator is Invalid "not a valid selector
// operator"), its key (a qualified name), its values (label values, unless
// allowed). Then per matchFields requirement, in order: its operator (In or
// NotIn with exactly one value, "Required"; any other operator is Invalid),
// its key (only metadata.name, else Invalid "not a valid field selector key"
// and its values are not looked at), its values (node names, see
// NameIsDNSSubdomain). Cost: O(size of t); with p field.Discard no path is
// built.
func ValidateNodeSelectorTerm(t NodeSelectorTerm, allowInvalidLabelValues bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for j, r := range t.MatchExpressions {
		rp := p.Child("matchExpressions").Index(j)
		switch r.Operator {
		case NodeSelectorOpIn, NodeSelectorOpNotIn:
			if len(r.Values) == 0 {
				errs = append(errs, field.Required(rp.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case NodeSelectorOpExists, NodeSelectorOpDoesNotExist:
			if len(r.Values) > 0 {
				errs = append(errs, field.Forbidden(rp.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		case NodeSelectorOpGt, NodeSelectorOpLt:
			if len(r.Values) != 1 {
				errs = append(errs, field.Required(rp.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
			}
		default:
			errs = append(errs, field.Invalid(rp.Child("operator"), string(r.Operator), msgBadSelectorOperator))
		}
		errs = append(errs, ValidateLabelName(r.Key, rp.Child("key"))...)
		if !allowInvalidLabelValues {
			for k, v := range r.Values {
				errs = append(errs, ValidateLabelValue(v, rp.Child("values").Index(k))...)
			}
		}
	}
	for j, r := range t.MatchFields {
		rp := p.Child("matchFields").Index(j)
		switch r.Operator {
		case NodeSelectorOpIn, NodeSelectorOpNotIn:
			if len(r.Values) != 1 {
				errs = append(errs, field.Required(rp.Child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
			}
		default:
			errs = append(errs, field.Invalid(rp.Child("operator"), string(r.Operator), msgBadSelectorOperator))
		}
		if r.Key != ObjectNameField {
			errs = append(errs, field.Invalid(rp.Child("key"), r.Key, "not a valid field selector key"))
			continue
		}
		for k, v := range r.Values {
			for _, msg := range NameIsDNSSubdomain(v) {
				errs = append(errs, field.Invalid(rp.Child("values").Index(k), v, msg))
			}
		}
	}
	return errs
}

// NameIsDNSSubdomain returns upstream's messages for why name is not a
// valid object name of the DNS-subdomain kind (apimachinery's
// NameIsDNSSubdomain, which is also ValidateNodeName, the rule for a
// matchFields value on metadata.name), or nil if it is valid. The rule is
// IsDNS1123Subdomain's, but the name validators count the length limit in
// characters ("must be no more than 253 characters") where the content
// validators behind IsDNS1123Subdomain say bytes.
func NameIsDNSSubdomain(name string) []string {
	msgs := IsDNS1123Subdomain(name)
	if len(name) > DNS1123SubdomainMaxLength {
		msgs[0] = "must be no more than " + strconv.Itoa(DNS1123SubdomainMaxLength) + " characters"
	}
	return msgs
}
