package cluster_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// TestAffinityDeepCopy checks that a copy equals its original and shares
// no slice with it, for the one-allocation shape daemon pods have and for
// the shapes next to it that take the general path.
func TestAffinityDeepCopy(t *testing.T) {
	field := func(vals ...string) selector.NodeSelectorRequirement {
		return selector.NodeSelectorRequirement{Key: selector.ObjectNameField, Operator: selector.NodeSelectorOpIn, Values: vals}
	}
	required := func(terms ...selector.NodeSelectorTerm) *cluster.Affinity {
		return &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: terms}}}
	}
	withPreferred := required(selector.NodeSelectorTerm{MatchFields: []selector.NodeSelectorRequirement{field("n1")}})
	withPreferred.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = []cluster.PreferredSchedulingTerm{{Weight: 5}}
	for _, tc := range []struct {
		name string
		in   *cluster.Affinity
	}{
		{"daemon pod shape", cluster.NewSingleFieldAffinity(selector.ObjectNameField, selector.NodeSelectorOpIn, "n1")},
		{"same shape built by hand", required(selector.NodeSelectorTerm{MatchFields: []selector.NodeSelectorRequirement{field("n1")}})},
		{"two values", required(selector.NodeSelectorTerm{MatchFields: []selector.NodeSelectorRequirement{field("n1", "n2")}})},
		{"two terms", required(selector.NodeSelectorTerm{MatchFields: []selector.NodeSelectorRequirement{field("n1")}},
			selector.NodeSelectorTerm{MatchFields: []selector.NodeSelectorRequirement{field("n2")}})},
		{"with expressions", required(selector.NodeSelectorTerm{
			MatchExpressions: []selector.NodeSelectorRequirement{{Key: "zone", Operator: selector.NodeSelectorOpExists}},
			MatchFields:      []selector.NodeSelectorRequirement{field("n1")}})},
		{"empty expressions are kept apart from none", required(selector.NodeSelectorTerm{
			MatchExpressions: []selector.NodeSelectorRequirement{}, MatchFields: []selector.NodeSelectorRequirement{field("n1")}})},
		{"with preferred", withPreferred},
		{"nothing required", &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.in.DeepCopy()
			assert.Equal(t, tc.in, out)
			assert.NotSame(t, tc.in.NodeAffinity, out.NodeAffinity)
			if req := tc.in.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
				got := out.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
				assert.NotSame(t, &req.NodeSelectorTerms[0], &got.NodeSelectorTerms[0])
				assert.NotSame(t, &req.NodeSelectorTerms[0].MatchFields[0].Values[0], &got.NodeSelectorTerms[0].MatchFields[0].Values[0])
			}
		})
	}
	var none *cluster.Affinity
	assert.Nil(t, none.DeepCopy())
}
