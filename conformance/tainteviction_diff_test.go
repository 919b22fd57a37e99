package conformance

// The taint eviction differential test: upstream's taint eviction
// controller (k8s.io/kubernetes/pkg/controller/tainteviction v1.37.1)
// against daemonsim's sim/tainteviction under the engine, on generated
// sequences of node taint changes, node deletions, pod creations,
// deletions and added tolerations (tainteviction_lifecycle_gen_test.go):
// which pods each deletes, and at which second of the sequence.
//
// daemonsim runs under a sim.Engine with the taint eviction controller
// alone (no node agent, so a pod it deletes stays terminating); each
// step's change is submitted at its instant and the engine run to it; the
// first cluster.Delete of each pod from the controller is its answer.
//
// Upstream runs in-process, without Run's goroutines: tainteviction.New on
// a fake clientset, informer indexers written directly, the informers'
// handlers (PodUpdated, NodeUpdated) called as a watch would for each
// change the daemonsim store accepted (the objects as daemonsim stored
// them, converted to v1, so admission's default tolerations are the same),
// and its two work queues drained in the harness, nodes first, then pods,
// as its workers prioritise them; handleNodeUpdate and handlePodUpdate are
// reached with go:linkname, the queues and the timed worker queue's clock
// and wait group with reflect and unsafe. The timed worker queue's clock is
// a k8s.io/utils/clock/testing FakeClock whose AfterFunc is kept by the
// harness, which fires a timer at its instant after that instant's changes
// were handled (daemonsim's order: changes, then the deadlines that came
// in) and waits for the worker goroutine it starts. The controller's own
// now (time.Now in its handlers) is the wall clock; only differences of it
// reach a timer (fireAt − createdAt), and a second evaluation of a pod
// with a deletion scheduled keeps it whenever the wall clock moved between
// the two, as it always does here. A pod upstream deletes leaves its
// indexer (the fake clientset deletes at once) and PodUpdated(pod, nil)
// is called.
//
// Compared: for each pod, whether it was deleted and the second of its
// first deletion. Environment: CONFORMANCE_TE_N sequences (default 3000,
// seeds 1..N); CONFORMANCE_TE_SEED=s runs sequence s alone and prints it;
// CONFORMANCE_TE_ALLOW=1 logs mismatches without failing.

import (
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller"
	uptaint "k8s.io/kubernetes/pkg/controller/tainteviction"
	"k8s.io/utils/clock"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/tainteviction"
)

// teNodeItem and tePodItem have the layout of upstream's nodeUpdateItem and
// podUpdateItem.
type teNodeItem struct{ nodeName string }

type tePodItem struct{ podName, podNamespace, nodeName string }

//go:linkname teHandleNodeUpdate k8s.io/kubernetes/pkg/controller/tainteviction.(*Controller).handleNodeUpdate
func teHandleNodeUpdate(tc *uptaint.Controller, ctx context.Context, item teNodeItem)

//go:linkname teHandlePodUpdate k8s.io/kubernetes/pkg/controller/tainteviction.(*Controller).handlePodUpdate
func teHandlePodUpdate(tc *uptaint.Controller, ctx context.Context, item tePodItem)

// teClock is the timed worker queue's clock: a FakeClock whose AfterFunc
// timers the harness keeps and fires.
type teClock struct {
	*testingclock.FakeClock
	mu     sync.Mutex
	timers []*teTimer
}

type teTimer struct {
	c       *teClock
	at      time.Time
	f       func()
	stopped bool
}

func (c *teClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &teTimer{c: c, at: c.Now().Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *teTimer) C() <-chan time.Time { return nil }

func (t *teTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i < 0 {
		return false
	}
	t.c.timers = slices.Delete(t.c.timers, i, i+1)
	return true
}

func (t *teTimer) Reset(d time.Duration) bool {
	was := t.Stop()
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.at = t.c.Now().Add(d)
	t.c.timers = append(t.c.timers, t)
	return was
}

// next returns the earliest timer's instant.
func (c *teClock) next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	m := c.timers[0].at
	for _, t := range c.timers[1:] {
		if t.at.Before(m) {
			m = t.at
		}
	}
	return m, true
}

// due removes and returns the timers due at or before now.
func (c *teClock) due(now time.Time) []*teTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out, keep []*teTimer
	for _, t := range c.timers {
		if !t.at.After(now) {
			out = append(out, t)
		} else {
			keep = append(keep, t)
		}
	}
	c.timers = keep
	return out
}

