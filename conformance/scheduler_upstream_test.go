package conformance

// The upstream side of the scheduler differential test: the real
// kube-scheduler of Kubernetes v1.37.1 (scheduler.New with the default
// profile, every in-tree plugin of it), in-process, with no API server.
//
// How it is driven, and why that is faithful. The informers are never
// started: before each scheduling cycle, schUpstream.sync feeds the
// scheduler's own cache (Cache.AddNode/UpdateNode/RemoveNode,
// AddPod/UpdatePod/RemovePod), the listers' indexers and the nominator
// from the cluster's state exactly as the informer event handlers of
// eventhandlers.go would (assigned pods into the cache, terminal pods
// dropped as the scheduler's field selector drops them, pending pods of
// default-scheduler with a nominatedNodeName into the nominator). Then one
// cycle runs on a fresh snapshot (Cache.UpdateSnapshot), through the real
// Scheduler.SchedulePod (schedulePod: PreFilter, the nominated node first,
// Filter with nominated pods, PreScore, Score, the selection, and
// OpportunisticBatching's node hint, on by default in v1.37) and, when no
// node fits, the framework's real RunPostFilterPlugins (DynamicResources,
// then DefaultPreemption with its real Evaluator), which is what
// schedulingAlgorithm does; the message is the FitError's, as
// handleSchedulingFailure writes it. The cycle's writes (the victims'
// DisruptionTarget and deletion, the nominations cleared) go to a fake
// clientset that records them and changes nothing: the test applies
// daemonsim's own writes to the cluster instead, so that both sides go on
// from the same state after every decision, mismatch or not.
//
// Upstream breaks score ties by heap order and the last preemption tie by
// map order, and starts the dry run at a random offset. To know whether a
// decision is forced, the same framework is run again on the same snapshot
// (RunPreFilterPlugins, RunFilterPluginsWithNominatedPods on every node,
// RunPreScorePlugins, RunScorePlugins) for the tied best nodes, and the
// Evaluator's DryRunPreemption over every potential node plus
// pickOneNodeForPreemption's chain for the tied candidates.
//
// OpportunisticBatching (on by default in v1.37) lets a cycle reuse the
// previous pod's scores for a pod with the same signature; the cycles are
// numbered here as upstream's queue numbers them (one per decision, a gap
// when virtual time moves) and settle keeps the batch's state on daemonsim's
// choice. With the default profile no pod is signable (PodTopologySpread
// has system default constraints), so no hint is given; the test counts
// the hints to show it.
//
// Feature gates: v1.37.1's defaults, except SchedulerAsyncPreemption, which
// is turned off so that the preemption's writes are made inside the cycle
// (the test completes them before the next cycle either way, as the brief
// of the harness requires; the decision itself does not depend on it).

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/events"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	internalcache "k8s.io/kubernetes/pkg/scheduler/backend/cache"
	internalqueue "k8s.io/kubernetes/pkg/scheduler/backend/queue"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption"
	plfeature "k8s.io/kubernetes/pkg/scheduler/framework/plugins/feature"
	"k8s.io/kubernetes/pkg/scheduler/framework/preemption"
	"k8s.io/kubernetes/pkg/scheduler/profile"

	utilfeature "k8s.io/apiserver/pkg/util/feature"

	"github.com/daemonsim/daemonsim/cluster"
)

// schQueue is the real scheduling queue with the scheduling cycle counted
// by the test: one cycle per decision, and a gap of one when virtual time
// moves (a real scheduler's next cycle would come seconds later, past
// OpportunisticBatching's 500 ms window).
type schQueue struct {
	internalqueue.SchedulingQueue
	cycle int64
}

func (q *schQueue) SchedulingCycle() int64 { return q.cycle }

