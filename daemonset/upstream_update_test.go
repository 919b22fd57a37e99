package daemonset_test

// Upstream's rolling-update unit scenarios, ported (see upstream_test.go
// for how upstream's fakes map onto the stepper): every test is named
// TestUpstream_<UpstreamName> after a test of k8s.io/kubernetes@v1.37.1
// pkg/controller/daemon/update_test.go.

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/taints"
)

// upUpdate is the start of most of update_test.go: DaemonSet foo (OnDelete)
// on n nodes after its first sync, which creates a pod on each.
func upUpdate(t *testing.T, n int, opts ...dsOption) *up {
	u := newUp(t, "foo")
	u.addNodes(0, n, nil)
	u.create(upDS("foo", opts...))
	u.expectSync(n, 0, 0)
	return u
}

// roll sets a new image and the strategy, as upstream's tests update the
// DaemonSet in the cache.
func (u *up) roll(image string, strategy dsOption) {
	u.updateDS(func(ds *cluster.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = image
		strategy(ds)
	})
}

// readyPods counts the DaemonSet's pods with Ready=True.
func (u *up) readyPods() map[string]bool {
	out := map[string]bool{}
	for _, p := range u.pods() {
		if p.IsReady() {
			out[p.Name] = true
		}
	}
	return out
}

// setPodReadiness is upstream's setPodReadiness: count pods (in name
// order here, in the cache's order upstream) not being deleted, whose
// readiness differs from ready and for which fn holds, get Ready=ready now.
func (u *up) setPodReadiness(ready bool, count int, fn func(*cluster.Pod) bool) {
	u.t.Helper()
	for _, p := range u.pods() {
		if count <= 0 {
			break
		}
		if p.IsTerminating() || p.IsReady() == ready || !fn(p) {
			continue
		}
		u.setReady(p.Name, ready, u.now)
		count--
	}
	require.Zero(u.t, count, "could not mark pods ready=%t", ready)
}

// at moves the clock to t0+sec, delivering the wake-ups due (upstream sets
// its fake clock and syncs everything).
func (u *up) at(sec int) { u.advance(t0.Add(time.Duration(sec) * time.Second).Sub(u.now)) }

func upSurge(v cluster.IntOrString) dsOption { return maxSurge(v) }

// TestUpstream_TestDaemonSetUpdatesPods: update_test.go TestDaemonSetUpdatesPods.
func TestUpstream_TestDaemonSetUpdatesPods(t *testing.T) {
	u := upUpdate(t, 5)
	u.markPodsReady()
	u.roll("foo2/bar2", maxUnavailable(cluster.FromInt(2)))
	u.expectSync(0, 2, 0)
	u.expectSync(2, 0, 0)
	u.markPodsReady()
	u.expectSync(0, 2, 0)
	u.expectSync(2, 0, 0)
	u.markPodsReady()
	u.expectSync(0, 1, 0)
	u.expectSync(1, 0, 0)
	u.markPodsReady()
	u.expectSync(0, 0, 0)
}

// TestUpstream_TestDaemonSetUpdatesPodsWithMaxSurge: update_test.go
// TestDaemonSetUpdatesPodsWithMaxSurge.
func TestUpstream_TestDaemonSetUpdatesPodsWithMaxSurge(t *testing.T) {
	u := upUpdate(t, 5)
	u.markPodsReady()
	const surge = 2
	u.roll("foo2/bar2", upSurge(cluster.FromInt(surge)))
	u.expectSync(surge, 0, 0)
	u.expectSync(0, 0, 0)
	u.markPodsReady()
	u.expectSync(surge, surge, 0)
	u.expectSync(0, 0, 0)
	u.markPodsReady()
	u.expectSync(5%surge, surge, 0)
	u.expectSync(0, 0, 0)
	u.markPodsReady()
	u.expectSync(0, 5%surge, 0)
	u.expectSync(0, 0, 0)
}