// teUpstream is one upstream controller and its inputs.
type teUpstream struct {
	ctx     context.Context
	client  *fake.Clientset
	tc      *uptaint.Controller
	clk     *teClock
	wg      *sync.WaitGroup
	nodeQ   reflect.Value
	podQ    reflect.Value
	pods    map[string]*corev1.Pod // informer's pods by name (namespace default)
	nodes   map[string]*corev1.Node
	podIdx  cache.Indexer
	nodeIdx cache.Indexer
	mu      sync.Mutex
	deleted []string // pods deleted by the controller since the last look
	out     teRun    // the first deletion of each pod
}

func newTeUpstream() (*teUpstream, error) {
	u := &teUpstream{ctx: klog.NewContext(context.Background(), logr.Discard()), pods: map[string]*corev1.Pod{}, nodes: map[string]*corev1.Node{}}
	u.client = fake.NewSimpleClientset() // as upstream's own tests; NewClientset's field-managed tracker builds a REST mapper per write
	u.client.PrependReactor("delete", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
		u.mu.Lock()
		u.deleted = append(u.deleted, a.(clienttesting.DeleteAction).GetName())
		u.mu.Unlock()
		return false, nil, nil
	})
	factory := informers.NewSharedInformerFactory(u.client, 0)
	podInf, nodeInf := factory.Core().V1().Pods(), factory.Core().V1().Nodes()
	if err := controller.AddPodNodeNameIndexer(podInf.Informer()); err != nil {
		return nil, err
	}
	tc, err := uptaint.New(u.ctx, u.client, podInf, nodeInf, tainteviction.Name)
	if err != nil {
		return nil, err
	}
	u.tc = tc
	u.podIdx, u.nodeIdx = podInf.Informer().GetIndexer(), nodeInf.Informer().GetIndexer()
	u.clk = &teClock{FakeClock: testingclock.NewFakeClock(teEpoch)}
	q := dsField(tc, "taintEvictionQueue").Interface().(*uptaint.TimedWorkerQueue)
	dsField(q, "clock").Set(reflect.ValueOf(clock.WithDelayedExecution(u.clk)))
	u.wg = dsField(q, "workerWG").Addr().Interface().(*sync.WaitGroup)
	u.nodeQ = dsField(tc, "nodeUpdateQueue")
	u.podQ = dsField(tc, "podUpdateQueue")
	return u, nil
}

// drain handles the queued node updates, then the pod updates, as the
// workers would; after each, it waits for the deletions it started and
// tells the informer of them, as a prompt watch would.
func (u *teUpstream) drain() {
	for {
		progressed := false
		for u.nodeQ.MethodByName("Len").Call(nil)[0].Int() > 0 {
			out := u.nodeQ.MethodByName("Get").Call(nil)
			item := *(*teNodeItem)(teAddr(out[0]))
			teHandleNodeUpdate(u.tc, u.ctx, item)
			u.nodeQ.MethodByName("Done").Call([]reflect.Value{out[0]})
			u.wg.Wait()
			u.observeDeletes()
			progressed = true
		}
		if u.podQ.MethodByName("Len").Call(nil)[0].Int() > 0 {
			out := u.podQ.MethodByName("Get").Call(nil)
			item := *(*tePodItem)(teAddr(out[0]))
			teHandlePodUpdate(u.tc, u.ctx, item)
			u.podQ.MethodByName("Done").Call([]reflect.Value{out[0]})
			u.wg.Wait()
			u.observeDeletes()
			progressed = true
		}
		if !progressed {
			return
		}
	}
}

// teAddr returns a pointer to a copy of v's value.
func teAddr(v reflect.Value) unsafe.Pointer {
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.UnsafePointer()
}

func teV1Node(n *cluster.Node) (*corev1.Node, error) { return dsV1Node(n) }

// teRun is one sequence's outcome on one side: pod name -> second of its
// first deletion.
type teRun map[string]int

