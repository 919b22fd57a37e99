package fleet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
)

// The manifests are what the programs' docs say: three DaemonSets (the
// CNI agent on the host network at system-node-critical, the rolled node
// exporter at maxUnavailable 10%) and two ReplicaSets sized to the nodes.
func TestObjects(t *testing.T) {
	objs, err := Objects(1000)
	require.NoError(t, err)
	dss := map[string]*cluster.DaemonSet{}
	rss := map[string]int32{}
	for _, o := range objs {
		switch o := o.(type) {
		case *cluster.DaemonSet:
			dss[o.Namespace+"/"+o.Name] = o
		case *cluster.ReplicaSet:
			rss[o.Name] = *o.Spec.Replicas
		}
	}
	require.Len(t, dss, 3)
	cni := dss["kube-system/cilium"]
	require.NotNil(t, cni)
	assert.True(t, cni.Spec.Template.Spec.HostNetwork)
	assert.Equal(t, cluster.SystemNodeCritical, cni.Spec.Template.Spec.PriorityClassName)
	ne := dss[RolloutNamespace+"/"+RolloutName]
	require.NotNil(t, ne)
	assert.Equal(t, cluster.FromString("10%"), *ne.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable)
	assert.NotNil(t, dss["logging/fluent-bit"])
	assert.Equal(t, map[string]int32{"web": 1000, "batch": 250}, rss)
}