// TestUpstream_TestDaemonSetUpdatesPodsNotMatchTainstWithMaxSurge:
// update_test.go TestDaemonSetUpdatesPodsNotMatchTainstWithMaxSurge: node-0
// carries a control-plane taint the new template no longer tolerates.
func TestUpstream_TestDaemonSetUpdatesPodsNotMatchTainstWithMaxSurge(t *testing.T) {
	u := newUp(t, "foo")
	tol := taints.Toleration{Key: "node-role.kubernetes.io/control-plane", Operator: taints.OpExists}
	u.create(upDS("foo", upSurge(cluster.FromInt(1)), upTolerations(tol)))
	u.create(upNode("node-0", nil, ct.Taint("node-role.kubernetes.io/control-plane:NoSchedule")))
	u.addNodes(1, 4, nil)
	u.expectSync(5, 0, 0)
	u.markPodsReady()
	u.updateDS(func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.Tolerations = nil })
	u.expectSync(1, 1, 0)
	u.expectSync(0, 0, 0)
	for range 3 {
		u.markPodsReady()
		u.expectSync(1, 1, 0)
		u.expectSync(0, 0, 0)
	}
	u.markPodsReady()
	u.expectSync(0, 1, 0)
	u.expectSync(0, 0, 0)
}

// TestUpstream_TestDaemonSetUpdatesWhenNewPodIsNotReady: update_test.go
// TestDaemonSetUpdatesWhenNewPodIsNotReady.
func TestUpstream_TestDaemonSetUpdatesWhenNewPodIsNotReady(t *testing.T) {
	u := upUpdate(t, 5)
	u.markPodsReady()
	u.roll("foo2/bar2", maxUnavailable(cluster.FromInt(3)))
	u.expectSync(0, 3, 0)
	u.expectSync(3, 0, 0)
	u.expectSync(0, 0, 0) // the new pods are not ready: numUnavailable == maxUnavailable
}

// TestUpstream_TestDaemonSetUpdatesSomeOldPodsNotReady: update_test.go
// TestDaemonSetUpdatesSomeOldPodsNotReady.
func TestUpstream_TestDaemonSetUpdatesSomeOldPodsNotReady(t *testing.T) {
	u := upUpdate(t, 5)
	u.markPodsReady()
	strategy := maxUnavailable(cluster.FromInt(2))
	u.roll("foo2/bar2", strategy)
	u.expectSync(0, 2, 0)
	u.expectSync(2, 0, 0)
	u.expectSync(0, 0, 0)
	// another update: the 2 unready pods are replaced, the 3 available ones stay
	u.roll("foo2/bar3", strategy)
	u.expectSync(0, 2, 0)
	u.expectSync(2, 0, 0)
	u.expectSync(0, 0, 0)
	assert.Len(t, u.readyPods(), 5-2)
}

// TestUpstream_TestDaemonSetUpdatesSaveOldHealthyPods: update_test.go
// TestDaemonSetUpdatesSaveOldHealthyPods. Upstream draws maxUnavailable
// with rand.Intn(10); the store refuses maxUnavailable 0 with maxSurge 0
// (upstream's validation does too, and updatedDesiredNodeCounts would make
// it 1), so the port draws 1..9 from a seeded PCG.
func TestUpstream_TestDaemonSetUpdatesSaveOldHealthyPods(t *testing.T) {
	u := upUpdate(t, 20)
	u.markPodsReady()
	u.roll("foo2/bar2", maxUnavailable(cluster.FromInt(10)))
	u.expectSync(0, 10, 0)
	u.expectSync(10, 0, 0)
	u.expectSync(0, 0, 0)
	oldReady := u.readyPods()
	require.Len(t, oldReady, 10)
	seed := uint64(19)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 10 {
		mu := 1 + rng.IntN(9)
		t.Logf("%d iteration, maxUnavailable=%d", i+1, mu)
		u.roll(fmt.Sprintf("foo2/bar3-%d", i), maxUnavailable(cluster.FromInt(int32(mu))))
		// only the 10 unavailable pods may be updated
		u.expectSync(0, 10, 0)
		u.expectSync(10, 0, 0)
		u.expectSync(0, 0, 0)
		ready := u.readyPods()
		for name := range oldReady {
			assert.True(t, ready[name], "iteration %d: ready pod %s touched", i, name)
		}
	}
	u.roll("foo2/bar4", maxUnavailable(cluster.FromInt(11)))
	u.expectSync(0, 11, 0)
	u.expectSync(11, 0, 0)
	u.expectSync(0, 0, 0)
	assert.Len(t, u.readyPods(), 9)
}

