package cluster_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
)

func TestPriorityAdmission(t *testing.T) {
	never := func() *cluster.PriorityClass {
		c := ct.PriorityClass("batch", 10)
		p := cluster.PreemptNever
		c.PreemptionPolicy = &p
		return c
	}
	defaultClass := func(name string, v int32) *cluster.PriorityClass {
		c := ct.PriorityClass(name, v)
		c.GlobalDefault = true
		return c
	}
	tests := []struct {
		name       string
		classes    []*cluster.PriorityClass
		pod        *cluster.Pod
		wantErr    string
		wantPrio   int32
		wantClass  string
		wantPolicy cluster.PreemptionPolicy
	}{
		{name: "no class, no default: priority 0", pod: ct.Pod("p"), wantPrio: 0},
		{name: "named class", classes: []*cluster.PriorityClass{ct.PriorityClass("high", 1000)},
			pod: ct.Pod("p", ct.PriorityClassName("high")), wantPrio: 1000, wantClass: "high", wantPolicy: cluster.PreemptLowerPriority},
		{name: "class preemption policy copied", classes: []*cluster.PriorityClass{never()},
			pod: ct.Pod("p", ct.PriorityClassName("batch")), wantPrio: 10, wantClass: "batch", wantPolicy: cluster.PreemptNever},
		{name: "built-in node critical", pod: ct.Pod("kube-system/agent", ct.PriorityClassName(cluster.SystemNodeCritical)),
			wantPrio: 2000001000, wantClass: "system-node-critical", wantPolicy: cluster.PreemptLowerPriority},
		{name: "built-in cluster critical", pod: ct.Pod("kube-system/dns", ct.PriorityClassName(cluster.SystemClusterCritical)),
			wantPrio: 2000000000, wantClass: "system-cluster-critical", wantPolicy: cluster.PreemptLowerPriority},
		{name: "global default applies", classes: []*cluster.PriorityClass{defaultClass("normal", 50)},
			pod: ct.Pod("p"), wantPrio: 50, wantClass: "normal", wantPolicy: cluster.PreemptLowerPriority},
		{name: "unknown class", pod: ct.Pod("p", ct.PriorityClassName("nope")),
			wantErr: `create pod/default/p: pods "p" is forbidden: no PriorityClass with name nope was found: forbidden`},
		{name: "priority disagreeing with class", classes: []*cluster.PriorityClass{ct.PriorityClass("high", 1000)},
			pod:     ct.Pod("p", ct.PriorityClassName("high"), ct.Priority(5)),
			wantErr: "the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000"},
		{name: "priority without class", pod: ct.Pod("p", ct.Priority(5)),
			wantErr: "computed 0 from the given PriorityClass name"},
		{name: "matching priority accepted", classes: []*cluster.PriorityClass{ct.PriorityClass("high", 1000)},
			pod: ct.Pod("p", ct.PriorityClassName("high"), ct.Priority(1000)), wantPrio: 1000, wantClass: "high", wantPolicy: cluster.PreemptLowerPriority},
		{name: "policy disagreeing with class", classes: []*cluster.PriorityClass{ct.PriorityClass("high", 1000)},
			pod:     ct.Pod("p", ct.PriorityClassName("high"), ct.PreemptNever()),
			wantErr: "the string value of PreemptionPolicy (Never) must not be provided in pod spec"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := cluster.NewStore()
			for _, c := range tc.classes {
				mustApply(t, s, cluster.Create{Object: c})
			}
			rev := s.Revision()
			_, err := s.Apply(t0, cluster.Create{Object: tc.pod})
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, cluster.ErrForbidden)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Equal(t, rev, s.Revision(), "nothing applied")
				return
			}
			require.NoError(t, err)
			p, ok := s.Pod(tc.pod.Namespace, tc.pod.Name)
			require.True(t, ok)
			require.NotNil(t, p.Spec.Priority)
			assert.Equal(t, tc.wantPrio, *p.Spec.Priority)
			assert.Equal(t, tc.wantClass, p.Spec.PriorityClassName)
			if tc.wantPolicy == "" {
				assert.Nil(t, p.Spec.PreemptionPolicy)
			} else {
				require.NotNil(t, p.Spec.PreemptionPolicy)
				assert.Equal(t, tc.wantPolicy, *p.Spec.PreemptionPolicy)
			}
		})
	}
}

func TestPriorityClassRules(t *testing.T) {
	s := cluster.NewStore()
	def := ct.PriorityClass("a", 1)
	def.GlobalDefault = true
	mustApply(t, s, cluster.Create{Object: def})

	second := ct.PriorityClass("b", 2)
	second.GlobalDefault = true
	_, err := s.Apply(t0, cluster.Create{Object: second})
	assert.ErrorIs(t, err, cluster.ErrForbidden)
	assert.Contains(t, err.Error(), "PriorityClass a is already marked as default. Only one default can exist")

	_, err = s.Apply(t0, cluster.Create{Object: ct.PriorityClass("system-mine", 5)})
	assert.ErrorIs(t, err, cluster.ErrInvalid)
	assert.Contains(t, err.Error(), "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only")

	_, err = s.Apply(t0, cluster.Create{Object: ct.PriorityClass("huge", 1000000001)})
	assert.Contains(t, err.Error(), "value: Forbidden: maximum allowed value of a user defined priority is 1000000000")

	// The built-in name may be created with its own value only.
	_, err = s.Apply(t0, cluster.Create{Object: ct.PriorityClass(cluster.SystemNodeCritical, 7)})
	assert.ErrorIs(t, err, cluster.ErrInvalid)
	mustApply(t, s, cluster.Create{Object: ct.PriorityClass(cluster.SystemNodeCritical, cluster.SystemNodeCriticalPriority)})

	changed := ct.PriorityClass("a", 99)
	changed.GlobalDefault = true
	_, err = s.Apply(t0, cluster.Update{Object: changed})
	assert.ErrorIs(t, err, cluster.ErrInvalid)
	assert.Contains(t, err.Error(), "value: Forbidden: may not be changed in an update.")

	b := cluster.BuiltinPriorityClasses()
	require.Len(t, b, 2)
	assert.Equal(t, "system-cluster-critical", b[0].Name)
	assert.Equal(t, int32(2000000000), b[0].Value)
	assert.Equal(t, "system-node-critical", b[1].Name)
	assert.Equal(t, int32(2000001000), b[1].Value)
}

// TestDefaultPriorityClassFollowsWrites checks that the global default a
// created pod gets follows every PriorityClass write, though the store
// keeps the answer between writes.
func TestDefaultPriorityClassFollowsWrites(t *testing.T) {
	s := cluster.NewStore()
	priority := func(name string) int32 {
		t.Helper()
		d := mustApply(t, s, cluster.Create{Object: ct.Pod("default/" + name)})
		return *d.New.(*cluster.Pod).Spec.Priority
	}
	assert.Equal(t, int32(0), priority("before"), "no default class: priority 0")

	def := ct.PriorityClass("low", 7)
	def.GlobalDefault = true
	mustApply(t, s, cluster.Create{Object: def})
	assert.Equal(t, int32(7), priority("with-default"))

	snap := s.Snapshot()
	zero := int64(0)
	mustApply(t, s, cluster.Delete{Key: cluster.KeyOf(def), GracePeriodSeconds: &zero})
	assert.Equal(t, int32(0), priority("after-delete"))

	p := ct.Pod("default/checked")
	require.NoError(t, cluster.CheckPodAdmission(snap, p), "the snapshot still has the class")
	assert.Nil(t, p.Spec.Priority, "CheckPodAdmission changes nothing")
}
