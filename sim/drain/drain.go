package drain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
)

// DefaultName is the controller's name in the event log.
const DefaultName = "drain"

// ReasonDrain is the reason of every note a drain records: one note per
// line kubectl prints, Normal for its standard output, Warning for its
// standard error.
const ReasonDrain = "Drain"

// Upstream's intervals (k8s.io/kubectl/pkg/drain).
const (
	// DefaultRetryInterval is how long kubectl waits after a 429 before it
	// evicts the pod again (EvictErrorRetryDelay).
	DefaultRetryInterval = 5 * time.Second
	// PollInterval is how often kubectl looks whether an evicted or deleted
	// pod is gone (waitForDelete's interval).
	PollInterval = time.Second
)

// MirrorPodAnnotation marks a static pod's mirror, which drain leaves
// alone.
const MirrorPodAnnotation = "kubernetes.io/config.mirror"

// Options are kubectl drain's flags. The zero value is `kubectl drain
// NODE` with no flags.
type Options struct {
	// IgnoreDaemonSets is --ignore-daemonsets: DaemonSet pods are skipped
	// (with a warning) instead of refusing the drain.
	IgnoreDaemonSets bool
	// Force is --force: pods that declare no controller, and pods of a
	// DaemonSet that no longer exists, are deleted instead of refusing the
	// drain.
	Force bool
	// DeleteEmptyDirData is --delete-emptydir-data. Accepted, without
	// effect: no volumes are simulated, so no pod has emptyDir data.
	DeleteEmptyDirData bool
	// GracePeriodSeconds is --grace-period: nil or negative means each
	// pod's own terminationGracePeriodSeconds; 0 or more goes into the
	// eviction's (or deletion's) options.
	GracePeriodSeconds *int64
	// Timeout is --timeout: one deadline for the whole node, counted from
	// the instant the evictions (or deletions) start; 0 means none.
	Timeout time.Duration
	// DisableEviction is --disable-eviction: pods are deleted, bypassing
	// PodDisruptionBudgets.
	DisableEviction bool
	// PodSelector is --pod-selector (the kubectl -l syntax): only the
	// node's pods it matches are drained; "" matches all.
	PodSelector string
	// RetryInterval is the wait after a 429; 0 means DefaultRetryInterval.
	RetryInterval time.Duration
}

// Validate reports the options kubectl would refuse before doing
// anything, each error naming its field.
func (o Options) Validate() error {
	var errs field.ErrorList
	if _, err := selector.Parse(o.PodSelector); err != nil {
		errs = append(errs, field.Invalid(field.NewPath("podSelector"), o.PodSelector, "must be a valid label selector: "+err.Error()))
	}
	if o.Timeout < 0 {
		errs = append(errs, field.Invalid(field.NewPath("timeout"), o.Timeout.String(), "must not be negative"))
	}
	if o.RetryInterval < 0 {
		errs = append(errs, field.Invalid(field.NewPath("retryInterval"), o.RetryInterval.String(), "must not be negative"))
	}
	return errs.ToAggregate()
}

// Phase is where a drain is.
type Phase string

// The phases. Every drain starts Draining and ends in one of the others.
const (
	// Draining: started and not finished.
	Draining Phase = "Draining"
	// Drained: every selected pod was evicted (or deleted) and is gone.
	Drained Phase = "Drained"
	// Refused: the filters refused some pod (a DaemonSet pod without
	// IgnoreDaemonSets, an unmanaged pod without Force); nothing was
	// evicted. The node stays cordoned, as kubectl leaves it.
	Refused Phase = "Refused"
	// TimedOut: the Timeout passed before every pod was gone. The node
	// stays cordoned.
	TimedOut Phase = "TimedOut"
	// Failed: an eviction or deletion failed for another reason (several
	// budgets select a pod, say), or the node does not exist.
	Failed Phase = "Failed"
)

// Line is one line kubectl prints, at the virtual instant it prints it.
type Line struct {
	At      time.Time
	Warning bool // standard error
	Text    string
}

// Result is a drain as far as it has gone.
type Result struct {
	Node    string
	Options Options
	Phase   Phase
	// Started is the instant Start was called; Finished the instant the
	// drain ended (zero while Draining).
	Started, Finished time.Time
	// Err is the error kubectl exits with ("" unless Refused, TimedOut or
	// Failed), one line per error as kubectl prints an aggregate.
	Err string
	// Lines are the lines printed so far, in order.
	Lines []Line
}