// TestUpstream_TestDaemonSetUpdatesAllOldNotReadyPodsAndNewNotReadyPods:
// update_test.go TestDaemonSetUpdatesAllOldNotReadyPodsAndNewNotReadyPods.
// Upstream picks "the first 12" and "the latter 90" pods in the cache's
// (random) order; the port takes name order.
func TestUpstream_TestDaemonSetUpdatesAllOldNotReadyPodsAndNewNotReadyPods(t *testing.T) {
	u := upUpdate(t, 100)
	u.markPodsReady()
	first := u.pods()[0]
	hash1, gen1 := first.Labels[daemonset.ControllerRevisionHashLabel], first.Labels[daemonset.TemplateGenerationLabel]
	u.roll("foo2/bar2", maxUnavailable(cluster.FromInt(10)))
	for range 10 {
		u.expectSync(0, 10, 0)
		u.expectSync(10, 0, 0)
		u.markPodsReady()
	}
	u.expectSync(0, 0, 0)
	// maxUnavailable 10; 88 unavailable new pods, 2 unavailable old pods, 10 available old pods
	oldUnavailable := map[string]bool{}
	for i, p := range u.pods() {
		if i < 12 {
			cp := p.DeepCopy()
			cp.Labels[daemonset.ControllerRevisionHashLabel] = hash1
			// upstream's test DaemonSet has no template generation
			// annotation, so its pods carry no pod-template-generation
			// label and the hash alone makes them old; the store sets the
			// annotation as the API server does, so the label is set back
			// too
			if gen1 != "" {
				cp.Labels[daemonset.TemplateGenerationLabel] = gen1
			}
			u.apply(cluster.Update{Object: cp})
			if i >= 10 {
				oldUnavailable[p.Name] = true
			}
		}
		if i >= 10 {
			u.setReady(p.Name, false, u.now)
		}
	}
	u.expectSync(0, 2, 0)
	u.expectSync(2, 0, 0)
	u.expectSync(0, 0, 0)
	for _, p := range u.pods() {
		assert.False(t, oldUnavailable[p.Name], "old unavailable pod %s not replaced", p.Name)
	}
}

// TestUpstream_TestDaemonSetUpdatesAllOldPodsNotReady: update_test.go
// TestDaemonSetUpdatesAllOldPodsNotReady.
func TestUpstream_TestDaemonSetUpdatesAllOldPodsNotReady(t *testing.T) {
	u := upUpdate(t, 5)
	u.roll("foo2/bar2", maxUnavailable(cluster.FromInt(3)))
	u.expectSync(0, 5, 0) // all old pods are unavailable: all go
	u.expectSync(5, 0, 0)
	u.expectSync(0, 0, 0)
}

