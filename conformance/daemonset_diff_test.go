package conformance

// The DaemonSet controller differential test (issue 19): per generated
// cluster (daemonset_gen_test.go), one sync of the real controller,
// k8s.io/kubernetes/pkg/controller/daemon v1.37.1, and one sync of
// daemonsim's daemonset.Controller, on the same state at the same instant,
// compared decision by decision.
//
// Upstream runs in-process on a client-go fake clientset: a shared informer
// factory whose indexers are filled directly (as upstream's
// daemon_controller_test.go does), a fake clock, and the real pod control
// (controller.RealPodControl on the fake clientset, its events going to a
// record.FakeRecorder); the writes are read from a reactor and from the
// clientset's recorded actions. The controller's syncHandler, event
// recorder, pod control and expectations are unexported: they are reached
// with reflect and unsafe. Each DaemonSet is synced by a fresh controller,
// because daemonsim's one Reconcile syncs every DaemonSet against the same
// view.
//
// Two models of upstream's informer cache during the sync:
//
//   - instant (the default): every write of the sync is in the cache at
//     once, as an informer that saw it at once would have it (a graceful pod
//     deletion leaves the pod terminating, an immediate one removes it, a
//     create adds the pod, a patch changes it, a delete that changes nothing
//     sends no event) and the watch handlers' expectation bookkeeping is
//     done. Upstream's own unit tests run close to this (their pod control
//     removes a deleted pod outright); it is how upstream, after manage's
//     creates and deletes, runs the rolling update in the same sync, as
//     daemonsim does. The status is the exception: daemonsim counts the pods
//     as the sync found them, a deliberate difference of its package doc, so
//     the status is compared with the async run's and the syncs where the
//     instant run's differs are counted as deliberate.
//   - async: nothing the sync writes is seen before the sync ends, as when
//     the watch events arrive late; the rolling update then waits for the
//     next sync whenever manage acted, and the status counts the state as
//     the sync found it.
//
// CONFORMANCE_DS_CACHE=async makes async the model the mismatch count is
// taken against; the other model is always run too and its count reported.
//
// Each mismatch is filed under a cause: first by rerunning upstream with
// counterfactuals (dsVariant) and checking whether one reproduces
// daemonsim's outcome exactly, else from the fields that differ and facts
// about the state (dsCauses).
//
// Compared: pods created (target node; labels, with the
// controller-revision-hash label compared by the revision it names;
// tolerations, affinity, owner references), pods deleted (by name),
// adoptions and releases, pods relabelled, ControllerRevisions created,
// updated and deleted, the status written (every counter and
// observedGeneration; collisionCount) and the events (type, reason,
// message). The deliberate differences of daemonsim's package doc are
// taken out of the comparison and counted: created pods' names, the bytes
// of a new revision's hash, the notes upstream does not emit, the
// candidates a rolling update takes when upstream's choice is a random
// draw (map order) among more candidates than it may take, the rest of a
// sync that relabels pods while deduplicating revisions, and the status
// counting the pods as the sync found them.
//
// Environment: CONFORMANCE_DS_N clusters (default 300, seeds 1..N);
// CONFORMANCE_DS_SEED=s runs cluster s alone and prints it in full;
// CONFORMANCE_DS_ALLOW=1 logs mismatches without failing;
// CONFORMANCE_DS_CACHE=instant|async as above.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
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
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"
	"k8s.io/kubernetes/pkg/controller"
	"k8s.io/kubernetes/pkg/controller/daemon"
	"k8s.io/kubernetes/pkg/controller/daemon/util"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
)

// ---------------------------------------------------------------- settings

func dsEnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// dsSeeds returns the seeds to run: CONFORMANCE_DS_SEED alone, or 1..N.
func dsSeeds() (seeds []uint64, single bool) {
	if s, err := strconv.ParseUint(os.Getenv("CONFORMANCE_DS_SEED"), 10, 64); err == nil {
		return []uint64{s}, true
	}
	for i := range dsEnvInt("CONFORMANCE_DS_N", 300) {
		seeds = append(seeds, uint64(i+1))
	}
	return seeds, false
}

const (
	dsInstant = "instant"
	dsAsync   = "async"
)

func dsPrimaryModel() string {
	if os.Getenv("CONFORMANCE_DS_CACHE") == dsAsync {
		return dsAsync
	}
	return dsInstant
}

// ---------------------------------------------------------------- outcome

// dsOps is what one sync of one DaemonSet did, normalised so that the two
// controllers' outcomes compare as sorted string lists.
type dsOps struct {
	Creates     []string // "<node> <labels>"
	CreateSpecs []string // "<node> <tolerations, affinity, owner references, ...>"
	Deletes     []string // pod names
	Adopts      []string
	Releases    []string
	Relabels    []string // "<pod> -> <revision>"
	RevCreates  []string
	RevUpdates  []string
	RevDeletes  []string
	Status      string
	Collision   string
	Events      []string // "<type> <reason>: <message>"
	Failed      string   // the sync's error (upstream) or RollingUpdateFailed (daemonsim)
}

var dsFieldNames = []string{"Creates", "CreateSpecs", "Deletes", "Adopts", "Releases", "Relabels", "RevCreates", "RevUpdates", "RevDeletes", "Status", "Collision", "Events", "Failed"}

func (o *dsOps) field(name string) []string {
	v := reflect.ValueOf(o).Elem().FieldByName(name)
	if v.Kind() == reflect.String {
		if v.String() == "" {
			return nil
		}
		return []string{v.String()}
	}
	return v.Interface().([]string)
}

func (o *dsOps) setField(name string, vals []string) {
	v := reflect.ValueOf(o).Elem().FieldByName(name)
	if v.Kind() == reflect.String {
		v.SetString(strings.Join(vals, ""))
		return
	}
	v.Set(reflect.ValueOf(vals))
}

func (o *dsOps) sort() {
	for _, f := range dsFieldNames {
		l := o.field(f)
		sort.Strings(l)
		if slices.Contains([]string{"Adopts", "Releases", "Relabels", "RevUpdates"}, f) {
			l = dedupSorted(l)
		}
		o.setField(f, l)
	}
}

// dedupSorted drops repeats: upstream claims pods up to three times in a
// sync (manage, the rolling update and the status each list them), and
// with an async cache it sends the same adoption patch each time.
func dedupSorted(l []string) []string { return slices.Compact(l) }

// dsDiff is one field on which the outcomes differ.
type dsDiff struct {
	field    string
	up, sim  []string // the whole field
	onlyUp   []string
	onlySim  []string
	excluded string // a deliberate difference covers it
}

func dsCompare(up, sim *dsOps) []dsDiff {
	var out []dsDiff
	for _, f := range dsFieldNames {
		a, b := up.field(f), sim.field(f)
		if f == "CreateSpecs" {
			// the specs of pods created on the same nodes; a node only one
			// side creates on shows under Creates
			a, b = dsCommonNodes(a, b), dsCommonNodes(b, a)
		}
		if slices.Equal(a, b) {
			continue
		}
		d := dsDiff{field: f, up: a, sim: b}
		for _, x := range a {
			if !slices.Contains(b, x) {
				d.onlyUp = append(d.onlyUp, x)
			}
		}
		for _, x := range b {
			if !slices.Contains(a, x) {
				d.onlySim = append(d.onlySim, x)
			}
		}
		out = append(out, d)
	}
	return out
}

// dsCommonNodes keeps the entries of a ("<node> ...") whose node also
// starts an entry of b.
func dsCommonNodes(a, b []string) []string {
	nodes := map[string]bool{}
	for _, x := range b {
		n, _, _ := strings.Cut(x, " ")
		nodes[n] = true
	}
	var out []string
	for _, x := range a {
		if n, _, _ := strings.Cut(x, " "); nodes[n] {
			out = append(out, x)
		}
	}
	return out
}

// dsTokens names revision hashes by the revision they belong to, so that
// the hash bytes, which differ on purpose, are not compared.
type dsTokens struct {
	byHash  map[string][]string // hash label (or name when unlabelled) -> revision names
	newHash string              // the hash of the revision this sync created
}

func newDSTokens(crs []*appsv1.ControllerRevision, ns string) *dsTokens {
	t := &dsTokens{byHash: map[string][]string{}}
	for _, cr := range crs {
		if cr.Namespace != ns {
			continue
		}
		h, ok := cr.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
		if !ok {
			h = cr.Name
		}
		t.byHash[h] = append(t.byHash[h], cr.Name)
	}
	return t
}

func (t *dsTokens) token(h string) string {
	if h == "" {
		return ""
	}
	if h == t.newHash {
		return "rev:<new>"
	}
	if names, ok := t.byHash[h]; ok {
		return "rev:" + strings.Join(names, "|")
	}
	return "hash:" + h
}

func (t *dsTokens) labels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		v := l[k]
		if k == appsv1.DefaultDaemonSetUniqueLabelKey {
			v = "<" + t.token(v) + ">"
		}
		b.WriteString(k + "=" + v)
	}
	b.WriteByte('}')
	return b.String()
}

func dsJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

// dsAlias maps pool members to a placeholder when a random draw chooses
// among them (see dsRollingPools); identity otherwise.
type dsAlias struct {
	pods, nodes map[string]string // name -> the placeholder of its pool
}

func newDSAlias() *dsAlias { return &dsAlias{pods: map[string]string{}, nodes: map[string]string{}} }

func (a *dsAlias) pod(name string) string {
	if l, ok := a.podAlias(name); ok {
		return l
	}
	return name
}

func (a *dsAlias) podAlias(name string) (string, bool) {
	if a == nil {
		return "", false
	}
	l, ok := a.pods[name]
	return l, ok
}

func (a *dsAlias) node(name string) string {
	if a != nil {
		if l, ok := a.nodes[name]; ok {
			return l
		}
	}
	return name
}

// merge adds b's pools to a (either may be nil) and returns the result.
func (a *dsAlias) merge(b *dsAlias) *dsAlias {
	if b == nil {
		return a
	}
	if a == nil {
		a = newDSAlias()
	}
	for k, v := range b.pods {
		a.pods[k] = v
	}
	for k, v := range b.nodes {
		a.nodes[k] = v
	}
	return a
}

// addCreate records a created pod (in upstream's type).
func (o *dsOps) addCreate(p *corev1.Pod, tok *dsTokens, alias *dsAlias) {
	node, err := util.GetTargetNodeName(p)
	if err != nil {
		node = "<" + err.Error() + ">"
	}
	an := alias.node(node)
	o.Creates = append(o.Creates, an+" "+tok.labels(p.Labels))
	aff := p.Spec.Affinity.DeepCopy()
	if aff != nil && aff.NodeAffinity != nil && aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for i := range term.MatchFields {
				for j, v := range term.MatchFields[i].Values {
					term.MatchFields[i].Values[j] = alias.node(v)
				}
			}
		}
	}
	spec := struct {
		NodeName        string                  `json:"nodeName,omitempty"`
		Tolerations     []corev1.Toleration     `json:"tolerations,omitempty"`
		Affinity        *corev1.Affinity        `json:"affinity,omitempty"`
		NodeSelector    map[string]string       `json:"nodeSelector,omitempty"`
		HostNetwork     bool                    `json:"hostNetwork,omitempty"`
		Annotations     map[string]string       `json:"annotations,omitempty"`
		OwnerReferences []metav1.OwnerReference `json:"ownerReferences,omitempty"`
		Finalizers      []string                `json:"finalizers,omitempty"`
		Containers      []corev1.Container      `json:"containers,omitempty"`
	}{p.Spec.NodeName, p.Spec.Tolerations, aff, p.Spec.NodeSelector, p.Spec.HostNetwork, p.Annotations, p.OwnerReferences, p.Finalizers, p.Spec.Containers}
	o.CreateSpecs = append(o.CreateSpecs, an+" "+dsJSON(spec))
}

func (o *dsOps) addEvent(typ, reason, msg string, alias *dsAlias) {
	switch reason {
	case daemonset.ReasonSuccessfulCreate:
		msg = "Created pod: <generated name>"
	case daemonset.ReasonSuccessfulDelete:
		if name, ok := strings.CutPrefix(msg, "Deleted pod: "); ok {
			msg = "Deleted pod: " + alias.pod(name)
		}
	case daemonset.ReasonFailedDaemonPod:
		// "Found failed daemon pod <ns>/<name> on node <node>, will try to kill it"
		if rest, ok := strings.CutPrefix(msg, "Found failed daemon pod "); ok {
			if ref, tail, ok := strings.Cut(rest, " "); ok {
				if ns, name, ok := strings.Cut(ref, "/"); ok {
					if l, ok := alias.podAlias(name); ok {
						msg = "Found failed daemon pod " + ns + "/" + l + " " + tail
					}
				}
			}
		}
	}
	o.Events = append(o.Events, typ+" "+reason+": "+msg)
}

func dsStatusString(s appsv1.DaemonSetStatus) string {
	return fmt.Sprintf("desired=%d current=%d ready=%d available=%d misscheduled=%d updated=%d unavailable=%d observedGeneration=%d",
		s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.NumberAvailable, s.NumberMisscheduled,
		s.UpdatedNumberScheduled, s.NumberUnavailable, s.ObservedGeneration)
}

// ---------------------------------------------------------------- upstream

func dsField(obj any, name string) reflect.Value {
	v := reflect.ValueOf(obj).Elem().FieldByName(name)
	if !v.IsValid() {
		panic("no field " + name)
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// dsExpectations wraps the controller's expectations to learn the sync's
// phases: the first SetExpectations is manage's syncNodes, the second the
// rolling update's; the second SatisfiedExpectations is the check before
// the rolling update, where the pods it will read are taken.
type dsExpectations struct {
	controller.ControllerExpectationsInterface
	mu        sync.Mutex
	sets      int
	satisfied int
	onRolling func()
}

func (e *dsExpectations) SetExpectations(logger klog.Logger, key string, add, del int) error {
	e.mu.Lock()
	e.sets++
	e.mu.Unlock()
	return e.ControllerExpectationsInterface.SetExpectations(logger, key, add, del)
}

func (e *dsExpectations) SatisfiedExpectations(logger klog.Logger, key string) bool {
	ok := e.ControllerExpectationsInterface.SatisfiedExpectations(logger, key)
	e.mu.Lock()
	e.satisfied++
	n := e.satisfied
	e.mu.Unlock()
	if n == 2 && ok && e.onRolling != nil {
		e.onRolling()
	}
	return ok
}

func (e *dsExpectations) phase() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sets
}

// dsUpPods sees every pod write the controller sends: it names pods
// created with generateName, remembers creates and deletes with the phase
// they came from and, with the instant model, applies each write to the
// informer cache the way the pod informer and the controller's handlers
// would.
type dsUpPods struct {
	mu      sync.Mutex
	now     time.Time
	instant bool
	vanish  bool // deleted pods leave the cache at once (upstream's unit tests)
	// observeNoop: a delete that changes nothing counts as observed
	observeNoop bool
	tracker     clienttesting.ObjectTracker
	indexer     cache.Indexer
	exp         *dsExpectations
	key         string
	seq         int
	creates     []*corev1.Pod
	phases      map[string]int // "create <node>" / "delete <pod>" -> phase
	// noopDeletes counts deletes that changed nothing
	noopDeletes int
}

var dsPodsGVR = corev1.SchemeGroupVersion.WithResource("pods")

func (u *dsUpPods) react(a clienttesting.Action) (bool, runtime.Object, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	logger := logr.Discard()
	phase := u.exp.phase()
	switch a.GetVerb() {
	case "create":
		a := a.(clienttesting.CreateAction)
		p, ok := a.GetObject().(*corev1.Pod)
		if !ok {
			return false, nil, nil
		}
		if p.Name == "" && p.GenerateName != "" {
			u.seq++
			p.Name = fmt.Sprintf("%supstream%d", p.GenerateName, u.seq)
		}
		p.UID = types.UID("uid-upstream-" + p.Name)
		p.CreationTimestamp = metav1.NewTime(u.now)
		p.Status.Phase = corev1.PodPending // the pod strategy's PrepareForCreate
		u.creates = append(u.creates, p.DeepCopy())
		node, _ := util.GetTargetNodeName(p)
		u.phases["create "+node] = phase
		if !u.instant {
			return false, nil, nil
		}
		handled, obj, err := clienttesting.ObjectReaction(u.tracker)(a)
		if err == nil {
			_ = u.indexer.Add(obj.DeepCopyObject())
			u.exp.CreationObserved(logger, u.key)
		}
		return handled, obj, err
	case "delete":
		a := a.(clienttesting.DeleteAction)
		u.phases["delete "+a.GetName()] = phase
		obj, err := u.tracker.Get(dsPodsGVR, a.GetNamespace(), a.GetName())
		if err != nil {
			return true, nil, err
		}
		p := obj.(*corev1.Pod).DeepCopy()
		// the API server's graceful deletion (with either model): an
		// unscheduled or terminal pod, or a zero grace period, goes at
		// once (unless finalizers hold it); a running pod gets its
		// deletion timestamp and stays
		grace := int64(30)
		if g := p.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = *g
		}
		if p.Spec.NodeName == "" || podutil.IsPodTerminal(p) {
			grace = 0
		}
		if p.DeletionGracePeriodSeconds != nil && grace > *p.DeletionGracePeriodSeconds {
			grace = *p.DeletionGracePeriodSeconds
		}
		if grace == 0 && len(p.Finalizers) == 0 {
			if err := u.tracker.Delete(dsPodsGVR, p.Namespace, p.Name); err != nil {
				return true, nil, err
			}
			if u.instant {
				_ = u.indexer.Delete(p)
			}
		} else if p.DeletionTimestamp != nil && grace == 0 {
			// already being deleted, held by a finalizer: the delete
			// changes nothing, so no watch event comes and the
			// controller's deletion expectation is never observed
			u.noopDeletes++
			if u.instant && u.observeNoop {
				u.exp.DeletionObserved(logger, u.key)
			}
			return true, nil, nil
		} else {
			if grace > 0 || p.DeletionTimestamp == nil {
				ts := metav1.NewTime(u.now.Add(time.Duration(grace) * time.Second))
				p.DeletionTimestamp = &ts
			}
			p.DeletionGracePeriodSeconds = &grace
			if err := u.tracker.Update(dsPodsGVR, p, p.Namespace); err != nil {
				return true, nil, err
			}
			if u.instant && u.vanish {
				_ = u.indexer.Delete(p)
			} else if u.instant {
				_ = u.indexer.Update(p)
			}
		}
		if u.instant {
			// the handlers: a pod that got its deletion timestamp, or
			// left, is a deletion observed
			u.exp.DeletionObserved(logger, u.key)
		}
		return true, nil, nil
	case "patch":
		if !u.instant {
			return false, nil, nil
		}
		handled, obj, err := clienttesting.ObjectReaction(u.tracker)(a)
		if err == nil {
			_ = u.indexer.Update(obj.DeepCopyObject())
		}
		return handled, obj, err
	}
	return false, nil, nil
}

