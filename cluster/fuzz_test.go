package cluster_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// FuzzApply decodes its input into a sequence of changes (Create, Update,
// UpdateStatus, Delete and Bind of every kind, with nil and typed-nil
// objects, broken fields and stale resource versions) applied to one
// Store, and checks after each: Apply does not panic; a refused change
// leaves the store's Digest and Revision as they were (nothing half
// applied); an accepted one raises the revision by exactly one per object
// it writes (two for an Evict that uses a budget) and
// returns a Delta of that revision; and every object an accepted change
// stores passes Validate. The seed corpus (about a hundred sequences) runs
// as part of go test ./cluster; go test -fuzz FuzzApply ./cluster explores
// further.
func FuzzApply(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{b: data}
		s := cluster.NewStore()
		now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		for step := 0; step < 64 && !in.done(); step++ {
			c := in.change(s)
			rev, digest := s.Revision(), cluster.Digest(s)
			d, err := s.Apply(now, c)
			switch {
			case err != nil:
				if s.Revision() != rev || cluster.Digest(s) != digest {
					t.Fatalf("step %d: %s was refused (%v) but changed the store", step, describe(c), err)
				}
			case s.Revision() != rev+1+uint64(len(d.Also)):
				t.Fatalf("step %d: %s moved the revision from %d to %d", step, describe(c), rev, s.Revision())
			case d.New != nil && len(cluster.Validate(d.New)) > 0:
				t.Fatalf("step %d: %s stored an invalid object: %v", step, describe(c), cluster.Validate(d.New).ToAggregate())
			case d.Rev != s.Revision():
				t.Fatalf("step %d: %s returned a delta of revision %d at revision %d", step, describe(c), d.Rev, s.Revision())
			}
			now = now.Add(time.Duration(in.pick(3)) * time.Second)
		}
	})
}

