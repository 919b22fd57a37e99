package conformance

// The generator of the ReplicaSet scale-down differential test
// (replicaset_diff_test.go): per seed, a namespace of ReplicaSets that
// share a controlling owner (a Deployment) spread over a few nodes, each
// with pods in every state the deletion order looks at, and one target
// ReplicaSet whose spec.replicas is below its active pod count.

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// rsNow is the instant of every case's sync. It lies in the past of the
// wall clock so that nothing upstream reads from time.Now matters.
var rsNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// rsCase is one generated case: the objects to create, in order, and the
// target ReplicaSet.
type rsCase struct {
	seed    uint64
	nodes   []*cluster.Node
	rss     []*cluster.ReplicaSet
	pods    []*cluster.Pod
	target  string // name of the target ReplicaSet in namespace "default"
	ownerID string // the target's controller UID, "" for none
}

// rsTimePool returns the instants ready and creation times are drawn from:
// ages at exact powers of two nanoseconds and one nanosecond either side
// (where the log2 buckets turn), round seconds, equal times, the sync
// instant itself and a time after it. Drawing from a small pool makes ties.
func rsTimePool(r *rand.Rand) []time.Time {
	var pool []time.Time
	for range 3 + r.IntN(5) {
		var age time.Duration
		switch r.IntN(6) {
		case 0:
			age = time.Duration(1) << (28 + r.IntN(18))
		case 1:
			age = time.Duration(1)<<(28+r.IntN(18)) + time.Duration(r.IntN(3)-1)
		case 2:
			age = time.Duration(r.IntN(7200)) * time.Second
		case 3:
			age = time.Duration(r.IntN(120)) * time.Millisecond
		case 4:
			age = -time.Duration(1+r.IntN(10)) * time.Second
		default:
			age = time.Duration(r.IntN(86400*3)) * time.Second
		}
		pool = append(pool, rsNow.Add(-age))
	}
	// neighbours: a time a little off one already drawn, mostly in the
	// same log2 bucket, where the UID decides
	for range r.IntN(4) {
		base := pool[r.IntN(len(pool))]
		off := rsNow.Sub(base) / time.Duration(20+r.IntN(200))
		if off <= 0 {
			off = time.Duration(1 + r.IntN(1000))
		}
		pool = append(pool, base.Add(off*time.Duration(r.IntN(3)-1)+time.Duration(r.IntN(2))))
	}
	return pool
}

var rsCostPool = []string{"", "", "", "", "0", "1", "-1", "5", "100", "-100", "2147483647", "-2147483648", "+3", "007", "x"}

func rsOwnerRef(kind, name, uid string) cluster.OwnerReference {
	t := true
	api := "apps/v1"
	return cluster.OwnerReference{APIVersion: api, Kind: kind, Name: name, UID: uid, Controller: &t, BlockOwnerDeletion: &t}
}

func rsReplicaSet(ns, name, uid string, sel selector.Set, owner *cluster.OwnerReference, replicas int32) *cluster.ReplicaSet {
	rs := &cluster.ReplicaSet{
		ObjectMeta: cluster.ObjectMeta{Namespace: ns, Name: name, UID: uid, CreationTimestamp: rsNow.Add(-time.Hour)},
		Spec: cluster.ReplicaSetSpec{
			Replicas: &replicas,
			Selector: &selector.LabelSelector{MatchLabels: sel},
			Template: cluster.PodTemplateSpec{
				ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "web", "rs": name}},
				Spec:       cluster.PodSpec{Containers: []cluster.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
			},
		},
	}
	if owner != nil {
		rs.OwnerReferences = []cluster.OwnerReference{*owner}
	}
	return rs
}