type schUpstream struct {
	ctx    context.Context
	cancel context.CancelFunc
	logger klog.Logger
	client *fake.Clientset
	sched  *scheduler.Scheduler
	fw     framework.Framework
	snap   *internalcache.Snapshot
	queue  *schQueue
	pl     *defaultpreemption.DefaultPreemption

	podIdx, nodeIdx, pdbIdx cache.Indexer

	nodes map[string]*v1.Node
	pods  map[string]*v1.Pod // by namespace/name, non-terminal
	pdbs  map[string]*policyv1.PodDisruptionBudget
	conv  map[string]runtime.Object // converted objects by key@resourceVersion

	lastNow time.Time
	// coverage: preemptions upstream made, and those whose chosen node
	// violates a PodDisruptionBudget
	preemptions, pdbViolating int
}

func newSchUpstream() (*schUpstream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	u := &schUpstream{ctx: ctx, cancel: cancel, logger: klog.Background(),
		nodes: map[string]*v1.Node{}, pods: map[string]*v1.Pod{}, pdbs: map[string]*policyv1.PodDisruptionBudget{}, conv: map[string]runtime.Object{}}
	u.client = fake.NewClientset()
	// Every write of the cycle is recorded and changes nothing.
	u.client.PrependReactor("*", "*", func(clienttesting.Action) (bool, runtime.Object, error) { return true, nil, nil })
	factory := informers.NewSharedInformerFactory(u.client, 0)
	u.podIdx = factory.Core().V1().Pods().Informer().GetIndexer()
	u.nodeIdx = factory.Core().V1().Nodes().Informer().GetIndexer()
	u.pdbIdx = factory.Policy().V1().PodDisruptionBudgets().Informer().GetIndexer()
	u.snap = internalcache.NewEmptySnapshot()
	recorders := profile.RecorderFactory(func(string) events.EventRecorderLogger { return &events.FakeRecorder{} })
	s, err := scheduler.New(ctx, u.client, factory, nil, recorders,
		scheduler.WithParallelism(1), scheduler.WithNodeInfoSnapshot(u.snap))
	if err != nil {
		cancel()
		return nil, err
	}
	u.sched = s
	u.queue = &schQueue{SchedulingQueue: s.SchedulingQueue}
	s.SchedulingQueue = u.queue
	u.fw = s.Profiles[v1.DefaultSchedulerName]
	if u.fw == nil {
		cancel()
		return nil, fmt.Errorf("no %s profile", v1.DefaultSchedulerName)
	}
	// A DefaultPreemption of the same configuration on the same framework,
	// for the dry runs of the forcedness check.
	pl, err := defaultpreemption.New(ctx, &config.DefaultPreemptionArgs{MinCandidateNodesPercentage: 10, MinCandidateNodesAbsolute: 100},
		u.fw, plfeature.NewSchedulerFeaturesFromGates(utilfeature.DefaultFeatureGate))
	if err != nil {
		cancel()
		return nil, err
	}
	u.pl = pl
	return u, nil
}

func (u *schUpstream) close() { u.cancel() }

// schConvert turns a daemonsim object into its v1 form through JSON; the
// kinds share Kubernetes' field names.
func schConvert[T any](in any) (*T, error) {
	out := new(T)
	return out, dsConvert(in, out)
}

func (u *schUpstream) converted(key string, rv uint64, in any, conv func(any) (runtime.Object, error)) (runtime.Object, error) {
	k := key + "@" + strconv.FormatUint(rv, 10)
	if o, ok := u.conv[k]; ok {
		return o, nil
	}
	o, err := conv(in)
	if err != nil {
		return nil, err
	}
	u.conv[k] = o
	return o, nil
}

func schPodKey(ns, name string) string { return ns + "/" + name }

func schAssigned(p *v1.Pod) bool { return p.Spec.NodeName != "" }

func schResponsible(p *v1.Pod) bool { return p.Spec.SchedulerName == v1.DefaultSchedulerName }