// dsUpRun is one upstream sync of one DaemonSet.
type dsUpRun struct {
	ops      dsOps
	newHash  string
	phases   map[string]int
	rolled   bool          // the rolling update ran
	rollPods []*corev1.Pod // the claimable pods in the cache when it started
	err      error
	creates  []*corev1.Pod
	events   []string
	tok      *dsTokens
	// noopDeletes counts deletes that changed nothing (never observed)
	noopDeletes int
}

func dsCopyAll[T runtime.Object](in []T) []runtime.Object {
	out := make([]runtime.Object, len(in))
	for i, o := range in {
		out[i] = o.DeepCopyObject()
	}
	return out
}

// dsRunUpstream runs one sync of the real controller for ds on the state.
// dsVariant is how upstream is run: the cache model, and two
// counterfactuals that the cause finder tries (dsCauses): availability
// with daemonsim's strict rule (the fake clock 1 ns early: every instant
// of a generated cluster is a whole second, so "ready+minReadySeconds <=
// now" becomes "< now" and nothing else moves), and pods deleted by the
// sync vanishing from the cache at once, as upstream's unit tests' pod
// control has it, instead of staying there terminating; and a delete that
// changes nothing (a pod already terminating, held by a finalizer) being
// observed as if it had sent a watch event.
type dsVariant struct {
	model         string
	strict        bool
	deletesVanish bool
	observeNoop   bool // a delete that changes nothing is observed all the same
}

func dsRunUpstream(st *dsV1State, ds *appsv1.DaemonSet, now time.Time, vr dsVariant) (*dsUpRun, error) {
	model := vr.model
	ctx := klog.NewContext(context.Background(), logr.Discard())
	var objs []runtime.Object
	objs = append(objs, dsCopyAll(st.nodes)...)
	objs = append(objs, dsCopyAll(st.dss)...)
	objs = append(objs, dsCopyAll(st.crs)...)
	objs = append(objs, dsCopyAll(st.pods)...)
	client := fake.NewSimpleClientset(objs...)
	factory := informers.NewSharedInformerFactory(client, 0)
	dsInf := factory.Apps().V1().DaemonSets()
	crInf := factory.Apps().V1().ControllerRevisions()
	podInf := factory.Core().V1().Pods()
	nodeInf := factory.Core().V1().Nodes()
	clockAt := now
	if vr.strict {
		clockAt = now.Add(-time.Nanosecond)
	}
	clock := testingclock.NewFakeClock(clockAt)
	dsc, err := daemon.NewDaemonSetsController(ctx, dsInf, crInf, podInf, nodeInf, client,
		flowcontrol.NewFakeBackOff(daemonset.FailedPodBackoffInitial, daemonset.FailedPodBackoffMax, clock))
	if err != nil {
		return nil, err
	}
	defer func() {
		dsField(dsc, "queue").Interface().(workqueue.TypedRateLimitingInterface[string]).ShutDown()
		dsField(dsc, "nodeUpdateQueue").Interface().(workqueue.TypedRateLimitingInterface[string]).ShutDown()
		dsField(dsc, "eventBroadcaster").Interface().(record.EventBroadcaster).Shutdown()
	}()
	rec := record.NewFakeRecorder(10000)
	dsField(dsc, "eventRecorder").Set(reflect.ValueOf(rec))
	dsField(dsc, "podControl").Set(reflect.ValueOf(controller.RealPodControl{KubeClient: client, Recorder: rec}))
	exp := &dsExpectations{ControllerExpectationsInterface: dsField(dsc, "expectations").Interface().(controller.ControllerExpectationsInterface)}
	dsField(dsc, "expectations").Set(reflect.ValueOf(exp))
	for _, o := range st.nodes {
		_ = nodeInf.Informer().GetIndexer().Add(o.DeepCopy())
	}
	for _, o := range st.dss {
		_ = dsInf.Informer().GetIndexer().Add(o.DeepCopy())
	}
	for _, o := range st.crs {
		_ = crInf.Informer().GetIndexer().Add(o.DeepCopy())
	}
	podIndexer := podInf.Informer().GetIndexer()
	for _, o := range st.pods {
		_ = podIndexer.Add(o.DeepCopy())
	}
	key := ds.Namespace + "/" + ds.Name
	pods := &dsUpPods{now: now, instant: model == dsInstant, vanish: vr.deletesVanish, observeNoop: vr.observeNoop, tracker: client.Tracker(), indexer: podIndexer, exp: exp, key: key, phases: map[string]int{}}
	client.PrependReactor("*", "pods", pods.react)
	run := &dsUpRun{phases: pods.phases}
	exp.onRolling = func() {
		run.rolled = true
		run.rollPods, _ = controller.FilterPodsByOwner(podIndexer, &ds.ObjectMeta, "DaemonSet", true)
		for i, p := range run.rollPods {
			run.rollPods[i] = p.DeepCopy()
		}
	}
	syncHandler := dsField(dsc, "syncHandler").Interface().(func(context.Context, string) error)
	run.err = syncHandler(ctx, key)

	// the writes
	orig := map[string]*appsv1.ControllerRevision{}
	for _, cr := range st.crs {
		orig[cr.Name] = cr
	}
	var crCreated []*appsv1.ControllerRevision
	var statusWrites []*appsv1.DaemonSet
	var podPatches, crPatches []clienttesting.PatchAction
	var crUpdates []*appsv1.ControllerRevision
	for _, a := range client.Actions() {
		switch a.GetResource().Resource {
		case "pods":
			switch a.GetVerb() {
			case "delete":
				run.ops.Deletes = append(run.ops.Deletes, a.(clienttesting.DeleteAction).GetName())
			case "patch":
				podPatches = append(podPatches, a.(clienttesting.PatchAction))
			}
		case "controllerrevisions":
			switch a.GetVerb() {
			case "create":
				crCreated = append(crCreated, a.(clienttesting.CreateAction).GetObject().(*appsv1.ControllerRevision))
			case "update":
				crUpdates = append(crUpdates, a.(clienttesting.UpdateAction).GetObject().(*appsv1.ControllerRevision))
			case "patch":
				crPatches = append(crPatches, a.(clienttesting.PatchAction))
			case "delete":
				run.ops.RevDeletes = append(run.ops.RevDeletes, a.(clienttesting.DeleteAction).GetName())
			}
		case "daemonsets":
			if a.GetVerb() == "update" && a.GetSubresource() == "status" {
				statusWrites = append(statusWrites, a.(clienttesting.UpdateAction).GetObject().(*appsv1.DaemonSet))
			}
		}
	}
	tok := newDSTokens(st.crs, ds.Namespace)
	for _, cr := range crCreated {
		tok.newHash = cr.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
		run.newHash = tok.newHash
		run.ops.RevCreates = append(run.ops.RevCreates, dsRevCreate(cr, tok))
	}
	for _, cr := range crUpdates {
		run.ops.RevUpdates = append(run.ops.RevUpdates, dsRevUpdate(orig[cr.Name], cr, tok)...)
	}
	for _, a := range crPatches {
		run.ops.RevUpdates = append(run.ops.RevUpdates, dsOwnerPatch(a.GetName(), a.GetPatch())...)
	}
	for _, a := range podPatches {
		for _, c := range dsOwnerPatch(a.GetName(), a.GetPatch()) {
			if strings.HasSuffix(c, ": adopt") {
				run.ops.Adopts = append(run.ops.Adopts, strings.TrimSuffix(c, ": adopt"))
			} else if strings.HasSuffix(c, ": release") {
				run.ops.Releases = append(run.ops.Releases, strings.TrimSuffix(c, ": release"))
			}
		}
		var m struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if json.Unmarshal(a.GetPatch(), &m) == nil {
			if h, ok := m.Metadata.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]; ok {
				run.ops.Relabels = append(run.ops.Relabels, a.GetName()+" -> "+tok.token(h))
			}
		}
	}
	for _, w := range statusWrites {
		if !reflect.DeepEqual(w.Status.CollisionCount, ds.Status.CollisionCount) {
			run.ops.Collision = fmt.Sprintf("collisionCount=%v", dsDeref(w.Status.CollisionCount))
			continue
		}
		run.ops.Status = dsStatusString(w.Status)
	}
	if run.err != nil {
		run.ops.Failed = "sync failed"
	}
	run.creates = pods.creates
	run.noopDeletes = pods.noopDeletes
	run.tok = tok
	for {
		select {
		case e := <-rec.Events:
			run.events = append(run.events, e)
			continue
		default:
		}
		break
	}
	return run, nil
}