func teRunSim(nodes []string, steps []teStep, horizon int) (teRun, []teApplied, error) {
	te := tainteviction.New()
	e, err := sim.New(sim.Config{Start: teEpoch}, te)
	if err != nil {
		return nil, nil, err
	}
	var applied []teApplied
	zero := int64(0)
	for i := 0; i < len(steps); {
		at := steps[i].At
		when := teEpoch.Add(time.Duration(at) * time.Second)
		if err := e.RunUntil(when.Add(-time.Nanosecond)); err != nil {
			return nil, nil, err
		}
		from := e.LogLen()
		var batch []teStep
		for ; i < len(steps) && steps[i].At == at; i++ {
			s := steps[i]
			var ch cluster.Change
			switch s.Kind {
			case teSetTaints:
				n, ok := e.View().Node(s.Node)
				if !ok {
					continue
				}
				n = n.DeepCopy()
				n.Spec.Taints = slices.Clone(s.Taints)
				ch = cluster.Update{Object: n}
			case teCreateNode:
				ch = cluster.Create{Object: teNode(s.Node, s.Taints)}
			case teDeleteNode:
				ch = cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: s.Node}, GracePeriodSeconds: &zero}
			case teCreatePod:
				p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: "default", Name: s.Pod}}
				p.Spec.Containers = []cluster.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}
				p.Spec.NodeName = s.Node
				p.Spec.Tolerations = slices.Clone(s.Tols)
				ch = cluster.Create{Object: p}
			case teDeletePod:
				ch = cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: s.Pod}, GracePeriodSeconds: &zero}
			case teTolerate:
				p, ok := e.View().Pod("default", s.Pod)
				if !ok {
					continue
				}
				p = p.DeepCopy()
				p.Spec.Tolerations = append(p.Spec.Tolerations, s.Tols...)
				ch = cluster.Update{Object: p}
			}
			e.Submit(when, "gen", ch)
			batch = append(batch, s)
		}
		if err := e.RunUntil(when); err != nil {
			return nil, nil, err
		}
		// what the store accepted, as stored
		k := 0
		for ev := range e.Events(from) {
			if ev.Kind != sim.EventChange || ev.Source != "gen" {
				continue
			}
			a := teApplied{step: batch[k], change: ev.Change, refused: ev.Err}
			k++
			applied = append(applied, a)
		}
	}
	if err := e.RunUntil(teEpoch.Add(time.Duration(horizon) * time.Second)); err != nil {
		return nil, nil, err
	}
	out := teRun{}
	for ev := range e.Events(0) {
		if ev.Kind != sim.EventChange || ev.Source != tainteviction.Name || ev.Err != "" {
			continue
		}
		if d, ok := ev.Change.(cluster.Delete); ok && d.Key.Kind == cluster.KindPod {
			if _, seen := out[d.Key.Name]; !seen {
				out[d.Key.Name] = int(ev.At.Sub(teEpoch) / time.Second)
			}
		}
	}
	return out, applied, nil
}

// teApplied is a generated step as the daemonsim store took it.
type teApplied struct {
	step    teStep
	change  cluster.Change
	refused string
}

func teRunUpstream(applied []teApplied, horizon int) (teRun, error) {
	u, err := newTeUpstream()
	if err != nil {
		return nil, err
	}
	u.out = teRun{}
	podStore, nodeStore := u.podIdx, u.nodeIdx
	end := teEpoch.Add(time.Duration(horizon) * time.Second)
	i := 0
	for {
		// the next instant: the next change or the next timer
		var at time.Time
		have := false
		if i < len(applied) {
			at, have = teEpoch.Add(time.Duration(applied[i].step.At)*time.Second), true
		}
		if t, ok := u.clk.next(); ok && (!have || t.Before(at)) {
			at, have = t, true
		}
		if !have || at.After(end) {
			break
		}
		u.clk.SetTime(at)
		for ; i < len(applied) && !teEpoch.Add(time.Duration(applied[i].step.At)*time.Second).After(at); i++ {
			a := applied[i]
			if a.refused != "" {
				continue
			}
			if err := u.apply(a, podStore, nodeStore); err != nil {
				return nil, fmt.Errorf("%s: %w", a.step, err)
			}
		}
		u.drain()
		for {
			due := u.clk.due(at)
			if len(due) == 0 {
				break
			}
			for _, t := range due {
				t.f()
			}
			u.wg.Wait()
			u.observeDeletes()
			u.drain()
		}
	}
	return u.out, nil
}

// observeDeletes records the controller's deletions at the current
// instant and removes the pods from the informer, calling its handler.
func (u *teUpstream) observeDeletes() {
	u.mu.Lock()
	names := u.deleted
	u.deleted = nil
	u.mu.Unlock()
	for _, n := range names {
		if _, seen := u.out[n]; !seen {
			u.out[n] = int(u.clk.Now().Sub(teEpoch) / time.Second)
		}
		if p, ok := u.pods[n]; ok {
			delete(u.pods, n)
			_ = u.podIdx.Delete(p)
			u.tc.PodUpdated(p, nil)
		}
	}
}

type teIndexer interface {
	Add(any) error
	Update(any) error
	Delete(any) error
}