// sync brings the cache, the indexers and the nominator to the state of v,
// as the informers' event handlers would.
func (u *schUpstream) sync(v cluster.View) error {
	seen := map[string]bool{}
	for n := range v.Nodes() {
		seen[n.Name] = true
		old := u.nodes[n.Name]
		if old != nil && old.ResourceVersion == strconv.FormatUint(n.ResourceVersion, 10) && string(old.UID) == n.UID {
			continue
		}
		o, err := u.converted("node/"+n.Name, n.ResourceVersion, n, func(in any) (runtime.Object, error) { return schConvert[v1.Node](in) })
		if err != nil {
			return err
		}
		nn := o.(*v1.Node)
		if old == nil {
			u.sched.Cache.AddNode(u.logger, nn)
			_ = u.nodeIdx.Add(nn)
		} else {
			u.sched.Cache.UpdateNode(u.logger, old, nn)
			_ = u.nodeIdx.Update(nn)
		}
		u.nodes[n.Name] = nn
	}
	for name, old := range u.nodes {
		if !seen[name] {
			_ = u.sched.Cache.RemoveNode(u.logger, old)
			_ = u.nodeIdx.Delete(old)
			delete(u.nodes, name)
		}
	}

	seen = map[string]bool{}
	for p := range v.Pods() {
		if p.IsTerminal() {
			continue // the scheduler's informer selects non-terminal pods only
		}
		key := schPodKey(p.Namespace, p.Name)
		seen[key] = true
		old := u.pods[key]
		if old != nil && old.ResourceVersion == strconv.FormatUint(p.ResourceVersion, 10) && string(old.UID) == p.UID {
			continue
		}
		if old != nil && string(old.UID) != p.UID {
			u.podEvent(old, nil)
			old = nil
		}
		o, err := u.converted("pod/"+key, p.ResourceVersion, p, func(in any) (runtime.Object, error) { return schConvert[v1.Pod](in) })
		if err != nil {
			return err
		}
		u.podEvent(old, o.(*v1.Pod))
	}
	for key, old := range u.pods {
		if !seen[key] {
			u.podEvent(old, nil)
		}
	}

	seen = map[string]bool{}
	for ns := range u.namespaces(v) {
		for b := range v.PodDisruptionBudgets(ns) {
			key := schPodKey(b.Namespace, b.Name)
			seen[key] = true
			old := u.pdbs[key]
			if old != nil && old.ResourceVersion == strconv.FormatUint(b.ResourceVersion, 10) {
				continue
			}
			o, err := u.converted("pdb/"+key, b.ResourceVersion, b, func(in any) (runtime.Object, error) { return schConvert[policyv1.PodDisruptionBudget](in) })
			if err != nil {
				return err
			}
			nb := o.(*policyv1.PodDisruptionBudget)
			if old == nil {
				_ = u.pdbIdx.Add(nb)
			} else {
				_ = u.pdbIdx.Update(nb)
			}
			u.pdbs[key] = nb
		}
	}
	for key, old := range u.pdbs {
		if !seen[key] {
			_ = u.pdbIdx.Delete(old)
			delete(u.pdbs, key)
		}
	}
	return nil
}

// namespaces yields the namespaces that have pods, plus default.
func (u *schUpstream) namespaces(v cluster.View) map[string]bool {
	ns := map[string]bool{cluster.DefaultNamespace: true}
	for p := range v.Pods() {
		ns[p.Namespace] = true
	}
	return ns
}

// podEvent applies one pod change (old or nw nil for an add or a delete)
// as the scheduler's event handlers do (addPod, updatePod, deletePod):
// assigned pods go to the cache; pending pods of this profile to the
// scheduling queue, whose nominator serves the nominated pods with their
// queued PodInfo (a nominated pod missing from the queue would count as
// an empty pod of priority 0).
func (u *schUpstream) podEvent(old, nw *v1.Pod) {
	ctx := klog.NewContext(u.ctx, u.logger)
	switch {
	case nw == nil:
		_ = u.podIdx.Delete(old)
		if schAssigned(old) {
			_ = u.sched.Cache.RemovePod(u.logger, old)
		} else if schResponsible(old) {
			u.queue.Delete(u.logger, old)
		}
		delete(u.pods, schPodKey(old.Namespace, old.Name))
		return
	case old == nil:
		_ = u.podIdx.Add(nw)
	default:
		_ = u.podIdx.Update(nw)
	}
	u.pods[schPodKey(nw.Namespace, nw.Name)] = nw
	switch {
	case old != nil && schAssigned(old):
		_ = u.sched.Cache.UpdatePod(u.logger, old, nw)
	case schAssigned(nw):
		_ = u.sched.Cache.AddPod(u.logger, nw)
		if old != nil && schResponsible(old) {
			u.queue.Delete(u.logger, old)
		}
	case !schResponsible(nw):
	case old == nil:
		u.queue.Add(ctx, nw)
	default:
		u.queue.Update(ctx, old, nw)
	}
}