// finish adds the creates and events, with alias applied (it is known
// only once the rolling-update pools are).
func (run *dsUpRun) finish(alias *dsAlias) {
	for _, p := range run.creates {
		run.ops.addCreate(p, run.tok, alias)
	}
	for _, e := range run.events {
		parts := strings.SplitN(e, " ", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		run.ops.addEvent(parts[0], parts[1], parts[2], alias)
	}
	if alias != nil {
		for i, d := range run.ops.Deletes {
			run.ops.Deletes[i] = alias.pod(d)
		}
	}
	run.ops.sort()
}

func dsRevCreate(cr *appsv1.ControllerRevision, tok *dsTokens) string {
	var owners []string
	for _, r := range cr.OwnerReferences {
		owners = append(owners, fmt.Sprintf("%s/%s controller=%v", r.Kind, r.Name, dsDeref(r.Controller)))
	}
	return fmt.Sprintf("%s revision=%d labels=%s owners=%v", tok.token(cr.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]), cr.Revision, tok.labels(cr.Labels), owners)
}

// dsRevUpdate describes what an update of a revision changed.
func dsRevUpdate(old, cr *appsv1.ControllerRevision, tok *dsTokens) []string {
	if old == nil {
		return []string{cr.Name + ": update of a revision not in the state"}
	}
	var out []string
	if old.Revision != cr.Revision {
		out = append(out, fmt.Sprintf("%s: revision %d -> %d", cr.Name, old.Revision, cr.Revision))
	}
	if oh, nh := old.Labels[appsv1.DefaultDaemonSetUniqueLabelKey], cr.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]; oh != nh {
		out = append(out, fmt.Sprintf("%s: hash label %q -> %q", cr.Name, oh, nh))
	}
	oc, nc := metav1.GetControllerOf(old), metav1.GetControllerOf(cr)
	switch {
	case oc == nil && nc != nil:
		out = append(out, cr.Name+": adopt")
	case oc != nil && nc == nil:
		out = append(out, cr.Name+": release")
	}
	return out
}

// dsOwnerPatch reads an adoption or release patch (upstream's
// ownerRefControllerPatch and GenerateDeleteOwnerRefStrategicMergeBytes).
func dsOwnerPatch(name string, patch []byte) []string {
	var m struct {
		Metadata struct {
			OwnerReferences []map[string]any `json:"ownerReferences"`
		} `json:"metadata"`
	}
	if json.Unmarshal(patch, &m) != nil {
		return nil
	}
	var out []string
	for _, r := range m.Metadata.OwnerReferences {
		switch {
		case r["$patch"] == "delete":
			out = append(out, name+": release")
		case r["controller"] == true:
			out = append(out, name+": adopt")
		}
	}
	return out
}

// ---------------------------------------------------------------- tie-breaks

// dsRollingPools reproduces the one random choice of upstream's
// rollingUpdate (pkg/controller/daemon/update.go): it walks
// nodeToDaemonPods, a map, and takes the first candidates it meets up to
// the budget. It returns, for the pods the rolling update read, the
// candidate pods (no surge: old available pods; surge: old available pods
// on nodes that should not run the daemon) and candidate nodes (surge: old
// available pods to surge beside) among which the draw chose, when there
// were more candidates than it took. forced is true when nothing was left
// to chance.
func dsRollingPools(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, hash string, now time.Time) (forced bool, alias *dsAlias) {
	logger := logr.Discard()
	ctx := klog.NewContext(context.Background(), logger)
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return true, nil
	}
	cm := controller.NewPodControllerRefManager(&controller.FakePodControl{}, ds, sel, appsv1.SchemeGroupVersion.WithKind("DaemonSet"),
		func(context.Context) error { return nil })
	claimed, _ := cm.ClaimPods(ctx, pods)
	byNode := map[string][]*corev1.Pod{}
	for _, p := range claimed {
		if podutil.IsPodTerminal(p) && p.DeletionTimestamp != nil {
			continue
		}
		if n, err := util.GetTargetNodeName(p); err == nil {
			byNode[n] = append(byNode[n], p)
		}
	}
	nodeByName := map[string]*corev1.Node{}
	desired := 0
	for _, n := range nodes {
		nodeByName[n.Name] = n
		if run, _ := daemon.NodeShouldRunDaemonPod(logger, n, ds); run {
			desired++
			if _, ok := byNode[n.Name]; !ok {
				byNode[n.Name] = nil
			}
		}
	}
	maxUnavailable, err1 := util.UnavailableCount(ds, desired)
	maxSurge, err2 := util.SurgeCount(ds, desired)
	if err1 != nil || err2 != nil {
		return true, nil
	}
	if desired > 0 && maxUnavailable == 0 && maxSurge == 0 {
		maxUnavailable = 1
	}
	gen, err := util.GetTemplateGeneration(ds)
	if err != nil {
		gen = nil
	}
	find := func(ps []*corev1.Pod) (newPod, oldPod *corev1.Pod, ok bool) {
		for _, p := range ps {
			if p.DeletionTimestamp != nil {
				continue
			}
			if util.IsPodUpdated(p, hash, gen) {
				if newPod != nil {
					return nil, nil, false
				}
				newPod = p
			} else {
				if oldPod != nil {
					return nil, nil, false
				}
				oldPod = p
			}
		}
		return newPod, oldPod, true
	}
	available := func(p *corev1.Pod) bool {
		return podutil.IsPodAvailable(p, ds.Spec.MinReadySeconds, metav1.Time{Time: now})
	}
	alias = newDSAlias()
	draw := func(pool []string, take int, into map[string]string, label string) bool {
		if take <= 0 || take >= len(pool) {
			return true
		}
		for _, x := range pool {
			into[x] = label
		}
		return false
	}
	if maxSurge == 0 {
		numUnavailable := 0
		var candidates []string
		for _, ps := range byNode {
			newPod, oldPod, ok := find(ps)
			switch {
			case !ok, oldPod == nil && newPod == nil, oldPod != nil && newPod != nil:
				numUnavailable++
			case newPod != nil:
				if !available(newPod) {
					numUnavailable++
				}
			case !available(oldPod):
				numUnavailable++
			default:
				candidates = append(candidates, oldPod.Name)
			}
		}
		return draw(candidates, maxUnavailable-numUnavailable, alias.pods, "<one of the rolling-update candidates>"), alias
	}
	numSurge, numAvailable := 0, 0
	var candidateNodes, shouldNotRun []string
	for nodeName, ps := range byNode {
		newPod, oldPod, ok := find(ps)
		if !ok {
			numSurge++
			continue
		}
		if oldPod != nil {
			if available(oldPod) {
				numAvailable++
			}
		} else if newPod != nil && available(newPod) {
			numAvailable++
		}
		switch {
		case oldPod == nil:
		case newPod == nil:
			node := nodeByName[nodeName]
			if node == nil {
				return true, nil // upstream's node lookup fails: no rolling update at all
			}
			run, _ := daemon.NodeShouldRunDaemonPod(logger, node, ds)
			switch {
			case !available(oldPod):
			case !run:
				shouldNotRun = append(shouldNotRun, oldPod.Name)
			default:
				candidateNodes = append(candidateNodes, nodeName)
			}
		default:
			if !available(newPod) {
				numSurge++
			}
		}
	}
	f1 := draw(candidateNodes, maxSurge-numSurge, alias.nodes, "<one of the rolling-update candidate nodes>")
	f2 := draw(shouldNotRun, numAvailable-desired, alias.pods, "<one of the rolling-update candidates>")
	return f1 && f2, alias
}