// rsGenerate builds the case for seed.
func rsGenerate(seed uint64) *rsCase {
	r := rand.New(rand.NewPCG(seed, 0x5e7a11))
	c := &rsCase{seed: seed, target: "t"}
	nNodes := 1 + r.IntN(6)
	for i := range nNodes {
		c.nodes = append(c.nodes, &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: fmt.Sprintf("n%d", i+1), UID: fmt.Sprintf("node-%d", i+1)}})
	}
	dep := rsOwnerRef("Deployment", "web", "dep-web")
	other := rsOwnerRef("Deployment", "api", "dep-api")
	var targetOwner *cluster.OwnerReference
	if r.IntN(7) > 0 {
		targetOwner = &dep
		c.ownerID = dep.UID
	}
	times := rsTimePool(r)
	uidSeen := map[string]bool{}
	uid := func() string {
		for {
			u := fmt.Sprintf("%04x", r.IntN(1<<16))
			if !uidSeen[u] {
				uidSeen[u] = true
				return u
			}
		}
	}
	podSeq := 0
	mkPod := func(ns, rsName string, owner *cluster.OwnerReference, active bool) *cluster.Pod {
		podSeq++
		p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{
			Namespace: ns, Name: fmt.Sprintf("%s-%03d", rsName, podSeq), UID: uid(),
			Labels: selector.Set{"app": "web", "rs": rsName},
		}}
		p.Spec.Containers = []cluster.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}
		if owner != nil {
			p.OwnerReferences = []cluster.OwnerReference{*owner}
		}
		if r.IntN(7) > 0 {
			p.Spec.NodeName = c.nodes[r.IntN(len(c.nodes))].Name
		}
		created := times[r.IntN(len(times))]
		if !created.Before(rsNow) || r.IntN(4) == 0 {
			created = rsNow.Add(-time.Duration(r.IntN(100000)) * time.Second)
		}
		p.CreationTimestamp = created
		switch x := r.IntN(10); {
		case x < 3:
			p.Status.Phase = cluster.PodPending
		case x < 4:
			p.Status.Phase = cluster.PodUnknown
		default:
			p.Status.Phase = cluster.PodRunning
		}
		switch x := r.IntN(10); {
		case x < 6:
			t := times[r.IntN(len(times))]
			if r.IntN(12) == 0 {
				t = time.Time{}
			}
			p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: t}}
		case x < 8:
			p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionFalse, LastTransitionTime: times[r.IntN(len(times))]}}
		}
		if cost := rsCostPool[r.IntN(len(rsCostPool))]; cost != "" {
			p.Annotations = map[string]string{"controller.kubernetes.io/pod-deletion-cost": cost}
		}
		if !active {
			switch r.IntN(3) {
			case 0:
				p.Status.Phase = cluster.PodSucceeded
			case 1:
				p.Status.Phase = cluster.PodFailed
			default:
				if p.Spec.NodeName == "" {
					p.Spec.NodeName = c.nodes[0].Name
				}
				dt := rsNow.Add(time.Duration(r.IntN(30)) * time.Second)
				g := int64(30)
				p.DeletionTimestamp, p.DeletionGracePeriodSeconds = &dt, &g
			}
		}
		return p
	}
	addPods := func(ns, rsName string, owner *cluster.OwnerReference, n int) int {
		act := 0
		for range n {
			active := r.IntN(9) > 0
			if active {
				act++
			}
			c.pods = append(c.pods, mkPod(ns, rsName, owner, active))
		}
		return act
	}

	// the target
	tUID := "rs-t"
	tRef := rsOwnerRef("ReplicaSet", "t", tUID)
	nTarget := 2 + r.IntN(29)
	act := addPods("default", "t", &tRef, nTarget)
	replicas := int32(0)
	if act > 0 {
		replicas = int32(r.IntN(act))
	}
	if r.IntN(15) == 0 {
		replicas = int32(act) // nothing to delete
	}
	c.rss = append(c.rss, rsReplicaSet("default", "t", tUID, selector.Set{"rs": "t"}, targetOwner, replicas))

	// siblings of one owner, an unrelated set, an orphan or two, and a set
	// of the same owner UID in another namespace
	for i := range r.IntN(4) {
		name := fmt.Sprintf("s%d", i+1)
		sel := selector.Set{"rs": name}
		if r.IntN(4) == 0 {
			sel = selector.Set{"app": "web"} // also matches the target's pods
		}
		owner := &dep
		if targetOwner == nil && r.IntN(2) == 0 {
			owner = nil
		}
		ref := rsOwnerRef("ReplicaSet", name, "rs-"+name)
		n := addPods("default", name, &ref, r.IntN(9))
		c.rss = append(c.rss, rsReplicaSet("default", name, "rs-"+name, sel, owner, int32(n)))
	}
	if r.IntN(2) == 0 {
		ref := rsOwnerRef("ReplicaSet", "u", "rs-u")
		n := addPods("default", "u", &ref, r.IntN(6))
		c.rss = append(c.rss, rsReplicaSet("default", "u", "rs-u", selector.Set{"rs": "u"}, &other, int32(n)))
	}
	for range r.IntN(3) {
		// orphans labelled for a sibling (or nothing): counted in ranks
		// when a sibling's selector matches them
		name := fmt.Sprintf("s%d", 1+r.IntN(3))
		p := mkPod("default", name, nil, r.IntN(5) > 0)
		c.pods = append(c.pods, p)
	}
	if r.IntN(4) == 0 {
		ref := rsOwnerRef("ReplicaSet", "t", "rs-o")
		n := addPods("other", "t", &ref, r.IntN(6))
		c.rss = append(c.rss, rsReplicaSet("other", "t", "rs-o", selector.Set{"rs": "t"}, &dep, int32(n)))
	}
	return c
}