// schUpDecision is upstream's decision for one pod in one cycle.
type schUpDecision struct {
	node    string // bound to; "" when the pod fits nowhere
	message string // the FailedScheduling message when it fits nowhere
	// the nomination after the cycle, and whether the cycle set it
	nominated    string
	nominatedSet bool
	victims      []string // namespace/name, the pods whose deletion was sent
	clears       []string // pods whose nomination was cleared
	preempted    bool     // DefaultPreemption found a node

	forced bool
	why    string   // why not forced
	best   []string // the tied best nodes (bind) or preemption candidates left by the chain
	// candidate victims of every preemption candidate, actuated ones only
	candVictims map[string][]string
	candCount   map[string]int      // every victim, terminating ones too (the message counts them)
	candClears  map[string][]string // lower-priority pods nominated to the candidate
	ambiguous   map[string]bool     // candidates whose victims depend on the order of equal pods

	hinted       bool // the OpportunisticBatching hint (not a full scoring) chose the node
	hintFresh    bool // ... and a fresh scoring would have chosen among best too
	feasible     []fwk.NodePluginScores
	pluginScores map[string]map[string]int64 // node -> plugin -> weighted score
	reasons      map[string][]string         // node -> filter reasons, when the pod fits nowhere
	sig          fwk.PodSignature
}

