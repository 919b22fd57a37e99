package daemonset_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
	"github.com/daemonsim/daemonsim/taints"
)

// dsOption edits a DaemonSet under construction.
type dsOption func(*cluster.DaemonSet)

// newDS returns a DaemonSet "default/<name>" selecting app=<name>, one
// container with 100m cpu and 200Mi memory requests.
func newDS(name string, opts ...dsOption) *cluster.DaemonSet {
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "default"}, Spec: cluster.DaemonSetSpec{
		Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": name}},
		Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": name}},
			Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: name, Image: name + ":1",
				Resources: cluster.ResourceRequirements{Requests: ct.Resources("cpu", "100m", "memory", "200Mi")}}}}},
	}}
	for _, o := range opts {
		o(ds)
	}
	return ds
}

func tolerate(t taints.Toleration) dsOption {
	return func(ds *cluster.DaemonSet) {
		ds.Spec.Template.Spec.Tolerations = append(ds.Spec.Template.Spec.Tolerations, t)
	}
}

func nodeSelector(kv ...string) dsOption {
	return func(ds *cluster.DaemonSet) {
		ds.Spec.Template.Spec.NodeSelector = selector.Set{}
		for i := 0; i+1 < len(kv); i += 2 {
			ds.Spec.Template.Spec.NodeSelector[kv[i]] = kv[i+1]
		}
	}
}

func hostNetwork(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.HostNetwork = true }

func minReady(s int32) dsOption { return func(ds *cluster.DaemonSet) { ds.Spec.MinReadySeconds = s } }

func requests(kv ...string) dsOption {
	return func(ds *cluster.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Resources.Requests = ct.Resources(kv...)
	}
}

// node returns a worker node with room for many pods.
func node(name string, opts ...ct.NodeOption) *cluster.Node {
	return ct.Node(name, append([]ct.NodeOption{ct.CPU("4"), ct.Memory("16Gi"), ct.MaxPods("110")}, opts...)...)
}

// world is a default cluster under test with invariant checks after every
// instant; reporter is its rollout reporter.
type world struct {
	t *testing.T
	*simtest.World
	reporter *daemonset.RolloutReporter
}

func newWorld(t *testing.T, agent sim.NodeAgentConfig) *world {
	t.Helper()
	sw := simtest.NewDefault(t, sim.DefaultConfig{Engine: sim.Config{Seed: 7}, NodeAgent: agent})
	w := &world{t: t, World: sw, reporter: sw.Rollouts}
	sw.AfterInstant = w.checkInvariants
	return w
}

// surge reports whether ds allows a surge pod beside the old one.
func surge(ds *cluster.DaemonSet) bool {
	_, s, err := daemonset.MaxUnavailableAndSurge(ds, 1)
	return err == nil && s > 0
}

// checkInvariants asserts, at a complete instant: at most one daemon pod
// (not being deleted) per node and DaemonSet (plus one old pod with surge), no running daemon
// pod on a node whose NoExecute taint it does not tolerate, and every
// DaemonSet's status equal to a full recount.
func (w *world) checkInvariants() {
	w.t.Helper()
	v := w.View()
	for ds := range v.DaemonSets() {
		if ds.DeletionTimestamp != nil {
			continue
		}
		perNode := map[string][]string{}
		hash := daemonset.CurrentHash(v, ds)
		gen, _ := daemonset.TemplateGeneration(ds)
		for p := range v.PodsControlledBy(ds.UID) {
			if p.IsTerminal() {
				continue
			}
			n, err := daemonset.TargetNodeName(p)
			require.NoError(w.t, err)
			if !p.IsTerminating() && (!surge(ds) || daemonset.IsPodUpdated(p, hash, gen)) {
				perNode[n] = append(perNode[n], p.Name) // with surge, one old pod more
			}
			if nd, ok := v.Node(n); ok && !p.IsTerminating() {
				tols := daemonset.AddDaemonPodTolerations(p.Spec.Tolerations, p.Spec.HostNetwork)
				taint, bad := taints.FindUntolerated(nd.Spec.Taints, tols, taints.NoExecuteFilter)
				require.False(w.t, bad, "t=%s pod %s on %s does not tolerate %s", w.Offset(w.Now()), p.Name, n, taint)
			}
		}
		for n, pods := range perNode {
			require.LessOrEqual(w.t, len(pods), 1, "t=%s %s has %d pods on %s: %v", w.Offset(w.Now()), ds.Name, len(pods), n, pods)
		}
		want := daemonset.ComputeStatus(v, ds, w.Now())
		got := ds.Status
		if ds.Spec.MinReadySeconds > 0 { // availability is observed on wake-ups, as upstream
			want.NumberAvailable, want.NumberUnavailable = got.NumberAvailable, got.NumberUnavailable
		}
		require.Equal(w.t, want, got, "t=%s status of %s", w.Offset(w.Now()), ds.Name)
	}
}

// pods returns "node:phase[:ready]" for every pod of the DaemonSet, by node.
func (w *world) pods(name string) []string {
	ds, ok := w.View().DaemonSet("default", name)
	if !ok {
		return nil
	}
	var out []string
	for p := range w.View().PodsControlledBy(ds.UID) {
		n, _ := daemonset.TargetNodeName(p)
		s := n + ":" + string(p.Status.Phase)
		if p.IsReady() {
			s += ":ready"
		}
		if p.IsTerminating() {
			s += ":terminating"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func (w *world) status(name string) cluster.DaemonSetStatus {
	ds, ok := w.View().DaemonSet("default", name)
	require.True(w.t, ok)
	return ds.Status
}

// onlyPod returns the key of the one pod in the store.
func (w *world) onlyPod() cluster.Key {
	w.t.Helper()
	require.Equal(w.t, 1, w.View().PodCount())
	for p := range w.View().Pods() {
		return cluster.KeyOf(p)
	}
	panic("unreachable")
}
