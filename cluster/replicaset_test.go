package cluster_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
)

func int32Ptr(v int32) *int32 { return &v }

const msgNoMatch = "`selector` does not match template `labels`"

// TestReplicaSetValidation is upstream's ValidateReplicaSet on create
// (after defaulting), case by case, with upstream's paths and messages.
func TestReplicaSetValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*cluster.ReplicaSet)
		want []string
	}{
		{"valid", nil, nil},
		{"replicas unset defaults to 1", func(r *cluster.ReplicaSet) { r.Spec.Replicas = nil }, nil},
		{"zero replicas", func(r *cluster.ReplicaSet) { r.Spec.Replicas = int32Ptr(0) }, nil},
		{"negative replicas", func(r *cluster.ReplicaSet) { r.Spec.Replicas = int32Ptr(-1) },
			[]string{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
		{"negative minReadySeconds", func(r *cluster.ReplicaSet) { r.Spec.MinReadySeconds = -5 },
			[]string{"spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"}},
		{"no selector: required, and it matches nothing", func(r *cluster.ReplicaSet) { r.Spec.Selector = nil },
			[]string{"spec.selector: Required value", `spec.template.metadata.labels: Invalid value: {"app":"web"}: ` + msgNoMatch}},
		{"empty selector", func(r *cluster.ReplicaSet) { r.Spec.Selector = &selector.LabelSelector{} },
			[]string{"spec.selector: Invalid value: {}: empty selector is invalid for deployment"}},
		{"selector does not match the template", func(r *cluster.ReplicaSet) { r.Spec.Template.Labels = selector.Set{"app": "other"} },
			[]string{`spec.template.metadata.labels: Invalid value: {"app":"other"}: ` + msgNoMatch}},
		{"selector that does not convert: the template is not checked", func(r *cluster.ReplicaSet) {
			r.Spec.Selector.MatchExpressions = []selector.LabelSelectorRequirement{{Key: "tier", Operator: "Gt", Values: []string{"1"}}}
			r.Spec.Template.Spec.Containers = nil
		}, []string{
			`spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator`,
			`spec.selector: Invalid value: {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"Gt","values":["1"]}]}: invalid label selector`,
		}},
		{"restart policy other than Always", func(r *cluster.ReplicaSet) { r.Spec.Template.Spec.RestartPolicy = cluster.RestartPolicyNever },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`}},
		{"activeDeadlineSeconds", func(r *cluster.ReplicaSet) { r.Spec.Template.Spec.ActiveDeadlineSeconds = new(int64(30)) },
			[]string{"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"}},
		{"the template is a pod template", func(r *cluster.ReplicaSet) { r.Spec.Template.Spec.Containers = nil },
			[]string{"spec.template.spec.containers: Required value"}},
		{"template labels are checked", func(r *cluster.ReplicaSet) { r.Spec.Template.Labels["-bad"] = "x" },
			[]string{`spec.template.labels: Invalid value: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}},
		{"name", func(r *cluster.ReplicaSet) { r.Name = "Web" },
			[]string{`metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := ct.ReplicaSet("default/web", 3)
			if tc.edit != nil {
				tc.edit(rs)
			}
			cluster.Default(rs)
			assert.Equal(t, tc.want, errorStrings(cluster.Validate(rs)))
			_, err := cluster.NewStore().Apply(t0, cluster.Create{Object: rs})
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, cluster.ErrInvalid)
			}
		})
	}
}

// TestReplicaSetDefaults: replicas 1, and the template's pod spec
// defaults (a template, so requests are not copied from limits).
func TestReplicaSetDefaults(t *testing.T) {
	rs := ct.ReplicaSet("web", 0)
	rs.Spec.Replicas = nil
	rs.Namespace = ""
	rs.Spec.Template.Spec.Containers[0].Resources.Limits = cluster.Resources("cpu", "1")
	d := mustApply(t, cluster.NewStore(), cluster.Create{Object: rs})
	got := d.New.(*cluster.ReplicaSet)
	assert.Equal(t, cluster.Key{Kind: cluster.KindReplicaSet, Namespace: "default", Name: "web"}, d.Key)
	assert.Equal(t, int32(1), *got.Spec.Replicas)
	assert.Equal(t, int32(1), got.ReplicasValue())
	spec := got.Spec.Template.Spec
	assert.Equal(t, cluster.RestartPolicyAlways, spec.RestartPolicy)
	assert.Equal(t, cluster.DefaultSchedulerName, spec.SchedulerName)
	assert.Equal(t, cluster.DefaultTerminationGracePeriodSeconds, *spec.TerminationGracePeriodSeconds)
	assert.Empty(t, spec.Containers[0].Resources.Requests, "a template's requests are not defaulted from limits")
	assert.Equal(t, int64(1), got.Generation)
	assert.Nil(t, rs.Spec.Replicas, "the caller's object is copied")
}

// TestReplicaSetUpdate is ValidateReplicaSetUpdate and the strategy's
// PrepareForUpdate: the selector is immutable, the create rules hold, a
// spec change bumps the generation, the status is kept.
func TestReplicaSetUpdate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*cluster.ReplicaSet)
		want    []string
		wantGen int64
	}{
		{"scale", func(r *cluster.ReplicaSet) { r.Spec.Replicas = int32Ptr(5) }, nil, 2},
		{"new image", func(r *cluster.ReplicaSet) { r.Spec.Template.Spec.Containers[0].Image = "v2" }, nil, 2},
		{"labels only", func(r *cluster.ReplicaSet) { r.Labels = selector.Set{"x": "y"} }, nil, 1},
		{"status is the status subresource's", func(r *cluster.ReplicaSet) { r.Status.Replicas = 9 }, nil, 1},
		{"selector is immutable", func(r *cluster.ReplicaSet) {
			r.Spec.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": "web", "tier": "a"}}
			r.Spec.Template.Labels["tier"] = "a"
		}, []string{`spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"a"}}: field is immutable`}, 0},
		{"create rules", func(r *cluster.ReplicaSet) { r.Spec.Replicas = int32Ptr(-2) },
			[]string{"spec.replicas: Invalid value: -2: must be greater than or equal to 0"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cluster.NewStore()
			rs := ct.ReplicaSet("default/web", 3)
			rs.Status = cluster.ReplicaSetStatus{Replicas: 3, ReadyReplicas: 2, ObservedGeneration: 1}
			created := mustApply(t, s, cluster.Create{Object: rs}).New.(*cluster.ReplicaSet)
			up := created.DeepCopy()
			tc.edit(up)
			d, err := s.Apply(t0, cluster.Update{Object: up})
			if tc.want != nil {
				require.ErrorIs(t, err, cluster.ErrInvalid)
				var got []string
				for _, e := range fieldErrorsOf(err) {
					got = append(got, e.Error())
				}
				assert.Equal(t, tc.want, got)
				return
			}
			require.NoError(t, err)
			got := d.New.(*cluster.ReplicaSet)
			assert.Equal(t, tc.wantGen, got.Generation)
			assert.Equal(t, created.Status, got.Status)
		})
	}
}

func fieldErrorsOf(err error) []*field.Error {
	switch e := err.(type) {
	case *field.Error:
		return []*field.Error{e}
	case interface{ Unwrap() []error }:
		var out []*field.Error
		for _, c := range e.Unwrap() {
			out = append(out, fieldErrorsOf(c)...)
		}
		return out
	case interface{ Unwrap() error }:
		return fieldErrorsOf(e.Unwrap())
	}
	return nil
}

// TestReplicaSetStatusUpdate is ValidateReplicaSetStatusUpdate through
// the status subresource: the status is taken, metadata and spec kept.
func TestReplicaSetStatusUpdate(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   cluster.ReplicaSetStatus
		want []string
	}{
		{"valid", cluster.ReplicaSetStatus{Replicas: 3, FullyLabeledReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 1, ObservedGeneration: 1, TerminatingReplicas: int32Ptr(1)}, nil},
		{"negative counters", cluster.ReplicaSetStatus{Replicas: -1, FullyLabeledReplicas: -1, ReadyReplicas: -1, AvailableReplicas: -1, ObservedGeneration: -1, TerminatingReplicas: int32Ptr(-1)}, []string{
			"status.replicas: Invalid value: -1: must be greater than or equal to 0",
			"status.fullyLabeledReplicas: Invalid value: -1: must be greater than or equal to 0",
			"status.readyReplicas: Invalid value: -1: must be greater than or equal to 0",
			"status.availableReplicas: Invalid value: -1: must be greater than or equal to 0",
			"status.observedGeneration: Invalid value: -1: must be greater than or equal to 0",
			"status.terminatingReplicas: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"more than replicas", cluster.ReplicaSetStatus{Replicas: 1, FullyLabeledReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2}, []string{
			"status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas",
			"status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
			"status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas",
		}},
		{"more available than ready", cluster.ReplicaSetStatus{Replicas: 3, ReadyReplicas: 1, AvailableReplicas: 2},
			[]string{"status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, handoff := range []bool{false, true} {
				s := cluster.NewStore()
				created := mustApply(t, s, cluster.Create{Object: ct.ReplicaSet("default/web", 3)}).New.(*cluster.ReplicaSet)
				in := created.DeepCopy()
				in.Status = tc.st
				in.Spec.Replicas = int32Ptr(7) // ignored: the status subresource keeps the spec
				d, err := s.Apply(t0, cluster.UpdateStatus{Object: in, Handoff: handoff})
				if tc.want != nil {
					require.ErrorIs(t, err, cluster.ErrInvalid)
					var got []string
					for _, e := range fieldErrorsOf(err) {
						got = append(got, e.Error())
					}
					assert.Equal(t, tc.want, got)
					continue
				}
				require.NoError(t, err)
				got := d.New.(*cluster.ReplicaSet)
				assert.Equal(t, tc.st, got.Status)
				assert.Equal(t, int32(3), *got.Spec.Replicas)
				assert.Equal(t, int64(1), got.Generation)
			}
		})
	}
}

// TestReplicaSetView: the View accessors, ordered by name within a
// namespace; the JSON field names are Kubernetes'; DeepCopy shares
// nothing.
func TestReplicaSetView(t *testing.T) {
	s := cluster.NewStore()
	for _, n := range []string{"b/web", "a/z", "a/api", "c/x"} {
		mustApply(t, s, cluster.Create{Object: ct.ReplicaSet(n, 1)})
	}
	var view cluster.View = s
	assert.Equal(t, []string{"a/api", "a/z"}, names(view.ReplicaSets("a")))
	assert.Empty(t, names(view.ReplicaSets("none")))
	rs, ok := view.ReplicaSet("b", "web")
	require.True(t, ok)
	_, ok = view.ReplicaSet("a", "web")
	assert.False(t, ok)
	snap := s.Snapshot()
	mustApply(t, s, cluster.Create{Object: ct.ReplicaSet("a/b", 1)})
	assert.Equal(t, []string{"a/api", "a/z"}, names(snap.ReplicaSets("a")))
	assert.Equal(t, []string{"a/api", "a/b", "a/z"}, names(s.ReplicaSets("a")))

	// replicasets come last in Objects, after pods
	mustApply(t, s, cluster.Create{Object: ct.Pod("a/p")})
	var kinds []cluster.Kind
	for o := range s.Objects() {
		if k := o.ObjectKind(); len(kinds) == 0 || kinds[len(kinds)-1] != k {
			kinds = append(kinds, k)
		}
	}
	assert.Equal(t, []cluster.Kind{cluster.KindPod, cluster.KindReplicaSet}, kinds)

	cp := rs.DeepCopy()
	assert.Equal(t, rs, cp)
	cp.Spec.Template.Labels["app"] = "changed"
	*cp.Spec.Replicas = 10
	cp.Spec.Selector.MatchLabels["app"] = "changed"
	assert.Equal(t, "web", rs.Spec.Template.Labels["app"])
	assert.Equal(t, int32(1), *rs.Spec.Replicas)
	assert.Equal(t, "web", rs.Spec.Selector.MatchLabels["app"])
	var none *cluster.ReplicaSet
	assert.Nil(t, none.DeepCopy())

	in := &cluster.ReplicaSet{Status: cluster.ReplicaSetStatus{Replicas: 2, FullyLabeledReplicas: 2, ReadyReplicas: 1, AvailableReplicas: 1,
		TerminatingReplicas: int32Ptr(0), ObservedGeneration: 4,
		Conditions: []cluster.ReplicaSetCondition{{Type: cluster.ReplicaSetReplicaFailure, Status: cluster.ConditionTrue, Reason: "FailedCreate"}}}}
	in.Spec.Replicas = int32Ptr(2)
	in.Spec.MinReadySeconds = 5
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"metadata":{},"spec":{"replicas":2,"minReadySeconds":5,"selector":null,"template":{"metadata":{},"spec":{"containers":null}}},
		"status":{"replicas":2,"fullyLabeledReplicas":2,"readyReplicas":1,"availableReplicas":1,"terminatingReplicas":0,"observedGeneration":4,
		"conditions":[{"type":"ReplicaFailure","status":"True","reason":"FailedCreate"}]}}`, string(b))
	back, err := cluster.DecodeObject(cluster.KindReplicaSet, b)
	require.NoError(t, err)
	assert.Equal(t, in, back)
	assert.True(t, slices.Contains([]string{"replicaset"}, cluster.KindReplicaSet.String()))
}