// fuzzSeeds is the seed corpus: short hand-picked sequences (the nil
// objects of every verb first) and pseudo-random ones from fixed seeds.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for verb := range byte(5) {
		for kind := range byte(len(fuzzKinds)) {
			// verb, kind, object choice 0 (nil) and 1 (typed nil)
			seeds = append(seeds, []byte{verb, kind, 0}, []byte{verb, kind, 1})
		}
	}
	// a pod created, bound, updated, status-updated and deleted
	seeds = append(seeds, []byte{0, 5, 2, 0, 0, 4, 0, 0, 1, 5, 3, 0, 2, 5, 3, 0, 3, 5, 0, 1, 0})
	r := rand.New(rand.NewPCG(19, 5))
	for range 40 {
		b := make([]byte, 64+r.IntN(400))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// fuzzInput reads choices from the fuzzer's bytes; past the end every
// choice is 0.
type fuzzInput struct {
	b []byte
	i int
}

func (in *fuzzInput) done() bool { return in.i >= len(in.b) }

func (in *fuzzInput) pick(n int) int {
	if in.done() {
		return 0
	}
	c := in.b[in.i]
	in.i++
	return int(c) % n
}

func fuzzPick[T any](in *fuzzInput, pool []T) T { return pool[in.pick(len(pool))] }

var (
	fuzzKinds      = []cluster.Kind{cluster.KindNode, cluster.KindPriorityClass, cluster.KindDaemonSet, cluster.KindControllerRevision, cluster.KindPodDisruptionBudget, cluster.KindPod, cluster.KindReplicaSet}
	fuzzNames      = []string{"a", "b", "c", "a", "b", "", "A_b", "a.b"}
	fuzzNamespaces = []string{"default", "default", "", "kube-system", "Bad"}
	fuzzNodes      = []string{"a", "b", "", "Bad_Node"}
)

// change decodes one change. Its object is nil, a typed nil, a fresh
// object, or (for writes to existing objects) a copy of the stored one,
// with a few fields broken.
func (in *fuzzInput) change(s *cluster.Store) cluster.Change {
	verb := in.pick(6)
	kind := fuzzPick(in, fuzzKinds)
	key := cluster.Key{Kind: kind, Name: fuzzPick(in, fuzzNames)}
	if kind.Namespaced() {
		key.Namespace = fuzzPick(in, fuzzNamespaces)
	}
	if verb != 0 && in.pick(3) > 0 {
		// most writes to existing objects name one that exists
		var keys []cluster.Key
		for o := range s.Objects() {
			keys = append(keys, cluster.KeyOf(o))
		}
		if len(keys) > 0 {
			key = fuzzPick(in, keys)
			kind = key.Kind
		}
	}
	switch verb {
	case 3:
		var grace *int64
		if g := in.pick(4); g > 0 {
			v := []int64{0, -1, 30}[g-1]
			grace = &v
		}
		return cluster.Delete{Key: key, GracePeriodSeconds: grace,
			Propagation: fuzzPick(in, []cluster.DeletionPropagation{"", cluster.DeletePropagationOrphan, cluster.DeletePropagationForeground, "Bad"}),
			ExpectedRV:  in.expectedRV(s, key)}
	case 4:
		key.Kind = cluster.KindPod
		return cluster.Bind{Pod: key, Node: fuzzPick(in, fuzzNodes)}
	case 5:
		var grace *int64
		if g := in.pick(3); g > 0 {
			v := []int64{0, -1}[g-1]
			grace = &v
		}
		return cluster.Evict{Pod: key, GracePeriodSeconds: grace}
	}
	o := in.object(s, kind, key)
	switch verb {
	case 0:
		return cluster.Create{Object: o, Handoff: in.pick(2) == 0}
	case 1:
		return cluster.Update{Object: o, ExpectedRV: in.expectedRV(s, key)}
	}
	return cluster.UpdateStatus{Object: o, ExpectedRV: in.expectedRV(s, key), Handoff: in.pick(2) == 0}
}

// expectedRV is 0 (unconditional), the stored version, or a stale one.
func (in *fuzzInput) expectedRV(s *cluster.Store, k cluster.Key) uint64 {
	switch in.pick(3) {
	case 0:
		return 0
	case 1:
		if o, ok := s.Get(k); ok {
			return o.Meta().ResourceVersion
		}
	}
	return 12345
}

func (in *fuzzInput) object(s *cluster.Store, kind cluster.Kind, key cluster.Key) cluster.Object {
	switch in.pick(8) {
	case 0:
		return nil
	case 1:
		return typedNil(kind)
	case 2, 3, 4:
		if o, ok := s.Get(key); ok {
			o = o.DeepCopyObject()
			in.breakFields(o)
			return o
		}
	}
	o := fresh(kind, key)
	in.breakFields(o)
	return o
}

func typedNil(k cluster.Kind) cluster.Object {
	switch k {
	case cluster.KindNode:
		return (*cluster.Node)(nil)
	case cluster.KindPriorityClass:
		return (*cluster.PriorityClass)(nil)
	case cluster.KindDaemonSet:
		return (*cluster.DaemonSet)(nil)
	case cluster.KindControllerRevision:
		return (*cluster.ControllerRevision)(nil)
	case cluster.KindPodDisruptionBudget:
		return (*cluster.PodDisruptionBudget)(nil)
	case cluster.KindReplicaSet:
		return (*cluster.ReplicaSet)(nil)
	}
	return (*cluster.Pod)(nil)
}

// fresh returns a valid object of kind k named by key.
func fresh(k cluster.Kind, key cluster.Key) cluster.Object {
	m := cluster.ObjectMeta{Name: key.Name, Namespace: key.Namespace, Labels: selector.Set{"app": "x"}}
	spec := cluster.PodSpec{Containers: []cluster.Container{{Name: "c", Image: "img:1",
		Resources: cluster.ResourceRequirements{Requests: cluster.Resources("cpu", "100m")}}}}
	switch k {
	case cluster.KindNode:
		return &cluster.Node{ObjectMeta: m, Status: cluster.NodeStatus{Capacity: cluster.Resources("cpu", "4", "pods", "110")}}
	case cluster.KindPriorityClass:
		return &cluster.PriorityClass{ObjectMeta: m, Value: 100}
	case cluster.KindDaemonSet:
		return &cluster.DaemonSet{ObjectMeta: m, Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "x"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "x"}}, Spec: spec}}}
	case cluster.KindControllerRevision:
		return &cluster.ControllerRevision{ObjectMeta: m, Data: []byte(`{"spec":{}}`), Revision: 1}
	case cluster.KindPodDisruptionBudget:
		one := cluster.FromInt(1)
		return &cluster.PodDisruptionBudget{ObjectMeta: m, Spec: cluster.PodDisruptionBudgetSpec{MinAvailable: &one,
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "x"}}}}
	case cluster.KindReplicaSet:
		two := int32(2)
		return &cluster.ReplicaSet{ObjectMeta: m, Spec: cluster.ReplicaSetSpec{Replicas: &two,
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "x"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "x"}}, Spec: spec}}}
	}
	return &cluster.Pod{ObjectMeta: m, Spec: spec}
}