// Output returns the lines' texts, one per line, each ending in "\n".
func (r Result) Output() string {
	var b strings.Builder
	for _, l := range r.Lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// NodeKey is the key a drain of node is woken with: the caller of Start
// wakes the controller with it (see Start).
func NodeKey(node string) cluster.Key { return cluster.Key{Kind: cluster.KindNode, Name: node} }

// Controller runs kubectl drains as simulated processes: any number at
// once, one per node. It implements sim.Controller without importing sim.
// See the package doc for what a drain does. Not safe for concurrent use.
type Controller struct {
	drains  map[string]*drainState // node -> its latest drain
	dirty   []*drainState
	waiting map[cluster.Key]*podState // evicted or deleted pods not yet seen gone
	gone    []*podState               // seen gone since the last Reconcile
	// refusals are the errors the store gave this controller's Evicts and
	// Deletes (sim.RefusalObserver), by pod, until their outcome is looked at
	refusals map[cluster.Key]error
}

// New returns a controller with no drains.
func New() *Controller {
	return &Controller{drains: map[string]*drainState{}, waiting: map[cluster.Key]*podState{},
		refusals: map[cluster.Key]error{}}
}

// Name returns DefaultName.
func (c *Controller) Name() string { return DefaultName }

// Refused is told (sim.RefusalObserver) of an Evict or Delete of this
// controller's that the store refused, with the error the API server would
// have answered; the drain reads it when it looks at the outcome, as
// kubectl reads its request's error. Other changes are ignored.
func (c *Controller) Refused(ch cluster.Change, err error) {
	switch x := ch.(type) {
	case cluster.Evict:
		c.refusals[x.Pod] = err
	case cluster.Delete:
		c.refusals[x.Key] = err
	}
}

// refusal returns and forgets the store's error for the pod with key, nil
// when the store gave none.
func (c *Controller) refusal(key cluster.Key) error {
	err := c.refusals[key]
	delete(c.refusals, key)
	return err
}

type drainPhase uint8

const (
	phaseCordon     drainPhase = iota // cordon at the next round
	phaseCordonSent                   // the cordon was submitted; look at its outcome
	phasePods                         // evicting or deleting, and waiting
	phaseDone
)

type drainState struct {
	res         Result
	key         cluster.Key
	sel         selector.Selector
	grace       *int64
	retry       time.Duration
	phase       drainPhase
	cordonTried bool
	// deadline, when set, ends the drain: the global timeout (evictions)
	// or the end of the wait for the deletions (DisableEviction).
	deadline    time.Time
	hasDeadline bool
	pods        []*podState // in the order the node's pods were listed
	left        int         // pods not finished
	errs        []string    // per-pod errors in the order they happened
	timedOut    bool
	plainErr    bool        // the error is not an aggregate: kubectl prefixes "error: "
	wakes       []time.Time // requested wake-ups not yet due, ascending
	dirty       bool
}

type podStep uint8

const (
	stepAttempt podStep = iota // evict when due
	stepSent                   // an Evict or Delete was submitted; look at its outcome
	stepWaiting                // accepted; wait for the pod to be gone
	stepDone
)

type podState struct {
	d       *drainState
	key     cluster.Key
	uid     string // as listed: a pod of the same name with another uid counts as gone
	sentUID string // the pod's uid when the Evict was submitted
	step    podStep
	due     time.Time // stepAttempt: the next attempt
	since   time.Time // stepWaiting: the eviction (or deletion) instant, the polls' origin
	gone    bool
	goneAt  time.Time
}

// Start begins `kubectl drain node` with opts at now. The drain acts at the
// controller's next Reconcile, so the caller wakes the controller for
// NodeKey(node) at now (with a sim.Engine: e.WakeAt(now, c.Name(),
// drain.NodeKey(node))). Errors: an empty node name, invalid options
// (Options.Validate), or a drain of node still running. A finished drain of
// the node is replaced (Result then reports the new one). The node's
// existence is checked when the drain acts: a missing node makes it Failed.
func (c *Controller) Start(node string, opts Options, now time.Time) error {
	if node == "" {
		return fmt.Errorf("drain: %w", field.Required(field.NewPath("node"), "a node name is required"))
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("drain node/%s: %w", node, err)
	}
	if d, ok := c.drains[node]; ok && d.res.Phase == Draining {
		return fmt.Errorf("drain node/%s: already draining since %s", node, d.res.Started.Format(time.RFC3339))
	}
	if g := opts.GracePeriodSeconds; g != nil {
		v := *g
		opts.GracePeriodSeconds = &v // the drain's own
	}
	sel, _ := selector.Parse(opts.PodSelector)
	d := &drainState{
		res:   Result{Node: node, Options: opts, Phase: Draining, Started: now},
		key:   NodeKey(node),
		sel:   sel,
		retry: opts.RetryInterval,
	}
	if g := opts.GracePeriodSeconds; g != nil && *g >= 0 {
		v := *g
		d.grace = &v
	}
	if d.retry == 0 {
		d.retry = DefaultRetryInterval
	}
	c.drains[node] = d
	return nil
}

// Result returns the latest drain of node, and false if none was
// started. The Result and its Lines are the caller's. O(lines).
func (c *Controller) Result(node string) (Result, bool) {
	d, ok := c.drains[node]
	if !ok {
		return Result{}, false
	}
	r := d.res
	r.Lines = slices.Clone(r.Lines)
	if g := r.Options.GracePeriodSeconds; g != nil {
		v := *g
		r.Options.GracePeriodSeconds = &v
	}
	return r, true
}

// Nodes returns the nodes with a drain (running or finished), by name;
// the slice is the caller's. O(drains · log drains).
func (c *Controller) Nodes() []string {
	out := make([]string, 0, len(c.drains))
	for n := range c.drains { //detlint:allow sorted below
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Observe notes the deletion of evicted pods being waited for. O(1).
func (c *Controller) Observe(d cluster.Delta) {
	if len(c.waiting) == 0 || d.Key.Kind != cluster.KindPod || d.New != nil {
		return
	}
	p, ok := c.waiting[d.Key]
	if !ok {
		return
	}
	if old, _ := d.Old.(*cluster.Pod); old == nil || old.UID != p.uid {
		return
	}
	delete(c.waiting, d.Key)
	c.gone = append(c.gone, p)
	c.mark(p.d)
}

// Wake marks the drain of the node a wake-up names (a retry, a poll, the
// timeout, the look at a submitted change's outcome, or the start).
func (c *Controller) Wake(k cluster.Key) {
	if k.Kind != cluster.KindNode {
		return
	}
	if d, ok := c.drains[k.Name]; ok && d.res.Phase == Draining {
		c.mark(d)
	}
}

func (c *Controller) mark(d *drainState) {
	if !d.dirty {
		d.dirty = true
		c.dirty = append(c.dirty, d)
	}
}

// Reconcile advances every marked drain, by node name: O(pods on the
// node) each (plus the listing of the node's pods when the drain starts
// and when it fails). Nothing marked: O(1).
func (c *Controller) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	for _, p := range c.gone {
		if !p.gone {
			p.gone, p.goneAt = true, now
		}
	}
	c.gone = c.gone[:0]
	if len(c.dirty) == 0 {
		return plan, nil
	}
	slices.SortFunc(c.dirty, func(a, b *drainState) int { return strings.Compare(a.res.Node, b.res.Node) })
	for _, d := range c.dirty {
		d.dirty = false
		i := 0
		for i < len(d.wakes) && !d.wakes[i].After(now) {
			i++
		}
		d.wakes = d.wakes[i:]
		r := round{c: c, d: d, now: now, view: view, plan: &plan}
		r.run()
	}
	c.dirty = c.dirty[:0]
	return plan, nil
}

// round is one drain's part of a Reconcile.
type round struct {
	c    *Controller
	d    *drainState
	now  time.Time
	view cluster.View
	plan *cluster.Plan
}

func (r *round) say(warning bool, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	r.d.res.Lines = append(r.d.res.Lines, Line{At: r.now, Warning: warning, Text: text})
	t := cluster.NoteNormal
	if warning {
		t = cluster.NoteWarning
	}
	r.plan.Notes = append(r.plan.Notes, cluster.Note{Object: r.d.key, Type: t, Reason: ReasonDrain, Message: text})
}

// wakeAt asks for a wake-up of the drain at t, once per instant.
func (r *round) wakeAt(t time.Time) {
	d := r.d
	i, found := slices.BinarySearchFunc(d.wakes, t, func(a, b time.Time) int { return a.Compare(b) })
	if found {
		return
	}
	d.wakes = slices.Insert(d.wakes, i, t)
	r.plan.Requeue = append(r.plan.Requeue, cluster.Requeue{Key: d.key, After: t.Sub(r.now)})
}

func (r *round) run() {
	d := r.d
	switch d.phase {
	case phaseCordon, phaseCordonSent:
		if !r.cordon() {
			return
		}
		r.start()
	case phasePods:
		r.pods()
	}
}

// cordon sets spec.unschedulable, as kubectl's patch does, and reports
// whether the node is cordoned now.
func (r *round) cordon() bool {
	d := r.d
	n, ok := r.view.Node(d.res.Node)
	if !ok {
		if d.phase == phaseCordonSent {
			// kubectl prints the failed patch and drains on: the node's
			// pods are still listed.
			r.say(true, "error: unable to cordon node %q: nodes %q not found", d.res.Node, d.res.Node)
			return true
		}
		r.say(true, "Error from server (NotFound): nodes %q not found", d.res.Node)
		r.finish(Failed, fmt.Sprintf("nodes %q not found", d.res.Node))
		return false
	}
	if n.Spec.Unschedulable {
		if d.cordonTried {
			r.say(false, "node/%s cordoned", d.res.Node)
		} else {
			r.say(false, "node/%s already cordoned", d.res.Node)
		}
		return true
	}
	// Not yet (or the update conflicted with another write at this
	// instant): update the node as stored now.
	cp := n.DeepCopy()
	cp.Spec.Unschedulable = true
	r.plan.Changes = append(r.plan.Changes, cluster.Update{Object: cp, ExpectedRV: n.ResourceVersion})
	d.cordonTried = true
	d.phase = phaseCordonSent
	r.wakeAt(r.now)
	return false
}

// start lists the node's pods through the filters and starts evicting (or
// deleting) those to go.
func (r *round) start() {
	d := r.d
	l := list(r.view, d)
	if len(l.errs) > 0 {
		err := aggregate(l.errs)
		r.say(true, "error: unable to drain node %q due to error: %s, continuing command...", d.res.Node, err)
		r.say(true, "There are pending nodes to be drained:")
		r.say(true, " %s", d.res.Node)
		for _, e := range l.errs {
			r.say(true, "%s", e)
		}
		r.finish(Refused, strings.Join(l.errs, "\n"))
		return
	}
	if l.warnings != "" {
		r.say(true, "Warning: %s", l.warnings)
	}
	d.phase = phasePods
	for _, p := range l.pods {
		d.pods = append(d.pods, &podState{d: d, key: cluster.KeyOf(p), uid: p.UID, due: r.now})
	}
	d.left = len(d.pods)
	if d.res.Options.DisableEviction && len(d.pods) > 0 {
		// kubectl deletes each pod in turn, then waits for all of them.
		for _, p := range d.pods {
			delete(r.c.refusals, p.key)
			r.plan.Changes = append(r.plan.Changes, cluster.Delete{Key: p.key, GracePeriodSeconds: r.grace()})
			p.sentUID, p.step = p.uid, stepSent
		}
		r.wakeAt(r.now)
		return
	}
	if d.res.Options.Timeout > 0 {
		d.deadline, d.hasDeadline = r.now.Add(d.res.Options.Timeout), true
	}
	r.pods()
}

func (r *round) grace() *int64 {
	if r.d.grace == nil {
		return nil
	}
	g := *r.d.grace
	return &g
}

// pods moves every pod whose time has come, in listing order, and ends the
// drain when none is left.
func (r *round) pods() {
	d := r.d
	if d.res.Options.DisableEviction {
		r.deletions()
	} else {
		for _, p := range d.pods {
			r.evictStep(p)
		}
	}
	if d.left == 0 && d.phase != phaseDone {
		if len(d.errs) == 0 {
			r.say(false, "node/%s drained", d.res.Node)
			r.finish(Drained, "")
			return
		}
		r.fail()
	}
}

func (r *round) evictStep(p *podState) {
	d, now := r.d, r.now
	switch p.step {
	case stepAttempt:
		if p.due.After(now) {
			r.wakeAt(p.due)
			return
		}
		r.say(false, "evicting pod %s/%s", p.key.Namespace, p.key.Name)
		if d.hasDeadline && !now.Before(d.deadline) {
			d.timedOut = true
			r.podFailed(p, fmt.Sprintf("error when evicting pods/%q -n %q: global timeout reached: %v", p.key.Name, p.key.Namespace, d.res.Options.Timeout))
			return
		}
		cur, ok := r.view.Pod(p.key.Namespace, p.key.Name)
		if !ok {
			r.podDone(p) // NotFound: done, and kubectl prints nothing
			return
		}
		delete(r.c.refusals, p.key)
		r.plan.Changes = append(r.plan.Changes, cluster.Evict{Pod: p.key, GracePeriodSeconds: r.grace()})
		p.sentUID, p.step = cur.UID, stepSent
		r.wakeAt(now)
	case stepSent:
		cur, ok := r.view.Pod(p.key.Namespace, p.key.Name)
		if ok && cur.UID == p.sentUID && cur.DeletionTimestamp == nil {
			r.refused(p)
			return
		}
		r.waitFrom(p, true)
	case stepWaiting:
		r.poll(p, "evicted")
	}
}

// refused handles an Evict the API server refused, with the error the
// store gave it (Refused).
func (r *round) refused(p *podState) {
	d, now := r.d, r.now
	err := r.c.refusal(p.key)
	msg := ""
	var ee *cluster.EvictionError
	switch {
	case err == nil:
		// not deleted, yet no error came back: retried as a 429 would be
		msg = "Cannot evict pod as it would violate the pod's disruption budget."
	case errors.Is(err, cluster.ErrNotFound):
		r.podDone(p)
		return
	case errors.As(err, &ee) && errors.Is(err, cluster.ErrTooManyRequests):
		msg = ee.Message // kubectl prints the status message alone
	case errors.As(err, &ee):
		r.podFailed(p, fmt.Sprintf("error when evicting pods/%q -n %q: %s", p.key.Name, p.key.Namespace, ee.Message))
		return
	default:
		r.podFailed(p, fmt.Sprintf("error when evicting pods/%q -n %q: %v", p.key.Name, p.key.Namespace, err))
		return
	}
	r.say(true, "error when evicting pods/%q -n %q (will retry after %v): %s", p.key.Name, p.key.Namespace, d.retry, msg)
	p.step, p.due = stepAttempt, now.Add(d.retry)
	r.wakeAt(p.due)
}

// waitFrom starts the wait for an accepted pod with the immediate poll.
func (r *round) waitFrom(p *podState, evicted bool) {
	p.step, p.since = stepWaiting, r.now
	cur, ok := r.view.Pod(p.key.Namespace, p.key.Name)
	if !ok || cur.UID != p.uid {
		p.gone, p.goneAt = true, r.now
	} else {
		r.c.waiting[p.key] = p
	}
	if evicted {
		r.poll(p, "evicted")
	}
}

// pollAt is the first poll instant at or after t of a wait that began at
// since.
func pollAt(since, t time.Time) time.Time {
	if !t.After(since) {
		return since
	}
	n := (t.Sub(since) + PollInterval - 1) / PollInterval
	return since.Add(n * PollInterval)
}

// poll is an evicted pod's wait: done at the first poll that finds it
// gone, timed out at the first poll at or after the deadline that does
// not.
func (r *round) poll(p *podState, verb string) {
	d, now := r.d, r.now
	if p.gone {
		if at := pollAt(p.since, p.goneAt); !at.After(now) {
			r.say(false, "pod/%s %s", p.key.Name, verb)
			r.podDone(p)
		} else {
			r.wakeAt(at)
		}
		return
	}
	if !d.hasDeadline {
		return
	}
	if at := pollAt(p.since, d.deadline); !at.After(now) {
		delete(r.c.waiting, p.key)
		d.timedOut = true
		r.podFailed(p, fmt.Sprintf("error when waiting for pod %q in namespace %q to terminate: global timeout reached: %v", p.key.Name, p.key.Namespace, d.res.Options.Timeout))
	} else {
		r.wakeAt(at)
	}
}

// deletions is the DisableEviction path: the Deletes were submitted at
// the start; their outcome, then one wait for all, bounded by the Timeout
// counted from then (the timeout wins a poll at the same instant).
func (r *round) deletions() {
	d, now := r.d, r.now
	if len(d.pods) > 0 && d.pods[0].step == stepSent {
		// The Deletes were applied before this look at their outcome.
		for _, p := range d.pods {
			cur, ok := r.view.Pod(p.key.Namespace, p.key.Name)
			if ok && cur.UID == p.sentUID && cur.DeletionTimestamp == nil {
				err := r.c.refusal(p.key)
				if err == nil {
					err = fmt.Errorf("the deletion of pod %s/%s was refused", p.key.Namespace, p.key.Name)
				}
				d.errs, d.plainErr = append(d.errs, err.Error()), true
				r.abort()
				return
			}
		}
		for _, p := range d.pods {
			r.waitFrom(p, false)
		}
		if d.res.Options.Timeout > 0 {
			d.deadline, d.hasDeadline = now.Add(d.res.Options.Timeout), true // the wait's own timeout
		}
	}
	if d.hasDeadline && !now.Before(d.deadline) {
		d.errs, d.plainErr = append(d.errs, "timed out waiting for the condition"), true
		d.timedOut = true
		r.abort()
		return
	}
	for _, p := range d.pods {
		if p.step != stepWaiting || !p.gone {
			continue
		}
		if at := pollAt(p.since, p.goneAt); !at.After(now) {
			r.say(false, "pod/%s deleted", p.key.Name)
			r.podDone(p)
		} else if !d.hasDeadline || at.Before(d.deadline) {
			r.wakeAt(at)
		}
	}
	if d.left > 0 && d.hasDeadline {
		r.wakeAt(d.deadline)
	}
}

// abort ends every pod still going (the delete path stops at its first
// error).
func (r *round) abort() {
	for _, p := range r.d.pods {
		if p.step != stepDone {
			delete(r.c.waiting, p.key)
			p.step = stepDone
			r.d.left--
		}
	}
}

func (r *round) podDone(p *podState) {
	p.step = stepDone
	r.d.left--
}

func (r *round) podFailed(p *podState, err string) {
	r.d.errs = append(r.d.errs, err)
	r.podDone(p)
}

// fail prints what kubectl prints when DeleteOrEvictPods returns an
// error: the pods still to go, the node's failure, the error.
func (r *round) fail() {
	d := r.d
	err := aggregate(d.errs)
	if l := list(r.view, d); len(l.pods) > 0 {
		r.say(true, "There are pending pods in node %q when an error occurred: %s", d.res.Node, err)
		for _, p := range l.pods {
			r.say(true, "pod/%s", p.Name)
		}
		if len(l.errs) > 0 {
			r.say(true, "Following errors occurred while getting the list of pods to delete:")
			for _, e := range l.errs {
				r.say(true, "%s", e)
			}
		}
	}
	r.say(true, "error: unable to drain node %q due to error: %s, continuing command...", d.res.Node, err)
	r.say(true, "There are pending nodes to be drained:")
	r.say(true, " %s", d.res.Node)
	for _, e := range d.errs {
		if d.plainErr {
			e = "error: " + e
		}
		r.say(true, "%s", e)
	}
	phase := Failed
	if d.timedOut {
		phase = TimedOut
	}
	r.finish(phase, strings.Join(d.errs, "\n"))
}

func (r *round) finish(phase Phase, err string) {
	d := r.d
	d.phase = phaseDone
	d.res.Phase, d.res.Finished, d.res.Err = phase, r.now, err
	d.wakes = nil
}

// aggregate renders errors as utilerrors.NewAggregate's Error does: one
// as it is, several de-duplicated in brackets.
func aggregate(errs []string) string {
	if len(errs) == 1 {
		return errs[0]
	}
	var seen []string
	for _, e := range errs {
		if !slices.Contains(seen, e) {
			seen = append(seen, e)
		}
	}
	if len(seen) == 1 {
		return seen[0]
	}
	return "[" + strings.Join(seen, ", ") + "]"
}