// TestUpstream_TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge: update_test.go
// TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge, on the same clock
// (seconds after t0).
func TestUpstream_TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge(t *testing.T) {
	u := upUpdate(t, 5)
	u.roll("foo2/bar2", upSurge(cluster.FromInt(3)))
	u.at(100)
	u.expectSync(5, 0, 0) // every old pod is unavailable: surge on all
	u.at(200)
	u.expectSync(0, 5, 0) // the old pods are not ready: deleted beside the new ones
	u.setPodReadiness(true, 5, func(*cluster.Pod) bool { return true })
	u.updateDS(func(ds *cluster.DaemonSet) {
		ds.Spec.MinReadySeconds = 15
		ds.Spec.Template.Spec.Containers[0].Image = "foo3/bar3"
	})
	u.at(300)
	u.expectSync(3, 0, 0)
	hash := daemonset.CurrentHash(u.s, u.dsObj())
	current := map[string]bool{}
	for _, p := range u.pods() {
		if p.Labels[daemonset.ControllerRevisionHashLabel] == hash {
			n, _ := daemonset.TargetNodeName(p)
			current[n] = true
		}
	}
	// two updated pods ready at 300
	u.setPodReadiness(true, 2, func(p *cluster.Pod) bool { return p.Labels[daemonset.ControllerRevisionHashLabel] == hash })
	// an old pod on a node without an updated pod goes unready
	u.setPodReadiness(false, 1, func(p *cluster.Pod) bool {
		n, err := daemonset.TargetNodeName(p)
		require.NoError(t, err)
		return p.Labels[daemonset.ControllerRevisionHashLabel] != hash && !current[n]
	})
	// the new pods wait for minReadySeconds: one pod replaces the unready old one
	u.at(310)
	u.expectSync(1, 0, 0)
	// the two new pods are available: their old pods go, and one more surge
	u.at(320)
	u.expectSync(1, 3, 0)
	u.setPodReadiness(true, 3, func(p *cluster.Pod) bool { return p.Labels[daemonset.ControllerRevisionHashLabel] == hash })
	u.at(340)
	u.expectSync(0, 2, 0)
	u.at(350)
	u.expectSync(0, 0, 0) // done
}

// TestUpstream_TestDaemonSetUpdatesNoTemplateChanged: update_test.go
// TestDaemonSetUpdatesNoTemplateChanged.
func TestUpstream_TestDaemonSetUpdatesNoTemplateChanged(t *testing.T) {
	u := upUpdate(t, 5)
	u.updateDS(func(ds *cluster.DaemonSet) { maxUnavailable(cluster.FromInt(3))(ds) })
	u.expectSync(0, 0, 0)
}