// breakFields changes none (half the time), one or two fields of o.
func (in *fuzzInput) breakFields(o cluster.Object) {
	for range []int{0, 0, 1, 2}[in.pick(4)] {
		in.breakField(o)
	}
}

// breakField changes one field of o, mostly to a value validation refuses.
func (in *fuzzInput) breakField(o cluster.Object) {
	m := o.Meta()
	switch in.pick(8) {
	case 0:
		m.Labels = selector.Set{fuzzPick(in, []string{"-bad", "app", "a/b/c"}): fuzzPick(in, []string{"x", "-y", ""})}
	case 1:
		m.Finalizers = append(m.Finalizers, fuzzPick(in, []string{"example.com/f", "custom", cluster.FinalizerOrphanDependents, cluster.FinalizerDeleteDependents}))
	case 2:
		t := true
		m.OwnerReferences = append(m.OwnerReferences, cluster.OwnerReference{APIVersion: fuzzPick(in, []string{"v1", "", "a/b/c"}),
			Kind: "DaemonSet", Name: "o", UID: fuzzPick(in, []string{"u", ""}), Controller: &t})
	case 3:
		m.Annotations = map[string]string{fuzzPick(in, []string{"a", "-b", "scheduler.alpha.kubernetes.io/tolerations"}): fuzzPick(in, []string{"x", "[", `[{"operator":"Lt"}]`})}
	default:
		in.breakSpec(o)
	}
}

func (in *fuzzInput) breakSpec(o cluster.Object) {
	switch o := o.(type) {
	case *cluster.Pod:
		in.breakPodSpec(&o.Spec)
		if in.pick(3) == 0 {
			o.Status.Phase = fuzzPick(in, []cluster.PodPhase{cluster.PodRunning, cluster.PodSucceeded, cluster.PodFailed})
		}
	case *cluster.DaemonSet:
		switch in.pick(5) {
		case 0:
			o.Spec.Selector = fuzzPick(in, []*selector.LabelSelector{nil, {}, {MatchLabels: selector.Set{"app": "y"}}})
		case 1:
			u := fuzzPick(in, []cluster.IntOrString{cluster.FromString("+50%"), cluster.FromInt(0), cluster.FromString("150%"), cluster.FromInt(2)})
			o.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType, RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: &u}}
		case 2:
			o.Status.NumberReady = int32(in.pick(3)) - 1
			c := int32(in.pick(3)) - 1
			o.Status.CollisionCount = &c
		case 3:
			if o.Annotations == nil {
				o.Annotations = map[string]string{}
			}
			o.Annotations[cluster.TemplateGenerationAnnotation] = fuzzPick(in, []string{"1", "x", "-3"})
		default:
			in.breakPodSpec(&o.Spec.Template.Spec)
		}
	case *cluster.Node:
		switch in.pick(3) {
		case 0:
			o.Spec.Taints = append(o.Spec.Taints, taints.Taint{Key: fuzzPick(in, []string{"k", "-k"}), Effect: fuzzPick(in, []taints.Effect{taints.NoSchedule, "", "Bad"})})
		case 1:
			o.Status.Capacity = cluster.Resources(fuzzPick(in, []string{"pods", "cpu", "example.com/gpu"}), fuzzPick(in, []string{"1.5", "-1", "3"}))
		default:
			o.Spec.Unschedulable = !o.Spec.Unschedulable
		}
	case *cluster.PriorityClass:
		o.Value = fuzzPick(in, []int32{5, 1000000001, 2000000000})
		o.GlobalDefault = in.pick(2) == 0
	case *cluster.PodDisruptionBudget:
		v := fuzzPick(in, []cluster.IntOrString{cluster.FromString("x"), cluster.FromInt(-1), cluster.FromString("50%")})
		o.Spec.MaxUnavailable = &v
		if in.pick(2) == 0 {
			o.Status.DisruptionsAllowed = -1
		}
	case *cluster.ControllerRevision:
		o.Data = fuzzPick(in, [][]byte{nil, []byte(`[1]`), []byte(`{"a":2}`), []byte(`{`)})
		o.Revision = int64(in.pick(3)) - 1
	case *cluster.ReplicaSet:
		switch in.pick(4) {
		case 0:
			o.Spec.Selector = fuzzPick(in, []*selector.LabelSelector{nil, {}, {MatchLabels: selector.Set{"app": "y"}}})
		case 1:
			r := int32(in.pick(4)) - 1
			o.Spec.Replicas = &r
		case 2:
			o.Status.Replicas = int32(in.pick(3)) - 1
			o.Status.ReadyReplicas = int32(in.pick(3))
			o.Status.AvailableReplicas = int32(in.pick(3))
		default:
			in.breakPodSpec(&o.Spec.Template.Spec)
		}
	}
}