// dsFailedPools finds upstream's other random draw: podsShouldBeOnNode
// deletes the first Failed pod it meets on a node and holds the others
// back by the failed-pod backoff, in the order the pod indexer lists them
// (a map's). For every node of the state with more than one such pod the
// pods are aliased to one placeholder, or nil when there is none.
func dsFailedPools(st *dsV1State, ds *appsv1.DaemonSet) (*dsAlias, []string) {
	logger := logr.Discard()
	ctx := klog.NewContext(context.Background(), logger)
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil || ds.DeletionTimestamp != nil {
		return nil, nil
	}
	var pods []*corev1.Pod
	for _, p := range st.pods {
		if ref := metav1.GetControllerOf(p); p.Namespace == ds.Namespace && (ref == nil || ref.UID == ds.UID && ref.Name == ds.Name && ref.Kind == "DaemonSet") {
			pods = append(pods, p)
		}
	}
	cm := controller.NewPodControllerRefManager(&controller.FakePodControl{}, ds, sel, appsv1.SchemeGroupVersion.WithKind("DaemonSet"),
		func(context.Context) error { return nil })
	claimed, _ := cm.ClaimPods(ctx, pods)
	failed := map[string][]string{}
	firstOf := map[string]*corev1.Pod{}
	for _, p := range claimed {
		if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodFailed {
			continue
		}
		if n, err := util.GetTargetNodeName(p); err == nil {
			failed[n] = append(failed[n], p.Name)
			if f := firstOf[n]; f == nil || dsFailedLess(p, f) {
				firstOf[n] = p
			}
		}
	}
	var out *dsAlias
	var first []string
	for _, n := range st.nodes {
		if len(failed[n.Name]) < 2 {
			continue
		}
		if _, cont := daemon.NodeShouldRunDaemonPod(logger, n, ds); !cont {
			continue // all of them are deleted
		}
		if out == nil {
			out = newDSAlias()
		}
		for _, name := range failed[n.Name] {
			out.pods[name] = "<one of the failed pods on " + n.Name + ">"
		}
		first = append(first, firstOf[n.Name].Name)
	}
	return out, first
}

// dsFailedLess is the order in which daemonsim meets failed pods on a
// node: owned before orphans (as upstream's FilterPodsByOwner lists them),
// each group by podByCreationTimestampAndPhase (upstream: its indexer's
// map order).
func dsFailedLess(a, b *corev1.Pod) bool {
	if ao, bo := metav1.GetControllerOf(a) != nil, metav1.GetControllerOf(b) != nil; ao != bo {
		return ao
	}
	return dsPodLess(a, b)
}

// dsPodLess is upstream's podByCreationTimestampAndPhase order.
func dsPodLess(a, b *corev1.Pod) bool {
	if (a.Spec.NodeName != "") != (b.Spec.NodeName != "") {
		return a.Spec.NodeName != ""
	}
	if a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.Name < b.Name
	}
	return a.CreationTimestamp.Before(&b.CreationTimestamp)
}

// dsCurrentHash is the hash upstream's constructHistory settles on: the
// label of the newest revision the DaemonSet claims that matches its
// template, or the hash of the revision the sync created.
func dsCurrentHash(st *dsV1State, ds *appsv1.DaemonSet, created string) string {
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return created
	}
	var keep *appsv1.ControllerRevision
	for _, cr := range st.crs {
		if cr.Namespace != ds.Namespace || !sel.Matches(labels.Set(cr.Labels)) {
			continue
		}
		ref := metav1.GetControllerOf(cr)
		if ref == nil && cr.DeletionTimestamp != nil || ref != nil && ref.UID != ds.UID {
			continue
		}
		if ok, _ := daemon.Match(ds, cr); ok && (keep == nil || cr.Revision >= keep.Revision) {
			keep = cr
		}
	}
	if keep == nil {
		return created
	}
	if h, ok := keep.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]; ok {
		return h
	}
	return keep.Name
}

// ---------------------------------------------------------------- daemonsim

// dsSimRun is daemonsim's sync of every DaemonSet of the cluster, split
// by DaemonSet.
type dsSimRun struct {
	ops      map[string]*dsOps
	creates  map[string][]*corev1.Pod
	events   map[string][]cluster.Note
	notes    map[string]map[string]int // deliberate notes by reason
	newHash  map[string]string
	relabels map[string]bool
}

var dsSimOnlyReasons = []string{daemonset.ReasonRolloutStarted, daemonset.ReasonRolloutFinished, daemonset.ReasonHashCollision,
	daemonset.ReasonRollingUpdateFailed, daemonset.ReasonFailedPlacement}

func dsRunSim(c *dsCluster, st *dsV1State) (*dsSimRun, error) {
	ctl := daemonset.New(daemonset.Config{})
	ctl.Sync(c.store)
	plan, err := ctl.Reconcile(c.now, c.store)
	if err != nil {
		return nil, err
	}
	run := &dsSimRun{ops: map[string]*dsOps{}, creates: map[string][]*corev1.Pod{}, events: map[string][]cluster.Note{},
		notes: map[string]map[string]int{}, newHash: map[string]string{}, relabels: map[string]bool{}}
	for _, name := range c.dss {
		run.ops[name] = &dsOps{}
		run.notes[name] = map[string]int{}
	}
	owner := func(m *cluster.ObjectMeta, name string) string {
		if ref := m.ControllerRef(); ref != nil && ref.Kind == "DaemonSet" {
			return ref.Name
		}
		for _, ds := range c.dss {
			if strings.HasPrefix(name, ds+"-") {
				return ds
			}
		}
		return ""
	}
	ops := func(ds string) *dsOps {
		if o := run.ops[ds]; o != nil {
			return o
		}
		return &dsOps{} // not a generated DaemonSet's: dropped
	}
	type relabel struct{ ds, pod, hash string }
	var relabels []relabel
	var revUpdates []struct {
		ds       string
		old, new *cluster.ControllerRevision
	}
	var revCreates []*cluster.ControllerRevision
	for _, ch := range plan.Changes {
		switch ch := ch.(type) {
		case cluster.Create:
			switch o := ch.Object.(type) {
			case *cluster.Pod:
				p, err := dsV1Pod(o)
				if err != nil {
					return nil, err
				}
				ds := owner(&o.ObjectMeta, o.Name)
				run.creates[ds] = append(run.creates[ds], p)
			case *cluster.ControllerRevision:
				revCreates = append(revCreates, o)
				run.newHash[owner(&o.ObjectMeta, o.Name)] = o.Labels[dsHashLabel]
			default:
				return nil, fmt.Errorf("daemonsim created %T", o)
			}
		case cluster.Delete:
			switch ch.Key.Kind {
			case cluster.KindPod:
				p, _ := c.store.Pod(ch.Key.Namespace, ch.Key.Name)
				o := ops(owner(&p.ObjectMeta, p.Name))
				o.Deletes = append(o.Deletes, p.Name)
			case cluster.KindControllerRevision:
				cr, _ := c.store.ControllerRevision(ch.Key.Namespace, ch.Key.Name)
				o := ops(owner(&cr.ObjectMeta, cr.Name))
				o.RevDeletes = append(o.RevDeletes, cr.Name)
			}
		case cluster.Update:
			switch n := ch.Object.(type) {
			case *cluster.Pod:
				old, _ := c.store.Pod(n.Namespace, n.Name)
				oc, nc := old.ControllerRef(), n.ControllerRef()
				switch {
				case oc == nil && nc != nil:
					o := ops(nc.Name)
					o.Adopts = append(o.Adopts, n.Name)
				case oc != nil && nc == nil:
					o := ops(oc.Name)
					o.Releases = append(o.Releases, n.Name)
				}
				if oh, nh := old.Labels[dsHashLabel], n.Labels[dsHashLabel]; oh != nh {
					relabels = append(relabels, relabel{owner(&n.ObjectMeta, n.Name), n.Name, nh})
				}
			case *cluster.ControllerRevision:
				old, _ := c.store.ControllerRevision(n.Namespace, n.Name)
				ds := owner(&n.ObjectMeta, n.Name)
				if ds == "" {
					ds = owner(&old.ObjectMeta, old.Name)
				}
				revUpdates = append(revUpdates, struct {
					ds       string
					old, new *cluster.ControllerRevision
				}{ds, old, n})
			default:
				return nil, fmt.Errorf("daemonsim updated %T", n)
			}
		case cluster.UpdateStatus:
			d, ok := ch.Object.(*cluster.DaemonSet)
			if !ok {
				return nil, fmt.Errorf("daemonsim wrote the status of %T", ch.Object)
			}
			old, _ := c.store.DaemonSet(d.Namespace, d.Name)
			o := ops(d.Name)
			if !reflect.DeepEqual(old.Status.CollisionCount, d.Status.CollisionCount) {
				o.Collision = fmt.Sprintf("collisionCount=%v", dsDeref(d.Status.CollisionCount))
				continue
			}
			vd, err := dsV1DaemonSet(d)
			if err != nil {
				return nil, err
			}
			o.Status = dsStatusString(vd.Status)
		default:
			return nil, fmt.Errorf("daemonsim planned %T", ch)
		}
	}
	for _, n := range plan.Notes {
		ds := n.Object.Name
		if slices.Contains(dsSimOnlyReasons, n.Reason) {
			if run.notes[ds] != nil {
				run.notes[ds][n.Reason]++
			}
			if n.Reason == daemonset.ReasonRollingUpdateFailed {
				ops(ds).Failed = "sync failed"
			}
			continue
		}
		run.events[ds] = append(run.events[ds], n)
	}
	for _, ds := range c.dss {
		tok := newDSTokens(st.crs, cluster.DefaultNamespace)
		tok.newHash = run.newHash[ds]
		o := run.ops[ds]
		for _, cr := range revCreates {
			if owner(&cr.ObjectMeta, cr.Name) != ds {
				continue
			}
			v, err := dsV1Revision(cr)
			if err != nil {
				return nil, err
			}
			o.RevCreates = append(o.RevCreates, dsRevCreate(v, tok))
		}
		for _, u := range revUpdates {
			if u.ds != ds {
				continue
			}
			a, err1 := dsV1Revision(u.old)
			b, err2 := dsV1Revision(u.new)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("revision update: %v %v", err1, err2)
			}
			o.RevUpdates = append(o.RevUpdates, dsRevUpdate(a, b, tok)...)
		}
		for _, r := range relabels {
			if r.ds == ds {
				o.Relabels = append(o.Relabels, r.pod+" -> "+tok.token(r.hash))
				run.relabels[ds] = true
			}
		}
	}
	return run, nil
}

