package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
)

// sneaky tries to write the store through the view it is given.
type sneaky struct {
	tried, wrote bool
	forkApplied  bool
}

func (s *sneaky) Name() string          { return "sneaky" }
func (s *sneaky) Observe(cluster.Delta) {}
func (s *sneaky) Wake(cluster.Key)      {}
func (s *sneaky) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	s.tried = true
	if st, ok := v.(*cluster.Store); ok {
		_, err := st.Apply(now, cluster.Create{Object: ct.Node("smuggled")})
		s.wrote = err == nil
	}
	type applier interface {
		Apply(time.Time, cluster.Change) (cluster.Delta, error)
	}
	if a, ok := v.(applier); ok {
		_, err := a.Apply(now, cluster.Create{Object: ct.Node("smuggled")})
		s.wrote = s.wrote || err == nil
	}
	// a fork is a private copy: writing it changes nothing of the engine's
	f := v.Fork()
	_, err := f.Apply(now, cluster.Create{Object: ct.Node("in-fork")})
	s.forkApplied = err == nil
	return cluster.Plan{}, nil
}

// A controller cannot change state through its view, not even by a type
// assertion; a fork of the view is its own; only a Plan changes the store.
func TestControllersCannotWriteThroughTheirView(t *testing.T) {
	s := &sneaky{}
	e, err := sim.New(sim.Config{}, s)
	require.NoError(t, err)
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node("n1")})
	require.NoError(t, e.Stabilize())
	require.True(t, s.tried)
	assert.False(t, s.wrote)
	assert.True(t, s.forkApplied)
	_, ok := e.View().Node("smuggled")
	assert.False(t, ok)
	_, ok = e.View().Node("in-fork")
	assert.False(t, ok)
	_, ok = e.View().(*cluster.Store)
	assert.False(t, ok, "nor can the engine's caller")
	assert.Equal(t, uint64(1), e.View().Revision())
}

// zoneLabeler is a user-written controller: it labels every node with the
// topology zone its name starts with ("a-1" is in zone "a"), as a cloud
// provider's node controller would. It runs beside the built-in ones
// through the same interface, with nothing but its view and its plans.
type zoneLabeler struct{ dirty []string }

func (z *zoneLabeler) Name() string { return "zone-labeler" }
func (z *zoneLabeler) Observe(d cluster.Delta) {
	if n, ok := d.New.(*cluster.Node); ok && n.Labels["topology.kubernetes.io/zone"] == "" {
		z.dirty = append(z.dirty, n.Name)
	}
}
func (z *zoneLabeler) Wake(cluster.Key) {}
func (z *zoneLabeler) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	for _, name := range z.dirty {
		n, ok := v.Node(name)
		if !ok || n.Labels["topology.kubernetes.io/zone"] != "" {
			continue
		}
		cp := n.DeepCopy()
		if cp.Labels == nil {
			cp.Labels = selector.Set{}
		}
		cp.Labels["topology.kubernetes.io/zone"] = name[:1]
		plan.Changes = append(plan.Changes, cluster.Update{Object: cp, ExpectedRV: n.ResourceVersion})
	}
	z.dirty = z.dirty[:0]
	return plan, nil
}

// A user's controller beside the built-in ones: the zone labeler labels
// the nodes, and the DaemonSet, whose pods go only to zone a, follows.
func Example_userController() {
	c, _ := sim.NewDefault(sim.DefaultConfig{})
	_ = c.Add(&zoneLabeler{})
	for _, n := range []string{"a-1", "a-2", "b-1"} {
		c.Submit(c.Now(), "me", cluster.Create{Object: ct.Node(n)})
	}
	ds := &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Name: "zone-a-agent", Namespace: "kube-system"},
		Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{
				ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec: cluster.PodSpec{
					NodeSelector: selector.Set{"topology.kubernetes.io/zone": "a"},
					Containers:   []cluster.Container{{Name: "agent", Image: "agent:1"}},
				},
			},
		},
	}
	c.Submit(c.Now(), "me", cluster.Create{Object: ds})
	_ = c.Stabilize()
	for p := range c.View().Pods() {
		fmt.Println(p.Spec.NodeName, p.Status.Phase)
	}
	// Output:
	// a-1 Running
	// a-2 Running
}
