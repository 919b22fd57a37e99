package cluster

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

var shareT0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func sharePod(name string, edit func(*Pod)) *Pod {
	tr, secs := true, int64(300)
	p := &Pod{
		ObjectMeta: ObjectMeta{Namespace: "default", Name: name, Labels: selector.Set{"app": "agent"},
			Annotations:     map[string]string{"a": "b"},
			OwnerReferences: []OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "u1", Controller: &tr}}},
		Spec: PodSpec{
			Containers:   []Container{{Name: "c", Image: "img", Resources: ResourceRequirements{Requests: ResourceList{{Name: ResourceCPU, Quantity: NewMilliQuantity(100, DecimalSI)}}}}},
			NodeSelector: selector.Set{"os": "linux"},
			Tolerations: []taints.Toleration{{Key: "k", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &secs},
				{Key: "m", Operator: taints.OpExists, Effect: taints.NoSchedule},
				// a daemon pod's: the DefaultTolerationSeconds admission adds nothing
				{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute},
				{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute}},
		},
	}
	if edit != nil {
		edit(p)
	}
	return p
}

// TestCopyPodSharing checks that the store's copy of a created pod equals
// a deep copy, shares exactly the equal parts with the pod created before
// it, and never shares with the caller's object.
func TestCopyPodSharing(t *testing.T) {
	secs := int64(60)
	f := false
	for _, tc := range []struct {
		name  string
		edit  func(*Pod)
		share map[string]bool // part -> shared with the previous pod
	}{
		{"all equal", nil, map[string]bool{"labels": true, "annotations": true, "owners": true, "selector": true, "tolerations": true}},
		{"other labels", func(p *Pod) { p.Labels = selector.Set{"app": "other"} },
			map[string]bool{"annotations": true, "owners": true, "selector": true, "tolerations": true}},
		{"empty annotations are not nil ones", func(p *Pod) { p.Annotations = map[string]string{} },
			map[string]bool{"labels": true, "owners": true, "selector": true, "tolerations": true}},
		{"owner controller flag differs", func(p *Pod) { p.OwnerReferences[0].Controller = &f },
			map[string]bool{"labels": true, "annotations": true, "selector": true, "tolerations": true}},
		{"toleration seconds differ", func(p *Pod) { p.Spec.Tolerations[0].TolerationSeconds = &secs },
			map[string]bool{"labels": true, "annotations": true, "owners": true, "selector": true}},
		{"no node selector", func(p *Pod) { p.Spec.NodeSelector = nil },
			map[string]bool{"labels": true, "annotations": true, "owners": true, "tolerations": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			_, err := s.Apply(shareT0, Create{Object: sharePod("first", nil)})
			require.NoError(t, err)
			prev, _ := s.Pod("default", "first")
			in := sharePod("second", tc.edit)
			want := in.DeepCopy()
			_, err = s.Apply(shareT0, Create{Object: in})
			require.NoError(t, err)
			got, _ := s.Pod("default", "second")
			assert.Equal(t, want.Labels, got.Labels)
			assert.Equal(t, want.Annotations, got.Annotations)
			assert.Equal(t, want.OwnerReferences, got.OwnerReferences)
			assert.Equal(t, want.Spec.NodeSelector, got.Spec.NodeSelector)
			assert.Equal(t, want.Spec.Tolerations, got.Spec.Tolerations)
			assert.Equal(t, want.Spec.Containers, got.Spec.Containers)

			sameMap := func(a, b map[string]string) bool {
				return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
			}
			shared := map[string]bool{}
			if got.Labels != nil && sameMap(got.Labels, prev.Labels) {
				shared["labels"] = true
			}
			if got.Annotations != nil && sameMap(got.Annotations, prev.Annotations) {
				shared["annotations"] = true
			}
			if &got.OwnerReferences[0] == &prev.OwnerReferences[0] {
				shared["owners"] = true
			}
			if got.Spec.NodeSelector != nil && sameMap(got.Spec.NodeSelector, prev.Spec.NodeSelector) {
				shared["selector"] = true
			}
			if &got.Spec.Tolerations[0] == &prev.Spec.Tolerations[0] {
				shared["tolerations"] = true
			}
			assert.Equal(t, tc.share, shared)
			assert.NotSame(t, &in.Spec.Tolerations[0], &got.Spec.Tolerations[0], "the caller's object is never shared")
			assert.NotSame(t, &in.Spec.Containers[0], &got.Spec.Containers[0])
		})
	}
}