// finish returns one DaemonSet's outcome: a copy of its writes with the
// creates and events added and alias applied.
func (run *dsSimRun) finish(ds string, st *dsV1State, alias *dsAlias) *dsOps {
	o := &dsOps{}
	for _, f := range dsFieldNames {
		o.setField(f, slices.Clone(run.ops[ds].field(f)))
	}
	tok := newDSTokens(st.crs, cluster.DefaultNamespace)
	tok.newHash = run.newHash[ds]
	for _, p := range run.creates[ds] {
		o.addCreate(p, tok, alias)
	}
	for _, n := range run.events[ds] {
		o.addEvent(string(n.Type), n.Reason, n.Message, alias)
	}
	if alias != nil {
		for i, d := range o.Deletes {
			o.Deletes[i] = alias.pod(d)
		}
	}
	o.sort()
	return o
}

// ---------------------------------------------------------------- the test

// dsDeliberate counts the deliberate differences taken out of the
// comparison, by kind.
type dsDeliberate map[string]int

// dsVerdict is the comparison of one DaemonSet's sync.
type dsVerdict struct {
	ds       string
	diffs    []dsDiff // not covered by a deliberate difference
	excluded []dsDiff
	causes   []string
	exact    bool // a counterfactual run of upstream reproduced daemonsim's outcome
	up, sim  *dsOps
	alt      *dsOps // upstream under the other cache model
	altDiffs []dsDiff
}

// dsClusterResult is the comparison of one cluster.
type dsClusterResult struct {
	c        *dsCluster
	verdicts []*dsVerdict
	altBad   bool // mismatches against the other cache model
}

func (r *dsClusterResult) mismatch() bool {
	for _, v := range r.verdicts {
		if len(v.diffs) > 0 {
			return true
		}
	}
	return false
}

// dsUpstreamOutcome runs upstream's sync of ds under the primary and the
// other cache model (with the variant's counterfactuals) and normalises
// both: random rolling-update draws aliased and, with the instant model,
// the status taken from the async run (daemonsim's documented choice). It
// counts the deliberate differences into delib when delib is not nil.
func dsUpstreamOutcome(st *dsV1State, ds *appsv1.DaemonSet, now time.Time, primary, alt string, vr dsVariant, delib dsDeliberate) (up, other *dsUpRun, alias *dsAlias, err error) {
	vp, va := vr, vr
	vp.model, va.model = primary, alt
	count := func(k string, n int) {
		if delib != nil {
			delib[k] += n
		}
	}
	// Which of several failed pods on a node upstream deletes is a random
	// draw (its pod indexer's map order); daemonsim deletes the first by
	// podByCreationTimestampAndPhase. Upstream is run again until it draws
	// the same pods, so that everything that follows (the status too) is
	// compared; only if it never does are the pods aliased.
	failedAlias, firstFailed := dsFailedPools(st, ds)
	drewFirst := func(run *dsUpRun) bool {
		for _, name := range firstFailed {
			found := false
			for _, e := range run.events {
				found = found || strings.Contains(e, "Found failed daemon pod "+ds.Namespace+"/"+name+" ")
			}
			if !found {
				return false
			}
		}
		return true
	}
	forcedDraw := len(firstFailed) > 0
	for try := 0; ; try++ {
		if up, err = dsRunUpstream(st, ds, now, vp); err != nil {
			return nil, nil, nil, err
		}
		if drewFirst(up) || try == 200 {
			break
		}
	}
	for try := 0; ; try++ {
		if other, err = dsRunUpstream(st, ds, now, va); err != nil {
			return nil, nil, nil, err
		}
		if drewFirst(other) || try == 200 {
			break
		}
	}
	forcedDraw = forcedDraw && drewFirst(up) && drewFirst(other)
	// A delete of a pod already being deleted and held by a finalizer
	// changes nothing at the API server, so no watch event comes and
	// upstream's expectations stay unmet; daemonsim's store writes a new
	// version for every accepted change (cluster package doc), which the
	// controller observes. That is a difference of the store, counted here
	// and not compared: upstream is run as if the delete were observed.
	if primary == dsInstant && up.noopDeletes > 0 && !vr.observeNoop {
		vo := vp
		vo.observeNoop = true
		for try := 0; ; try++ {
			if up, err = dsRunUpstream(st, ds, now, vo); err != nil {
				return nil, nil, nil, err
			}
			if drewFirst(up) || try == 200 {
				break
			}
		}
		count("a delete of a pod already terminating and held by a finalizer writes a new version (the API server writes nothing): upstream run as if it were observed", 1)
	}
	// a random draw among rolling-update candidates: compare how many
	// were taken, not which
	for i, run := range []*dsUpRun{up, other} {
		if !run.rolled {
			continue
		}
		clock := now
		if vr.strict {
			clock = now.Add(-time.Nanosecond)
		}
		forced, a := dsRollingPools(ds, st.nodes, run.rollPods, dsCurrentHash(st, ds, run.newHash), clock)
		if forced {
			continue
		}
		if i == 0 {
			count("random draw upstream: rolling-update candidates (daemonsim: first by node name)", 1)
		}
		alias = alias.merge(a)
	}
	switch f := failedAlias; {
	case f == nil:
	case forcedDraw:
		count("random draw upstream, rerun until it drew daemonsim's: which of several failed pods on one node is deleted (daemonsim: the first by creation time)",
			len(slices.Compact(slices.Sorted(maps.Values(f.pods)))))
	default:
		count("random draw upstream: which of several failed pods on one node is deleted (daemonsim: the first by creation time)",
			len(slices.Compact(slices.Sorted(maps.Values(f.pods)))))
		alias = alias.merge(f)
	}
	up.finish(alias)
	other.finish(alias)
	if primary == dsInstant {
		// daemonsim's status counts the pods as the sync found them, on
		// purpose (its package doc): that is upstream's status when the
		// sync's own writes are not yet in the cache
		if up.ops.Status != other.ops.Status {
			count("the status counts the pods as the sync found them (upstream with an instant cache: with the sync's creates and deletes)", 1)
		}
		up.ops.Status = other.ops.Status
	}
	return up, other, alias, nil
}

func dsCompareCluster(seed uint64, primary string, delib dsDeliberate) (*dsClusterResult, error) {
	c, err := dsGenerate(seed)
	if err != nil {
		return nil, err
	}
	st, err := dsV1StateOf(c.store)
	if err != nil {
		return nil, err
	}
	sim, err := dsRunSim(c, st)
	if err != nil {
		return nil, err
	}
	alt := dsAsync
	if primary == dsAsync {
		alt = dsInstant
	}
	res := &dsClusterResult{c: c}
	for _, ds := range st.dss {
		up, other, alias, err := dsUpstreamOutcome(st, ds, c.now, primary, alt, dsVariant{}, delib)
		if err != nil {
			return nil, err
		}
		so := sim.finish(ds.Name, st, alias)
		v := &dsVerdict{ds: ds.Name, up: &up.ops, sim: so, alt: &other.ops}
		if n := len(up.creates); n > 0 {
			delib["created pods' names (counted up, upstream random)"] += n
		}
		if len(up.ops.RevCreates) > 0 {
			delib["a new revision's hash bytes (FNV over JSON, upstream over a spew dump)"]++
		}
		for reason, n := range sim.notes[ds.Name] {
			delib["notes upstream does not emit: "+reason] += n
		}
		stop := sim.relabels[ds.Name]
		current := map[string]bool{} // revisions matching the template: the duplicates
		for _, cr := range st.crs {
			if ok, _ := daemon.Match(ds, cr); ok {
				current[cr.Name] = true
			}
		}
		v.diffs, v.excluded = dsJudge(&up.ops, so, stop, current)
		if len(v.excluded) > 0 {
			delib["the rest of a sync that relabels pods while deduplicating revisions"]++
		}
		v.altDiffs, _ = dsJudge(&other.ops, so, stop, current)
		if len(v.altDiffs) > 0 {
			res.altBad = true
		}
		if len(v.diffs) > 0 {
			v.causes, err = dsCounterfactualCauses(st, ds, c.now, primary, alt, sim, stop, current)
			if err != nil {
				return nil, err
			}
			v.exact = v.causes != nil
			if v.causes == nil {
				v.causes = dsCauses(st, ds, primary, up, sim, v)
			}
		}
		res.verdicts = append(res.verdicts, v)
	}
	return res, nil
}

