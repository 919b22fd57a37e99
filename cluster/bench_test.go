package cluster_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
)

const benchPods = 1_000_000
const benchNodes = 5_000

// benchPod is a typical daemon pod: one container with cpu and memory
// requests, a controller reference, bound to a node; no labels.
func benchPod(i int) *cluster.Pod {
	return ct.Pod(fmt.Sprintf("default/agent-%07d", i),
		ct.Requests("cpu", "100m", "memory", "200Mi"),
		ct.OnNode(fmt.Sprintf("node-%05d", i%benchNodes)),
		ct.ControlledBy("DaemonSet", "agent", fmt.Sprintf("uid-%d", i%10)))
}

func fill(b *testing.B, n int) *cluster.Store {
	s := cluster.NewStore()
	for i := range n {
		if _, err := s.Apply(t0, cluster.Create{Object: benchPod(i)}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkStoreInsert measures Create of one pod into a store that holds
// 1,000,000 pods, and reports the heap held per stored pod (store and
// indexes included) as bytes/pod.
func BenchmarkStoreInsert(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := fill(b, benchPods)
	runtime.GC()
	runtime.ReadMemStats(&after)
	perPod := float64(after.HeapAlloc-before.HeapAlloc) / benchPods
	pods := make([]*cluster.Pod, 0, 1<<16)
	for i := range 1 << 16 {
		pods = append(pods, benchPod(benchPods+i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if i == len(pods) {
			b.StopTimer()
			for _, p := range pods {
				zero := int64(0)
				if _, err := s.Apply(t0, cluster.Delete{Key: cluster.KeyOf(p), GracePeriodSeconds: &zero}); err != nil {
					b.Fatal(err)
				}
			}
			i = 0
			b.StartTimer()
		}
		if _, err := s.Apply(t0, cluster.Create{Object: pods[i]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(perPod, "bytes/pod")
	runtime.KeepAlive(s)
}

// BenchmarkStoreGet measures a pod lookup in a store of 1,000,000 pods.
func BenchmarkStoreGet(b *testing.B) {
	s := fill(b, benchPods)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, ok := s.Pod("default", fmt.Sprintf("agent-%07d", i%benchPods)); !ok {
			b.Fatal("missing")
		}
		i += 7919
	}
}

// BenchmarkStorePodsOnNode lists the 200 pods of one node in a store of
// 1,000,000 pods on 5,000 nodes.
func BenchmarkStorePodsOnNode(b *testing.B) {
	s := fill(b, benchPods)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		n := 0
		for range s.PodsOnNode(fmt.Sprintf("node-%05d", i%benchNodes)) {
			n++
		}
		if n != benchPods/benchNodes {
			b.Fatalf("got %d pods", n)
		}
		i++
	}
}