// TestUpstream_TestGetUnavailableNumbers: update_test.go TestGetUnavailableNumbers:
// updatedDesiredNodeCounts' maxSurge, maxUnavailable and desired nodes
// (MaxUnavailableAndSurge against the desired count of ComputeStatus), and
// its empty nodes (desired nodes without a pod: desired - current).
// Upstream's newUpdateUnavailable leaves maxSurge unset; 0 is the same.
func TestUpstream_TestGetUnavailableNumbers(t *testing.T) {
	unavailable := func(v cluster.IntOrString) dsOption { return rolling(v, cluster.FromInt(0)) }
	for _, tc := range []struct {
		name                              string
		nodes                             int
		strategy                          dsOption
		pods                              []string // nodes with a ready pod
		terminating                       string   // a node whose pod is being deleted
		maxSurge, maxUnavailable, desired int
		empty                             int
	}{
		{name: "No nodes", strategy: unavailable(cluster.FromInt(0))},
		{name: "Two nodes with ready pods", nodes: 2, strategy: unavailable(cluster.FromInt(1)), pods: []string{"node-0", "node-1"},
			maxUnavailable: 1, desired: 2},
		{name: "Two nodes, one node without pods", nodes: 2, strategy: unavailable(cluster.FromInt(0)), pods: []string{"node-0"},
			maxUnavailable: 1, desired: 2, empty: 1},
		{name: "Two nodes, one node without pods, surge", nodes: 2, strategy: upSurge(cluster.FromInt(0)), pods: []string{"node-0"},
			maxUnavailable: 1, desired: 2, empty: 1},
		{name: "Two nodes with pods, MaxUnavailable in percents", nodes: 2, strategy: unavailable(cluster.FromString("50%")),
			pods: []string{"node-0", "node-1"}, maxUnavailable: 1, desired: 2},
		{name: "Two nodes with pods, MaxUnavailable in percents, surge", nodes: 2, strategy: upSurge(cluster.FromString("50%")),
			pods: []string{"node-0", "node-1"}, maxSurge: 1, desired: 2},
		{name: "Two nodes with pods, MaxUnavailable is 100%, surge", nodes: 2, strategy: upSurge(cluster.FromString("100%")),
			pods: []string{"node-0", "node-1"}, maxSurge: 2, desired: 2},
		{name: "Two nodes with pods, MaxUnavailable in percents, pod terminating", nodes: 3, strategy: unavailable(cluster.FromString("50%")),
			pods: []string{"node-0", "node-1"}, terminating: "node-1", maxUnavailable: 2, desired: 3, empty: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cluster.NewStore()
			apply := func(c cluster.Change) {
				_, err := s.Apply(t0, c)
				require.NoError(t, err)
			}
			for i := range tc.nodes {
				apply(cluster.Create{Object: upNode(fmt.Sprintf("node-%d", i), nil)})
			}
			ds := upDS("x", tc.strategy)
			ds.UID = "uid-x"
			for _, n := range tc.pods {
				p := ct.Pod("pod-"+n, ct.OnNode(n), ct.ControlledBy("DaemonSet", "x", ds.UID), func(p *cluster.Pod) { p.Labels = upLabel.Clone() })
				apply(cluster.Create{Object: p})
				cp, _ := s.Pod("default", p.Name)
				rp := cp.DeepCopy()
				rp.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: t0}}
				apply(cluster.UpdateStatus{Object: rp})
				if n == tc.terminating {
					apply(cluster.Delete{Key: cluster.KeyOf(p)})
				}
			}
			st := daemonset.ComputeStatus(s, ds, t0)
			mu, ms, err := daemonset.MaxUnavailableAndSurge(ds, int(st.DesiredNumberScheduled))
			require.NoError(t, err)
			assert.Equal(t, tc.maxSurge, ms, "maxSurge")
			assert.Equal(t, tc.maxUnavailable, mu, "maxUnavailable")
			assert.Equal(t, tc.desired, int(st.DesiredNumberScheduled), "desired")
			assert.Equal(t, tc.empty, int(st.DesiredNumberScheduled-st.CurrentNumberScheduled), "empty nodes")
		})
	}
}

// TestUpstream_TestControlledHistories: update_test.go TestControlledHistories:
// an owned revision and a matching orphan in the DaemonSet's namespace
// are its history (the orphan adopted); an orphan in another namespace is
// not adopted.
func TestUpstream_TestControlledHistories(t *testing.T) {
	cr := func(name, ns string) *cluster.ControllerRevision {
		return &cluster.ControllerRevision{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: ns, Labels: upLabel.Clone()}, Data: []byte(`{}`)}
	}
	t.Run("controller revision in the same namespace", func(t *testing.T) {
		u := newUp(t, "ds1")
		u.create(upDS("ds1"))
		owned := cr("ds1-x1", "default")
		tr := true
		owned.OwnerReferences = []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "ds1", UID: u.dsObj().UID, Controller: &tr, BlockOwnerDeletion: &tr}}
		u.create(owned, cr("ds1-x2", "default"))
		u.expectSync(0, 0, 0)
		var names []string
		for _, r := range daemonset.Revisions(u.s, u.dsObj()) {
			names = append(names, r.Name)
		}
		assert.Subset(t, names, []string{"ds1-x1", "ds1-x2"})
	})
	t.Run("Skip adopting the controller revision in namespace other than the one in which DS lives", func(t *testing.T) {
		u := newUp(t, "ds1")
		u.create(upDS("ds1"), cr("ds1-x3", "default-other"))
		u.expectSync(0, 0, 0)
		for _, r := range daemonset.Revisions(u.s, u.dsObj()) {
			assert.NotEqual(t, "ds1-x3", r.Name)
		}
		other, ok := u.s.ControllerRevision("default-other", "ds1-x3")
		require.True(t, ok)
		assert.Empty(t, other.OwnerReferences)
	})
}