// dsJudge compares two outcomes. In a sync where daemonsim relabels pods
// while deduplicating revisions (and stops there, on purpose) only the
// relabelling and the revisions' own changes are compared, and of the
// deleted revisions only the duplicates (those matching the template):
// upstream goes on and prunes old ones.
func dsJudge(up, sim *dsOps, relabelStop bool, current map[string]bool) (diffs, excluded []dsDiff) {
	if relabelStop {
		keep := func(o *dsOps) *dsOps {
			cp := *o
			cp.RevDeletes = nil
			for _, n := range o.RevDeletes {
				if current[n] {
					cp.RevDeletes = append(cp.RevDeletes, n)
				}
			}
			return &cp
		}
		up, sim = keep(up), keep(sim)
	}
	for _, d := range dsCompare(up, sim) {
		if relabelStop && d.field != "Relabels" && d.field != "RevDeletes" && d.field != "RevUpdates" {
			d.excluded = "daemonsim stops a sync that relabels pods while deduplicating revisions"
			excluded = append(excluded, d)
			continue
		}
		diffs = append(diffs, d)
	}
	return diffs, excluded
}

// The causes a mismatch is filed under (issue 19's numbering where it has
// one).
const (
	dsCauseRelease      = "1: owned pods that no longer match are not released"
	dsCauseGeneration   = "2: pod-template-generation label"
	dsCauseSameSync     = "7: upstream's rolling update runs in the same sync as manage's creates and deletes"
	dsCauseInstantOther = "other effects of upstream seeing the sync's own writes"
	dsCauseCleanupAfter = "upstream's history cleanup sees the sync's deletes: a revision whose last pods the sync deleted at once is pruned in the same sync"
	dsCauseBoundary     = "a pod ready for exactly minReadySeconds is available upstream"
	dsCauseDedupRelabel = "deduplication relabels pods upstream does not claim"
	dsCauseNoTarget     = "a pod that names no node keeps its revision"
	dsCauseGracefulGone = "a pod manage deletes gracefully stays in upstream's cache, terminating: its node (one that should not run the daemon, or gone) still counts as unavailable in the rolling update"
	dsCauseNoopDelete   = "a delete of a pod already terminating and held by a finalizer changes nothing and is never observed: upstream's expectations stay unmet and its rolling update does not run"
	dsCauseSurgeZero    = "a surge DaemonSet whose maxSurge resolves to 0 (no desired nodes): upstream's rolling update takes the no-surge path"
	dsCauseAdoptDelete  = "an orphan the sync adopts and deletes at once (unbound, terminal or a zero grace period) still counts for daemonsim: in the status, and as a live hash that keeps its revision"
	dsCauseUnclassified = "unclassified"
)

// dsCounterfactualCauses reruns upstream with the counterfactuals of
// dsVariant, alone and together: when daemonsim's outcome equals one of
// them exactly, the mismatch is exactly those causes. It returns nil when
// none explains it.
func dsCounterfactualCauses(st *dsV1State, ds *appsv1.DaemonSet, now time.Time, primary, alt string, sim *dsSimRun,
	stop bool, current map[string]bool) ([]string, error) {
	for _, vr := range []dsVariant{{strict: true}, {deletesVanish: true}, {observeNoop: true},
		{strict: true, deletesVanish: true}, {strict: true, observeNoop: true}} {
		if (vr.deletesVanish || vr.observeNoop) && primary != dsInstant {
			continue
		}
		up, _, alias, err := dsUpstreamOutcome(st, ds, now, primary, alt, vr, nil)
		if err != nil {
			return nil, err
		}
		s := sim.finish(ds.Name, st, alias) // the draws' candidates under this variant
		if d, _ := dsJudge(&up.ops, s, stop, current); len(d) == 0 {
			var causes []string
			if vr.strict {
				causes = append(causes, dsCauseBoundary)
			}
			if vr.deletesVanish {
				causes = append(causes, dsCauseGracefulGone)
			}
			if vr.observeNoop {
				causes = append(causes, dsCauseNoopDelete)
			}
			return causes, nil
		}
	}
	return nil, nil
}

// dsCauses files a mismatch under the known causes, from the fields that
// differ and facts about the state. A field on which daemonsim agrees with
// upstream under the other cache model is filed under the cache model.
func dsCauses(st *dsV1State, ds *appsv1.DaemonSet, primary string, up *dsUpRun, sim *dsSimRun, v *dsVerdict) []string {
	var causes []string
	add := func(c string) {
		if !slices.Contains(causes, c) {
			causes = append(causes, c)
		}
	}
	altDiffers := map[string]bool{}
	for _, d := range v.altDiffs {
		altDiffers[d.field] = true
	}
	manage := false
	for _, ph := range up.phases {
		manage = manage || ph == 1
	}
	sel, _ := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	now := metav1.NewTime(dsT0.Add(dsSyncAt))
	logger := logr.Discard()
	nodes := map[string]*corev1.Node{}
	for _, n := range st.nodes {
		nodes[n.Name] = n
	}
	boundary, noTarget, adoptDelete, gracefulGone := false, false, false, false
	// pods updated by their pod-template-generation label alone
	genPods := map[string]bool{}
	gen, hash := ds.Annotations[appsv1.DeprecatedTemplateGeneration], dsCurrentHash(st, ds, up.newHash)
	for _, p := range st.pods {
		ref := metav1.GetControllerOf(p)
		ours := ref != nil && ref.UID == ds.UID
		target, terr := util.GetTargetNodeName(p)
		if ours && terr != nil {
			noTarget = true
		}
		if !(ours || ref == nil) || !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		if c := podutil.GetPodReadyCondition(p.Status); ds.Spec.MinReadySeconds > 0 && c != nil && c.Status == corev1.ConditionTrue &&
			c.LastTransitionTime.Add(time.Duration(ds.Spec.MinReadySeconds)*time.Second).Equal(now.Time) {
			boundary = true
		}
		if gen != "" && p.Labels[dsTemplateGenerationLabel] == gen && (hash == "" || p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] != hash) {
			genPods[p.Name] = true
		}
		deleted := slices.Contains(up.ops.Deletes, p.Name)
		immediate := p.Spec.NodeName == "" || podutil.IsPodTerminal(p) ||
			p.Spec.TerminationGracePeriodSeconds != nil && *p.Spec.TerminationGracePeriodSeconds == 0
		if ref == nil && p.DeletionTimestamp == nil && immediate && deleted {
			adoptDelete = true
			delete(genPods, p.Name) // counted for that reason
		}
		if deleted && !immediate && up.phases["delete "+p.Name] == 1 && terr == nil {
			if n := nodes[target]; n == nil {
				gracefulGone = true
			} else if run, _ := daemon.NodeShouldRunDaemonPod(logger, n, ds); !run {
				gracefulGone = true
			}
		}
	}
	podOps := []string{"Creates", "CreateSpecs", "Deletes", "Events", "Failed"}
	desired := 0
	for _, n := range st.nodes {
		if run, _ := daemon.NodeShouldRunDaemonPod(logger, n, ds); run {
			desired++
		}
	}
	surgeZero := false
	if n, err := util.SurgeCount(ds, desired); err == nil && n == 0 && util.AllowsSurge(ds) && up.rolled {
		surgeZero = true
	}
	for _, d := range v.diffs {
		if slices.Contains(podOps, d.field) {
			if surgeZero {
				add(dsCauseSurgeZero)
				continue
			}
			if up.noopDeletes > 0 && !up.rolled {
				add(dsCauseNoopDelete)
				continue
			}
		}
		if primary == dsInstant && !altDiffers[d.field] {
			// daemonsim does what upstream does when it does not see the
			// sync's own writes
			switch {
			case manage && up.rolled && slices.Contains(podOps, d.field):
				add(dsCauseSameSync)
			case d.field == "RevDeletes":
				add(dsCauseCleanupAfter)
			default:
				add(dsCauseInstantOther)
			}
			continue
		}
		switch d.field {
		case "Releases":
			add(dsCauseRelease)
		case "Relabels":
			add(dsCauseDedupRelabel)
		case "RevDeletes":
			if noTarget {
				add(dsCauseNoTarget)
			}
			if adoptDelete {
				add(dsCauseAdoptDelete)
			}
		case "Creates":
			if dsOnlyDiffersIn(d, dsTemplateGenerationLabel+"=") {
				add(dsCauseGeneration)
			}
		case "Status":
			if adoptDelete {
				add(dsCauseAdoptDelete)
			} else if len(genPods) > 0 && dsStatusCounter(d.up, "updated") != dsStatusCounter(d.sim, "updated") {
				add(dsCauseGeneration)
			}
		case "Deletes":
			if slices.ContainsFunc(append(slices.Clone(d.onlyUp), d.onlySim...), func(n string) bool { return genPods[n] }) {
				add(dsCauseGeneration)
			}
		}
		if boundary && (d.field == "Status" && dsStatusCounter(d.up, "available") != dsStatusCounter(d.sim, "available") ||
			slices.Contains(podOps, d.field)) {
			add(dsCauseBoundary)
		}
		if gracefulGone && up.rolled && slices.Contains(podOps, d.field) {
			add(dsCauseGracefulGone)
		}
	}
	if len(causes) == 0 {
		add(dsCauseUnclassified)
	}
	return causes
}