func (in *fuzzInput) breakPodSpec(s *cluster.PodSpec) {
	if len(s.Containers) == 0 {
		s.Containers = []cluster.Container{{Name: "c", Image: "i"}}
	}
	c := &s.Containers[0]
	switch in.pick(10) {
	case 0:
		s.Containers = nil
	case 1:
		s.Containers = append(s.Containers, cluster.Container{Name: fuzzPick(in, []string{"c", "d", ""}), Image: fuzzPick(in, []string{"i", ""})})
	case 2:
		s.HostNetwork = true
		c.Ports = append(c.Ports, cluster.ContainerPort{ContainerPort: 80, HostPort: int32(in.pick(3)) + 79})
	case 3:
		c.Resources = cluster.ResourceRequirements{Requests: cluster.Resources(fuzzPick(in, []string{"example.com/gpu", "cpu", "hugepages-2Mi"}), fuzzPick(in, []string{"1.5", "1", "-1"}))}
	case 4:
		s.Tolerations = append(s.Tolerations, taints.Toleration{Key: fuzzPick(in, []string{"", "k"}), Operator: fuzzPick(in, []taints.Operator{"", taints.OpExists, taints.OpGt}),
			Effect: fuzzPick(in, []taints.Effect{"", taints.NoExecute, "Bad"})})
	case 5:
		g := int64(in.pick(3)) - 1
		s.TerminationGracePeriodSeconds = &g
	case 6:
		s.NodeName = fuzzPick(in, fuzzNodes)
	case 7:
		s.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{}}}
	case 8:
		s.PriorityClassName = fuzzPick(in, []string{"high", "missing", cluster.SystemNodeCritical})
	default:
		s.RestartPolicy = fuzzPick(in, []cluster.RestartPolicy{cluster.RestartPolicyNever, "Sometimes"})
	}
}

// describe renders a change for a failure message (a Create's Target
// reads its object, which may be nil).
func describe(c cluster.Change) string {
	switch c := c.(type) {
	case cluster.Create:
		return fmt.Sprintf("create %T %v", c.Object, cluster.KeyOf(c.Object))
	case cluster.Update:
		return fmt.Sprintf("update %T %v", c.Object, cluster.KeyOf(c.Object))
	case cluster.UpdateStatus:
		return fmt.Sprintf("update-status %T %v", c.Object, cluster.KeyOf(c.Object))
	}
	return fmt.Sprint(c)
}
