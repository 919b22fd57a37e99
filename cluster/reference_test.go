package cluster_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
)

// referenceStore is the deliberately naive model of the store's ordering,
// indexes and forks: a map of whatever Apply reported, listed by sorting.
type referenceStore map[cluster.Key]cluster.Object

func (r referenceStore) apply(d cluster.Delta) {
	if d.New == nil {
		delete(r, d.Key)
	} else {
		r[d.Key] = d.New
	}
}

func (r referenceStore) sortedKeys(keep func(cluster.Object) bool) []string {
	var keys []cluster.Key
	for k, o := range r { //detlint:allow test reference; sorted below
		if keep(o) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, cluster.Key.Compare)
	out := make([]string, len(keys))
	for i, k := range keys {
		b, _ := json.Marshal(r[k])
		out[i] = k.String() + " " + string(b)
	}
	return out
}

func listing[T cluster.Object](seq func(func(T) bool)) []string {
	out := []string{}
	for o := range seq {
		b, _ := json.Marshal(o)
		out = append(out, cluster.KeyOf(o).String()+" "+string(b))
	}
	return out
}

func checkAgainst(t *testing.T, step int, s *cluster.Store, ref referenceStore, nodes, owners []string) {
	t.Helper()
	require.Equal(t, ref.sortedKeys(func(cluster.Object) bool { return true }), listing(s.Objects()), "step %d: objects", step)
	require.Equal(t, ref.sortedKeys(func(o cluster.Object) bool { return o.ObjectKind() == cluster.KindPod }), listing(s.Pods()), "step %d: pods", step)
	for _, n := range nodes {
		want := ref.sortedKeys(func(o cluster.Object) bool { p, ok := o.(*cluster.Pod); return ok && p.Spec.NodeName == n })
		require.Equal(t, want, listing(s.PodsOnNode(n)), "step %d: pods on %s", step, n)
	}
	for _, u := range owners {
		want := ref.sortedKeys(func(o cluster.Object) bool {
			p, ok := o.(*cluster.Pod)
			return ok && p.ControllerRef() != nil && p.ControllerRef().UID == u
		})
		require.Equal(t, want, listing(s.PodsControlledBy(u)), "step %d: pods of %s", step, u)
	}
}

// TestStoreAgainstReference runs random operation sequences, with forks
// that are committed, reverted or nested, on the store and on the naive
// reference, and requires identical listings and indexes after every step.
func TestStoreAgainstReference(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Logf("seed=%d", seed)
			rng := rand.New(rand.NewPCG(seed, 0))
			nodes := []string{"n0", "n1", "n2", "n3"}
			owners := []string{"u0", "u1", "u2"}
			type frame struct {
				s   *cluster.Store
				ref referenceStore
			}
			stack := []frame{{cluster.NewStore(), referenceStore{}}}
			for step := range 400 {
				top := &stack[len(stack)-1]
				s, ref := top.s, top.ref
				var c cluster.Change
				pod := fmt.Sprintf("ns%d/p%d", rng.IntN(2), rng.IntN(12))
				pk := cluster.Key{Kind: cluster.KindPod, Namespace: pod[:3], Name: pod[4:]}
				switch op := rng.IntN(12); {
				case op == 0 && len(stack) < 4:
					stack = append(stack, frame{s.Fork(), maps.Clone(ref)})
					continue
				case op == 1 && len(stack) > 1:
					f := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					if rng.IntN(2) == 0 { // commit
						*stack[len(stack)-1].s = *f.s
						stack[len(stack)-1].ref = f.ref
					}
					top = &stack[len(stack)-1]
					checkAgainst(t, step, top.s, top.ref, nodes, owners)
					continue
				case op <= 3:
					c = cluster.Create{Object: ct.Node(nodes[rng.IntN(len(nodes))])}
				case op <= 6:
					var opts []ct.PodOption
					if rng.IntN(2) == 0 {
						opts = append(opts, ct.OnNode(nodes[rng.IntN(len(nodes))]))
					}
					if rng.IntN(2) == 0 {
						o := owners[rng.IntN(len(owners))]
						opts = append(opts, ct.ControlledBy("DaemonSet", o, o))
					}
					c = cluster.Create{Object: ct.Pod(pod, opts...)}
				case op == 7:
					c = cluster.Bind{Pod: pk, Node: nodes[rng.IntN(len(nodes))]}
				case op == 8:
					if p, ok := s.Pod(pk.Namespace, pk.Name); ok {
						p = p.DeepCopy()
						p.Labels = selector.Set{"v": fmt.Sprint(rng.IntN(3))}
						p.OwnerReferences = nil // release, or adopt by another owner
						if o := owners[rng.IntN(len(owners))]; rng.IntN(2) == 0 {
							ct.ControlledBy("DaemonSet", o, o)(p)
						}
						c = cluster.Update{Object: p}
					} else {
						continue
					}
				case op == 9:
					g := int64(rng.IntN(2) * 30)
					c = cluster.Delete{Key: pk, GracePeriodSeconds: &g}
				default:
					c = cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: nodes[rng.IntN(len(nodes))]}}
				}
				d, err := s.Apply(t0, c)
				if err == nil {
					ref.apply(d)
				}
				checkAgainst(t, step, s, ref, nodes, owners)
			}
		})
	}
}
