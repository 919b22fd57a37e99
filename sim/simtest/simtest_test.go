package simtest_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

// recorder is a testing.TB that records failures; Fatalf ends the
// goroutine it is called on, as testing's does.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(r)
}

// run calls f with a World on a recorder and returns what it recorded;
// a Fatalf stops f.
func run(t *testing.T, f func(w *simtest.World)) []string {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil && v != any(r) {
				panic(v)
			}
		}()
		f(simtest.NewDefault(r, sim.DefaultConfig{}))
	}()
	return r.failed
}

func TestWorld(t *testing.T) {
	w := simtest.NewDefault(t, sim.DefaultConfig{})
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "a", Image: "agent:1"}}}}}}
	w.Create(ct.Node("n1"), ct.Node("n2"), ds)
	instants := 0
	w.AfterInstant = func() { instants++ }
	w.Run(time.Minute)
	w.NoErrors()
	assert.Equal(t, sim.Epoch.Add(time.Minute), w.Now(), "the clock ends where Run was asked to")
	assert.Positive(t, instants)
	created := w.Messages(daemonset.ReasonSuccessfulCreate)
	require.Len(t, created, 2)
	assert.Equal(t, []string{"default/agent: " + created[0], "default/agent: " + created[1]}, w.Notes(daemonset.ReasonSuccessfulCreate))

	w.Update(cluster.Key{Kind: cluster.KindNode, Name: "n1"}, func(o cluster.Object) {
		o.(*cluster.Node).Labels = map[string]string{"zone": "a"}
	})
	w.Run(time.Second)
	n, _ := w.View().Node("n1")
	assert.Equal(t, "a", n.Labels["zone"])

	w.Create(ct.Pod("web", ct.OnNode("n2")))
	w.Run(time.Second)
	assert.Equal(t, "n2", w.Pod("web").Spec.NodeName)
	assert.Equal(t, "n2", w.Pod("default/web").Spec.NodeName)
	assert.Empty(t, w.LastErr(simtest.PodKey("web")))
	assert.Equal(t, "(none)", w.LastErr(simtest.PodKey("kube-system/other")))
	w.Delete(simtest.PodKey("web"))
	w.Run(time.Minute)
	_, ok := w.View().Pod("default", "web")
	assert.False(t, ok)
}

func TestWorldFails(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(w *simtest.World)
		want []string
	}{
		{"pod missing", func(w *simtest.World) { w.Pod("ns/none") }, []string{"simtest: pod ns/none not found"}},
		{"update of a missing object", func(w *simtest.World) {
			w.Update(cluster.Key{Kind: cluster.KindNode, Name: "none"}, func(cluster.Object) {})
		}, []string{"simtest: update: node/none not found"}},
		{"refused changes", func(w *simtest.World) {
			w.Create(ct.Node("n1"), ct.Node("n1"))
			w.Delete(simtest.PodKey("none"))
			w.Run(time.Second)
			w.NoErrors()
			w.Pod("none") // Fatalf stops here
			w.Pod("other")
		}, []string{
			`simtest: refused: create node/n1: node "n1" already exists`,
			`simtest: refused: delete pod/default/none: pod "none" not found`,
			"simtest: pod none not found",
		}},
		{"no fixed point", func(w *simtest.World) {
			w.AfterInstant, w.MaxSteps = func() {}, 10
			for range 11 {
				w.Apply(cluster.Create{Object: ct.Node("n1")}) // each refused, all at one instant
			}
			w.Run(time.Second)
		}, []string{"simtest: no fixed point after 10 events, at +0s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, run(t, tc.f))
		})
	}
}