// decide runs one scheduling cycle for the pod with key k against the
// state of v, without changing anything but the batching state.
func (u *schUpstream) decide(v cluster.View, now time.Time, k cluster.Key, stamp time.Time) (*schUpDecision, error) {
	if err := u.sync(v); err != nil {
		return nil, err
	}
	pod := u.pods[schPodKey(k.Namespace, k.Name)]
	if pod == nil {
		return nil, fmt.Errorf("pod %s not in the upstream cache", k)
	}
	if err := u.sched.Cache.UpdateSnapshot(u.logger, u.snap); err != nil {
		return nil, err
	}
	if !now.Equal(u.lastNow) {
		u.queue.cycle++ // a gap: no batch across instants
		u.lastNow = now
	}
	u.queue.cycle++
	ctx := u.ctx
	pi, err := framework.NewPodInfo(pod)
	if err != nil {
		return nil, err
	}
	qpi := &framework.QueuedPodInfo{PodInfo: pi, PodSignature: u.fw.SignPod(ctx, pod)}
	qpi.Timestamp = stamp
	d := &schUpDecision{nominated: pod.Status.NominatedNodeName, sig: qpi.PodSignature}

	state := framework.NewCycleState()
	state.Write(framework.PodsToActivateKey, framework.NewPodsToActivate())
	res, err := u.sched.SchedulePod(ctx, u.fw, state, qpi)
	if err == nil {
		d.node = res.SuggestedHost
		if err := u.scoreCheck(pod, d, res); err != nil {
			return nil, err
		}
		return d, nil
	}
	if err == scheduler.ErrNoNodesAvailable {
		d.message, d.nominated, d.nominatedSet, d.forced = err.Error(), "", true, true
		return d, nil
	}
	fitErr, ok := err.(*framework.FitError)
	if !ok {
		return nil, fmt.Errorf("SchedulePod: %w", err)
	}
	d.reasons = map[string][]string{}
	fitErr.Diagnosis.NodeToStatus.ForEachExplicitNode(func(node string, st *fwk.Status) { d.reasons[node] = st.Reasons() })
	u.client.ClearActions()
	result, st := u.fw.RunPostFilterPlugins(ctx, state, pod, fitErr.Diagnosis.NodeToStatus)
	fitErr.Diagnosis.PostFilterMsg = st.Message()
	d.message = fitErr.Error()
	if result != nil && result.NominatingInfo != nil && result.Mode() == fwk.ModeOverride {
		d.nominated, d.nominatedSet = result.NominatedNodeName, true
	}
	deleted := map[string]bool{}
	var patched []string
	for _, a := range u.client.Actions() {
		switch a := a.(type) {
		case clienttesting.DeleteAction:
			key := schPodKey(a.GetNamespace(), a.GetName())
			d.victims = append(d.victims, key)
			deleted[key] = true
		case clienttesting.PatchAction:
			patched = append(patched, schPodKey(a.GetNamespace(), a.GetName()))
		}
	}
	for _, p := range patched {
		if !deleted[p] && !slices.Contains(d.clears, p) {
			d.clears = append(d.clears, p)
		}
	}
	d.forced = true
	if st.IsSuccess() {
		d.preempted = true
		if err := u.preemptionCheck(state, pod, fitErr, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// scoreCheck finds the feasible nodes and the tied best ones by running
// the framework again on the same snapshot.
func (u *schUpstream) scoreCheck(pod *v1.Pod, d *schUpDecision, res scheduler.ScheduleResult) error {
	ctx := u.ctx
	st := framework.NewCycleState()
	preRes, s, _ := u.fw.RunPreFilterPlugins(ctx, st, pod)
	if !s.IsSuccess() {
		return fmt.Errorf("PreFilter rejects %s in the check but SchedulePod placed it on %s", pod.Name, d.node)
	}
	if nnn := pod.Status.NominatedNodeName; nnn != "" {
		if ni, err := u.snap.NodeInfos().Get(nnn); err == nil && ni != nil && u.fw.RunFilterPluginsWithNominatedPods(ctx, st, pod, ni).IsSuccess() {
			d.forced, d.best = true, []string{nnn}
			if d.node != nnn {
				return fmt.Errorf("%s fits its nominated node %s but SchedulePod chose %s", pod.Name, nnn, d.node)
			}
			return nil
		}
	}
	all, err := u.snap.NodeInfos().List()
	if err != nil {
		return err
	}
	var nodes []fwk.NodeInfo
	for _, ni := range all {
		if preRes.AllNodes() || preRes.NodeNames.Has(ni.Node().Name) {
			nodes = append(nodes, ni)
		}
	}
	var feasible []fwk.NodeInfo
	for _, ni := range nodes {
		if u.fw.RunFilterPluginsWithNominatedPods(ctx, st, pod, ni).IsSuccess() {
			feasible = append(feasible, ni)
		}
	}
	switch len(feasible) {
	case 0:
		return fmt.Errorf("no node fits %s in the check but SchedulePod chose %s", pod.Name, d.node)
	case 1:
		d.forced, d.best = true, []string{feasible[0].Node().Name}
	default:
		if s := u.fw.RunPreScorePlugins(ctx, st, pod, feasible); !s.IsSuccess() {
			return s.AsError()
		}
		scores, s := u.fw.RunScorePlugins(ctx, st, pod, feasible)
		if !s.IsSuccess() {
			return s.AsError()
		}
		d.feasible = scores
		d.pluginScores = map[string]map[string]int64{}
		top := int64(math.MinInt64)
		for _, sc := range scores {
			m := map[string]int64{}
			for _, ps := range sc.Scores {
				m[ps.Name] = ps.Score
			}
			d.pluginScores[sc.Name] = m
			if sc.TotalScore > top {
				top, d.best = sc.TotalScore, nil
			}
			if sc.TotalScore == top {
				d.best = append(d.best, sc.Name)
			}
		}
		d.forced = len(d.best) == 1
		if !d.forced {
			d.why = "score tie"
		}
	}
	if !slices.Contains(d.best, d.node) {
		if res.FeasibleNodes == 1 && len(feasible) > 1 {
			// OpportunisticBatching's hint: the previous pod's sorted
			// nodes, not a fresh scoring, chose the node
			d.hinted = true
			return nil
		}
		return fmt.Errorf("SchedulePod chose %s for %s, not among the best %v", d.node, pod.Name, d.best)
	}
	if res.FeasibleNodes == 1 && len(feasible) > 1 {
		d.hinted, d.hintFresh = true, true
	}
	return nil
}

// settle makes the batching state follow the decision the test applies to
// the cluster (daemonsim's), so that the next cycle's hint is what
// upstream would have if it had decided the same.
func (u *schUpstream) settle(d *schUpDecision, node string) {
	if d == nil || d.node == node {
		return
	}
	var others []fwk.NodePluginScores
	for _, sc := range d.feasible {
		if sc.Name != node {
			others = append(others, sc)
		}
	}
	var sorted framework.SortedScoredNodes
	if node != "" && len(others) > 0 {
		sorted = framework.NewSortedScoredNodes(others)
	}
	u.fw.StoreScheduleResults(u.ctx, d.sig, "", node, sorted, u.queue.cycle)
}

// schStart is GetPodStartTime for comparisons: a pod without a start time
// counts as started now, later than any recorded start.
func schStart(p *v1.Pod) int64 {
	if p.Status.StartTime == nil {
		return math.MaxInt64
	}
	return p.Status.StartTime.UnixNano()
}

// preemptionCheck dry-runs every potential node and applies
// pickOneNodeForPreemption's chain to see which candidates tie.
func (u *schUpstream) preemptionCheck(state fwk.CycleState, pod *v1.Pod, fitErr *framework.FitError, d *schUpDecision) error {
	ctx := u.ctx
	potential, err := fitErr.Diagnosis.NodeToStatus.NodesForStatusCode(u.snap.NodeInfos(), fwk.Unschedulable)
	if err != nil {
		return err
	}
	pdbs, err := u.pl.Evaluator.PdbLister.List(labels.Everything())
	if err != nil {
		return err
	}
	cands, _, err := u.pl.Evaluator.DryRunPreemption(ctx, state, pod, potential, pdbs, 0, int32(len(potential)))
	if err != nil {
		return err
	}
	d.candVictims = map[string][]string{}
	d.candCount = map[string]int{}
	d.candClears = map[string][]string{}
	d.ambiguous = map[string]bool{}
	byName := map[string]preemption.Candidate{}
	for _, c := range cands {
		byName[c.Name()] = c
		var vs []string
		for _, p := range c.Victims().Pods {
			if p.DeletionTimestamp == nil {
				vs = append(vs, schPodKey(p.Namespace, p.Name))
			}
		}
		d.candVictims[c.Name()] = vs
		d.candCount[c.Name()] = len(c.Victims().Pods)
		for _, np := range u.queue.NominatedPodsForNode(c.Name()) {
			if q := np.GetPod(); corev1helpers.PodPriority(q) < corev1helpers.PodPriority(pod) && q.Status.NominatedNodeName != "" {
				d.candClears[c.Name()] = append(d.candClears[c.Name()], schPodKey(q.Namespace, q.Name))
			}
		}
		ni, err := u.snap.NodeInfos().Get(c.Name())
		if err != nil {
			return err
		}
		d.ambiguous[c.Name()] = schVictimsAmbiguous(pod, ni, c.Victims().Pods, pdbs)
	}
	u.preemptions++
	if c, ok := byName[d.nominated]; ok && c.Victims().NumPDBViolations > 0 {
		u.pdbViolating++
	}
	if _, ok := byName[d.nominated]; !ok {
		return fmt.Errorf("preemption nominated %s for %s, which the dry run does not offer (%d candidates)", d.nominated, pod.Name, len(cands))
	}
	// pickOneNodeForPreemption's chain; the last tie is a map's order
	alive := slices.Collect(func(yield func(string) bool) {
		for _, c := range cands {
			if !yield(c.Name()) {
				return
			}
		}
	})
	funcs := []func(c preemption.Candidate) int64{
		func(c preemption.Candidate) int64 { return -c.Victims().NumPDBViolations },
		func(c preemption.Candidate) int64 { return -int64(corev1helpers.PodPriority(c.Victims().Pods[0])) },
		func(c preemption.Candidate) int64 {
			var sum int64
			for _, p := range c.Victims().Pods {
				sum += int64(corev1helpers.PodPriority(p)) + int64(math.MaxInt32+1)
			}
			return -sum
		},
		func(c preemption.Candidate) int64 { return -int64(len(c.Victims().Pods)) },
		func(c preemption.Candidate) int64 {
			vs := c.Victims().Pods
			earliest, top := schStart(vs[0]), corev1helpers.PodPriority(vs[0])
			for _, p := range vs {
				switch pr := corev1helpers.PodPriority(p); {
				case pr == top && schStart(p) < earliest:
					earliest = schStart(p)
				case pr > top:
					top, earliest = pr, schStart(p)
				}
			}
			return earliest
		},
	}
	for _, f := range funcs {
		if len(alive) == 1 {
			break
		}
		best := int64(math.MinInt64)
		var next []string
		for _, name := range alive {
			s := f(byName[name])
			if s > best {
				best, next = s, nil
			}
			if s == best {
				next = append(next, name)
			}
		}
		alive = next
	}
	d.best = alive
	if !slices.Contains(alive, d.nominated) && !d.ambiguous[d.nominated] {
		return fmt.Errorf("preemption nominated %s for %s, outside the chain's choice %v", d.nominated, pod.Name, alive)
	}
	d.forced = len(alive) == 1
	if !d.forced {
		d.why = "preemption tie"
	}
	for _, c := range cands {
		if d.ambiguous[c.Name()] {
			d.forced, d.why = false, "equal victims"
		}
	}
	return nil
}

// schVictimsAmbiguous reports whether the victims chosen on a node could
// depend on the order of equally important potential victims (equal
// priority and start time): upstream sorts them with sort.Slice, so their
// order is that of the node's pod list. It is when such a group is split
// between victims and reprieved pods, or a PodDisruptionBudget counts them
// (which of them uses up the allowed disruptions depends on the order).
func schVictimsAmbiguous(pod *v1.Pod, ni fwk.NodeInfo, victims []*v1.Pod, pdbs []*policyv1.PodDisruptionBudget) bool {
	prio := corev1helpers.PodPriority(pod)
	type key struct {
		prio  int32
		start int64
	}
	groups := map[key][]*v1.Pod{}
	for _, pi := range ni.GetPods() {
		p := pi.GetPod()
		if corev1helpers.PodPriority(p) < prio {
			k := key{corev1helpers.PodPriority(p), schStart(p)}
			groups[k] = append(groups[k], p)
		}
	}
	isVictim := map[string]bool{}
	for _, v := range victims {
		isVictim[string(v.UID)] = true
	}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		n := 0
		guarded := false
		for _, p := range g {
			if isVictim[string(p.UID)] {
				n++
			}
			for _, b := range pdbs {
				if b.Namespace != p.Namespace || b.Spec.Selector == nil {
					continue
				}
				if _, done := b.Status.DisruptedPods[p.Name]; done {
					continue
				}
				sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
				if err == nil && !sel.Empty() && sel.Matches(labels.Set(p.Labels)) {
					guarded = true
				}
			}
		}
		if (n > 0 && n < len(g)) || guarded {
			return true
		}
	}
	return false
}

// schShort renders a namespace/name list without the default namespace.
func schShort(keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, cluster.DefaultNamespace+"/")
	}
	slices.Sort(out)
	return "[" + strings.Join(out, " ") + "]"
}
