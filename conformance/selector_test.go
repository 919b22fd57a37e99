package conformance

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/daemonsim/daemonsim/selector"
)

func TestParseMatchesUpstream(t *testing.T) {
	r := newRand(t, 1)
	accepted := 0
	for i := range count() {
		s := selectorString(r)
		ours, oerr := selector.Parse(s)
		theirs, terr := labels.Parse(s)
		require.Equal(t, terr == nil, oerr == nil, "input %d %q: upstream err %v, ours %v", i, s, terr, oerr)
		if terr != nil {
			continue
		}
		accepted++
		require.Equal(t, theirs.String(), ours.String(), "input %q", s)
		for range 3 {
			ls := labelSet(r)
			require.Equal(t, theirs.Matches(labels.Set(ls)), ours.Matches(selector.Set(ls)), "input %q labels %v", s, ls)
		}
	}
	t.Logf("%d inputs, %d accepted", count(), accepted)
	require.Greater(t, accepted, count()/10, "the generator must produce valid selectors too")
}

func labelSelector(r *rand.Rand) *metav1.LabelSelector {
	if r.IntN(20) == 0 {
		return nil
	}
	ls := &metav1.LabelSelector{}
	if r.IntN(2) == 0 {
		ls.MatchLabels = labelSet(r)
	}
	ops := []metav1.LabelSelectorOperator{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "in", ""}
	for range r.IntN(4) {
		e := metav1.LabelSelectorRequirement{Key: pick(r, keys), Operator: pick(r, ops)}
		for range r.IntN(3) {
			e.Values = append(e.Values, pick(r, values))
		}
		ls.MatchExpressions = append(ls.MatchExpressions, e)
	}
	return ls
}

func toOurLabelSelector(ls *metav1.LabelSelector) *selector.LabelSelector {
	if ls == nil {
		return nil
	}
	out := &selector.LabelSelector{MatchLabels: ls.MatchLabels}
	for _, e := range ls.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, selector.LabelSelectorRequirement{Key: e.Key, Operator: selector.LabelSelectorOperator(e.Operator), Values: e.Values})
	}
	return out
}

func TestLabelSelectorAsSelectorMatchesUpstream(t *testing.T) {
	r := newRand(t, 2)
	accepted := 0
	for range count() {
		ls := labelSelector(r)
		theirs, terr := metav1.LabelSelectorAsSelector(ls)
		ours, oerr := selector.LabelSelectorAsSelector(toOurLabelSelector(ls))
		require.Equal(t, terr == nil, oerr == nil, "selector %v: upstream %v, ours %v", ls, terr, oerr)
		if terr != nil {
			continue
		}
		accepted++
		require.Equal(t, theirs.String(), ours.String(), "selector %v", ls)
		require.Equal(t, theirs.Empty(), ours.Empty(), "selector %v", ls)
		for range 3 {
			set := labelSet(r)
			require.Equal(t, theirs.Matches(labels.Set(set)), ours.Matches(selector.Set(set)), "selector %v labels %v", ls, set)
		}
	}
	t.Logf("%d inputs, %d accepted", count(), accepted)
	require.Greater(t, accepted, count()/10)
}

func nodeSelectorRequirement(r *rand.Rand, field bool) corev1.NodeSelectorRequirement {
	ops := []corev1.NodeSelectorOperator{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Near"}
	req := corev1.NodeSelectorRequirement{Key: pick(r, keys), Operator: pick(r, ops)}
	if field {
		req.Key = pick(r, []string{"metadata.name", "metadata.name", "spec.unschedulable", ""})
		req.Operator = pick(r, []corev1.NodeSelectorOperator{"In", "NotIn", "In", "Exists"})
		for range r.IntN(3) {
			req.Values = append(req.Values, pick(r, []string{"n1", "n2", ""}))
		}
		return req
	}
	for range r.IntN(3) {
		req.Values = append(req.Values, pick(r, values))
	}
	return req
}

func nodeSelector(r *rand.Rand) *corev1.NodeSelector {
	ns := &corev1.NodeSelector{}
	for range r.IntN(4) {
		var term corev1.NodeSelectorTerm
		for range r.IntN(3) {
			term.MatchExpressions = append(term.MatchExpressions, nodeSelectorRequirement(r, false))
		}
		for range r.IntN(2) {
			term.MatchFields = append(term.MatchFields, nodeSelectorRequirement(r, true))
		}
		if r.IntN(10) == 0 {
			term.MatchExpressions = []corev1.NodeSelectorRequirement{} // empty, not nil
		}
		ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, term)
	}
	return ns
}

func toOurReqs(rs []corev1.NodeSelectorRequirement) []selector.NodeSelectorRequirement {
	if rs == nil {
		return nil
	}
	out := make([]selector.NodeSelectorRequirement, len(rs))
	for i, q := range rs {
		out[i] = selector.NodeSelectorRequirement{Key: q.Key, Operator: selector.NodeSelectorOperator(q.Operator), Values: q.Values}
	}
	return out
}

func toOurNodeSelector(ns *corev1.NodeSelector) *selector.NodeSelector {
	out := &selector.NodeSelector{}
	for _, t := range ns.NodeSelectorTerms {
		out.NodeSelectorTerms = append(out.NodeSelectorTerms, selector.NodeSelectorTerm{MatchExpressions: toOurReqs(t.MatchExpressions), MatchFields: toOurReqs(t.MatchFields)})
	}
	return out
}

func TestNodeSelectorMatchesUpstream(t *testing.T) {
	r := newRand(t, 3)
	matched := 0
	for range count() {
		ns := nodeSelector(r)
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: pick(r, []string{"n1", "n2", ""}), Labels: labelSet(r)}}
		theirs, _ := nodeaffinity.NewLazyErrorNodeSelector(ns).Match(node)
		ours := toOurNodeSelector(ns).Matches(node.Name, node.Labels)
		require.Equal(t, theirs, ours, "selector %s node %q labels %v", fmt.Sprint(ns), node.Name, node.Labels)
		if ours {
			matched++
		}
	}
	t.Logf("%d inputs, %d matched", count(), matched)
	require.Greater(t, matched, count()/20)
}