// apply writes one accepted change to the fake clientset and the informer
// and calls the informer's handler.
func (u *teUpstream) apply(a teApplied, podStore, nodeStore teIndexer) error {
	ctx := context.Background()
	s := a.step
	switch s.Kind {
	case teSetTaints, teCreateNode:
		n, err := teV1Node(teNode(s.Node, s.Taints))
		if err != nil {
			return err
		}
		old := u.nodes[s.Node]
		u.nodes[s.Node] = n
		if old == nil {
			if _, err := u.client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
				return err
			}
			_ = nodeStore.Add(n)
		} else {
			if _, err := u.client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
				return err
			}
			_ = nodeStore.Update(n)
		}
		u.tc.NodeUpdated(old, n)
	case teDeleteNode:
		old := u.nodes[s.Node]
		if old == nil {
			return nil
		}
		delete(u.nodes, s.Node)
		if err := u.client.CoreV1().Nodes().Delete(ctx, s.Node, metav1.DeleteOptions{}); err != nil {
			return err
		}
		_ = nodeStore.Delete(old)
		u.tc.NodeUpdated(old, nil)
	case teCreatePod:
		p, err := dsV1Pod(a.change.(cluster.Create).Object.(*cluster.Pod))
		if err != nil {
			return err
		}
		u.pods[s.Pod] = p
		if _, err := u.client.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			return err
		}
		_ = podStore.Add(p)
		u.tc.PodUpdated(nil, p)
	case teDeletePod:
		old := u.pods[s.Pod]
		if old == nil {
			return nil // deleted by the controller already
		}
		delete(u.pods, s.Pod)
		if err := u.client.CoreV1().Pods(old.Namespace).Delete(ctx, s.Pod, metav1.DeleteOptions{}); err != nil {
			return err
		}
		u.mu.Lock()
		u.deleted = slices.DeleteFunc(u.deleted, func(n string) bool { return n == s.Pod }) // the user's, not the controller's
		u.mu.Unlock()
		_ = podStore.Delete(old)
		u.tc.PodUpdated(old, nil)
	case teTolerate:
		old := u.pods[s.Pod]
		if old == nil {
			return nil
		}
		sp := a.change.(cluster.Update).Object.(*cluster.Pod)
		conv, err := dsV1Pod(sp)
		if err != nil {
			return err
		}
		n := old.DeepCopy()
		n.Spec.Tolerations = conv.Spec.Tolerations
		u.pods[s.Pod] = n
		if _, err := u.client.CoreV1().Pods(n.Namespace).Update(ctx, n, metav1.UpdateOptions{}); err != nil {
			return err
		}
		_ = podStore.Update(n)
		u.tc.PodUpdated(old, n)
	}
	return nil
}

func teDescribe(r teRun) string {
	var names []string
	for n := range r {
		names = append(names, n)
	}
	sort.Strings(names)
	var b []string
	for _, n := range names {
		b = append(b, fmt.Sprintf("%s@+%ds", n, r[n]))
	}
	return "[" + strings.Join(b, " ") + "]"
}

func TestTaintEvictionMatchesUpstream(t *testing.T) {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	start := time.Now()
	var seeds []uint64
	single := false
	if s, err := strconv.ParseUint(os.Getenv("CONFORMANCE_TE_SEED"), 10, 64); err == nil {
		seeds, single = []uint64{s}, true
	} else {
		for i := range dsEnvInt("CONFORMANCE_TE_N", 3000) {
			seeds = append(seeds, uint64(i+1))
		}
	}
	allow := os.Getenv("CONFORMANCE_TE_ALLOW") == "1"
	mismatches, deletions, refused := 0, 0, 0
	for _, seed := range seeds {
		nodes, steps := teGenerate(seed)
		horizon := steps[len(steps)-1].At + 400
		simRun, applied, err := teRunSim(nodes, steps, horizon)
		if err != nil {
			t.Fatalf("seed %d: daemonsim: %v", seed, err)
		}
		for _, a := range applied {
			if a.refused != "" {
				refused++
			}
		}
		upRun, err := teRunUpstream(applied, horizon)
		if err != nil {
			t.Fatalf("seed %d: upstream: %v", seed, err)
		}
		deletions += len(upRun)
		if single {
			var b strings.Builder
			for _, a := range applied {
				fmt.Fprintf(&b, "  %s", a.step)
				if a.refused != "" {
					fmt.Fprintf(&b, " REFUSED: %s", a.refused)
				}
				b.WriteString("\n")
			}
			t.Logf("seed %d:\n%s  upstream  %s\n  daemonsim %s", seed, b.String(), teDescribe(upRun), teDescribe(simRun))
		}
		if teDescribe(upRun) != teDescribe(simRun) {
			mismatches++
			msg := fmt.Sprintf("seed %d (CONFORMANCE_TE_SEED=%d):\n  upstream deletes  %s\n  daemonsim deletes %s", seed, seed, teDescribe(upRun), teDescribe(simRun))
			if allow {
				t.Log(msg)
			} else {
				t.Error(msg)
			}
		}
	}
	t.Logf("tainteviction: mismatches=%d sequences=%d (pods deleted=%d, steps refused by the store=%d) in %s",
		mismatches, len(seeds), deletions, refused, time.Since(start).Round(time.Millisecond))
	fmt.Printf("tainteviction: mismatches=%d sequences=%d\n", mismatches, len(seeds))
}
