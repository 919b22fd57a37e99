package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/taints"
)

func TestAdmitDefaultTolerationSeconds(t *testing.T) {
	s300 := int64(300)
	s10 := int64(10)
	defNotReady := taints.Toleration{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &s300}
	defUnreachable := taints.Toleration{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &s300}
	own := taints.Toleration{Key: taints.KeyNodeNotReady, Operator: taints.OpEqual, Value: "x", Effect: taints.NoExecute, TolerationSeconds: &s10}
	tests := []struct {
		name string
		in   []taints.Toleration
		want []taints.Toleration
	}{
		{"none: both added", nil, []taints.Toleration{defNotReady, defUnreachable}},
		{"own not-ready kept, operator and value not checked", []taints.Toleration{own}, []taints.Toleration{own, defUnreachable}},
		{"empty key and effect tolerate both", []taints.Toleration{{Operator: taints.OpExists}}, []taints.Toleration{{Operator: taints.OpExists}}},
		{"empty key NoSchedule tolerates neither", []taints.Toleration{{Operator: taints.OpExists, Effect: taints.NoSchedule}},
			[]taints.Toleration{{Operator: taints.OpExists, Effect: taints.NoSchedule}, defNotReady, defUnreachable}},
		{"unreachable with empty effect", []taints.Toleration{{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists}},
			[]taints.Toleration{{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists}, defNotReady}},
		{"daemon pod tolerations: nothing added", []taints.Toleration{
			{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute},
			{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute}}, []taints.Toleration{
			{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute},
			{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Pod{}
			p.Spec.Tolerations = tt.in
			admitDefaultTolerationSeconds(p)
			assert.Equal(t, tt.want, p.Spec.Tolerations)
		})
	}
}

// TestAdmitDefaultTolerationSecondsDoesNotAlias: appending never writes into
// a shared backing array (created pods share tolerations).
func TestAdmitDefaultTolerationSecondsDoesNotAlias(t *testing.T) {
	backing := make([]taints.Toleration, 1, 4)
	backing[0] = taints.Toleration{Key: "a", Operator: taints.OpExists}
	p := &Pod{}
	p.Spec.Tolerations = backing
	admitDefaultTolerationSeconds(p)
	assert.Len(t, p.Spec.Tolerations, 3)
	assert.Equal(t, taints.Toleration{}, backing[:2][1], "the caller's array is untouched")
}

// TestStoreAdmitsDefaultTolerationSeconds: the plugin runs on every pod
// create and update through the store; pods without tolerations share one
// slice; a daemon pod's own tolerations stay as they are.
func TestStoreAdmitsDefaultTolerationSeconds(t *testing.T) {
	s := NewStore()
	for _, name := range []string{"a", "b"} {
		_, err := s.Apply(time.Time{}, Create{Object: &Pod{ObjectMeta: ObjectMeta{Namespace: "default", Name: name},
			Spec: PodSpec{Containers: []Container{{Name: "c", Image: "i"}}}}})
		require.NoError(t, err)
	}
	a, _ := s.Pod("default", "a")
	b, _ := s.Pod("default", "b")
	require.Len(t, a.Spec.Tolerations, 2)
	assert.Equal(t, taints.KeyNodeNotReady, a.Spec.Tolerations[0].Key)
	assert.Equal(t, int64(300), *a.Spec.Tolerations[0].TolerationSeconds)
	assert.Equal(t, taints.KeyNodeUnreachable, a.Spec.Tolerations[1].Key)
	assert.Same(t, &a.Spec.Tolerations[0], &b.Spec.Tolerations[0], "one shared slice")

	daemon := []taints.Toleration{
		{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute},
		{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute}}
	_, err := s.Apply(time.Time{}, Create{Object: &Pod{ObjectMeta: ObjectMeta{Namespace: "default", Name: "d"},
		Spec: PodSpec{Containers: []Container{{Name: "c", Image: "i"}}, Tolerations: daemon}}})
	require.NoError(t, err)
	d, _ := s.Pod("default", "d")
	assert.Equal(t, daemon, d.Spec.Tolerations)
}