// dsStatusCounter reads one counter of a dsStatusString.
func dsStatusCounter(l []string, name string) string {
	if len(l) == 0 {
		return ""
	}
	for _, f := range strings.Fields(l[0]) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

func dsOnlyDiffersIn(d dsDiff, label string) bool {
	strip := func(l []string) []string {
		var out []string
		for _, s := range l {
			var parts []string
			for _, p := range strings.Split(s, ",") {
				if !strings.Contains(p, label) {
					parts = append(parts, strings.TrimSuffix(p, "}"))
				}
			}
			out = append(out, strings.Join(parts, ","))
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(strip(d.up), strip(d.sim))
}

// dsHasGenerationUpdatedPod reports whether a pod of ds carries the
// template generation the DaemonSet's annotation names.
func dsHasGenerationUpdatedPod(st *dsV1State, ds *appsv1.DaemonSet) bool {
	gen := ds.Annotations[appsv1.DeprecatedTemplateGeneration]
	for _, p := range st.pods {
		if ref := metav1.GetControllerOf(p); ref != nil && ref.UID == ds.UID && p.Labels[dsTemplateGenerationLabel] == gen {
			return true
		}
	}
	return false
}

func (r *dsClusterResult) report(w *strings.Builder, primary string, full bool) {
	fmt.Fprintf(w, "daemonset mismatch: seed=%d (rerun alone: CONFORMANCE_DS_SEED=%d go test -run TestDaemonSetControllerMatchesUpstream -v)\n", r.c.seed, r.c.seed)
	if full {
		w.WriteString("  cluster:\n")
		for _, l := range r.c.desc {
			w.WriteString("    " + l + "\n")
		}
	}
	for _, v := range r.verdicts {
		if len(v.diffs) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s: causes=%v\n", v.ds, v.causes)
		for _, d := range v.diffs {
			fmt.Fprintf(w, "    %s:\n      upstream (%s): %s\n      daemonsim:          %s\n", d.field, primary, dsList(d.up), dsList(d.sim))
			if full && (len(d.onlyUp) > 0 || len(d.onlySim) > 0) {
				fmt.Fprintf(w, "      only upstream:  %s\n      only daemonsim: %s\n", dsList(d.onlyUp), dsList(d.onlySim))
			}
		}
		alt := dsAsync
		if primary == dsAsync {
			alt = dsInstant
		}
		if len(v.altDiffs) == 0 {
			fmt.Fprintf(w, "    (against upstream with the %s cache model: no difference)\n", alt)
		} else if full {
			for _, d := range v.altDiffs {
				fmt.Fprintf(w, "    against upstream with the %s cache model, %s: only upstream: %s; only daemonsim: %s\n", alt, d.field, dsList(d.onlyUp), dsList(d.onlySim))
			}
		}
	}
}

func dsList(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, " | ")
}

func TestDaemonSetControllerMatchesUpstream(t *testing.T) {
	seeds, single := dsSeeds()
	primary := dsPrimaryModel()
	alt := dsAsync
	if primary == dsAsync {
		alt = dsInstant
	}
	delib := dsDeliberate{}
	type example struct {
		n, exact int
		seed     uint64 // the first seed showing the cause
		sole     uint64 // the first seed whose only mismatch is this cause
	}
	causes := map[string]*example{}
	mismatches, altMismatches, shown := 0, 0, 0
	start := time.Now()
	for _, seed := range seeds {
		res, err := dsCompareCluster(seed, primary, delib)
		if err != nil {
			t.Fatalf("seed=%d: %v", seed, err)
		}
		if res.altBad {
			altMismatches++
		}
		if single {
			var b strings.Builder
			b.WriteString("cluster:\n")
			for _, l := range res.c.desc {
				b.WriteString("  " + l + "\n")
			}
			for _, v := range res.verdicts {
				fmt.Fprintf(&b, "%s upstream (%s): %s\n%s daemonsim: %s\n%s upstream (%s): %s\n", v.ds, primary, dsJSON(v.up), v.ds, dsJSON(v.sim), v.ds, alt, dsJSON(v.alt))
				for _, d := range v.excluded {
					fmt.Fprintf(&b, "%s excluded (%s): %s: upstream %s; daemonsim %s\n", v.ds, d.excluded, d.field, dsList(d.up), dsList(d.sim))
				}
			}
			t.Log(b.String())
		}
		if !res.mismatch() {
			continue
		}
		mismatches++
		var all []string
		for _, v := range res.verdicts {
			all = append(all, v.causes...)
			for _, c := range v.causes {
				e := causes[c]
				if e == nil {
					e = &example{seed: seed}
					causes[c] = e
				}
				e.n++
				if v.exact {
					e.exact++
				}
			}
		}
		if u := slices.Compact(slices.Sorted(slices.Values(all))); len(u) == 1 && causes[u[0]].sole == 0 {
			causes[u[0]].sole = seed
		}
		if shown < 10 || single {
			shown++
			var b strings.Builder
			res.report(&b, primary, true)
			t.Log(b.String())
		} else {
			// one line each after the first ten
			var parts []string
			for _, v := range res.verdicts {
				if len(v.diffs) == 0 {
					continue
				}
				var fields []string
				for _, d := range v.diffs {
					fields = append(fields, d.field)
				}
				parts = append(parts, fmt.Sprintf("%s differs in %s, causes %q", v.ds, strings.Join(fields, ","), v.causes))
			}
			t.Logf("daemonset mismatch: seed=%d (CONFORMANCE_DS_SEED=%d for the diff): %s", seed, seed, strings.Join(parts, "; "))
		}
	}
	elapsed := time.Since(start)
	var b strings.Builder
	fmt.Fprintf(&b, "daemonset differential test: %d clusters in %s, cache model %s\n", len(seeds), elapsed.Round(time.Millisecond), primary)
	names := make([]string, 0, len(causes))
	for c := range causes {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		e := causes[c]
		ex := fmt.Sprintf("e.g. seed %d", e.seed)
		if e.sole != 0 {
			ex = fmt.Sprintf("alone in seed %d", e.sole)
		}
		fmt.Fprintf(&b, "  cause %q: %d DaemonSet syncs, %d of them reproduced exactly by a counterfactual run of upstream (%s)\n", c, e.n, e.exact, ex)
	}
	keys := make([]string, 0, len(delib))
	for k := range delib {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("  deliberate differences, not compared:\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s: %d\n", k, delib[k])
	}
	fmt.Fprintf(&b, "daemonset (%s cache): mismatches=%d clusters=%d\n", alt, altMismatches, len(seeds))
	t.Log(b.String())
	if mismatches > 0 && os.Getenv("CONFORMANCE_DS_ALLOW") != "1" {
		t.Errorf("%d of %d clusters differ from upstream (CONFORMANCE_DS_ALLOW=1 logs them without failing)", mismatches, len(seeds))
	}
	line := fmt.Sprintf("daemonset: mismatches=%d clusters=%d", mismatches, len(seeds))
	t.Log(line)
	fmt.Println(line)
}

// TestDaemonSetUpstreamOutcomeIsStable checks the harness: upstream's
// sync, normalised (generated names dropped, random rolling-update draws
// aliased), must come out the same on every run, or a mismatch could be
// upstream's dice rather than a difference.
func TestDaemonSetUpstreamOutcomeIsStable(t *testing.T) {
	n := min(dsEnvInt("CONFORMANCE_DS_N", 300)/5, 60)
	for seed := uint64(1); seed <= uint64(n); seed++ {
		c, err := dsGenerate(seed)
		if err != nil {
			t.Fatal(err)
		}
		st, err := dsV1StateOf(c.store)
		if err != nil {
			t.Fatal(err)
		}
		var first []string
		for run := range 4 {
			var got []string
			for _, ds := range st.dss {
				up, other, _, err := dsUpstreamOutcome(st, ds, c.now, dsInstant, dsAsync, dsVariant{}, nil)
				if err != nil {
					t.Fatalf("seed=%d: %v", seed, err)
				}
				got = append(got, dsJSON(up.ops), dsJSON(other.ops))
			}
			if run == 0 {
				first = got
				continue
			}
			if !slices.Equal(first, got) {
				t.Fatalf("seed=%d: upstream's normalised outcome changed between runs:\n%s\n%s", seed, strings.Join(first, "\n"), strings.Join(got, "\n"))
			}
		}
	}
}
