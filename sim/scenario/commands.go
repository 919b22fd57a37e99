package scenario

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/printers"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/taints"
)

func init() {
	handlers = map[string]handler{
		"cluster":         cmdCluster,
		"apply":           cmdApply,
		"create":          cmdCreate,
		"add-nodes":       cmdAddNodes,
		"delete":          cmdDelete,
		"label":           cmdLabel,
		"patch":           cmdPatch,
		"taint":           cmdTaint,
		"cordon":          cmdCordon,
		"uncordon":        cmdCordon,
		"drain":           cmdDrain,
		"fail-node":       cmdNodeReady,
		"recover-node":    cmdNodeReady,
		"fail-pod":        cmdFailPod,
		"stop-kubelet":    cmdStopKubelet,
		"start-kubelet":   cmdStartKubelet,
		"set-condition":   cmdSetCondition,
		"churn":           cmdChurn,
		"replay":          cmdReplay,
		"set-image":       cmdSetImage,
		"set-strategy":    cmdSetStrategy,
		"rollout-undo":    cmdRolloutUndo,
		"rollout-status":  cmdRolloutStatus,
		"rollout-history": cmdRolloutHistory,
		"run":             cmdRun,
		"stabilize":       cmdRun,
		"get":             cmdGet,
		"events":          cmdEvents,
		"status":          cmdStatus,
		"why":             cmdWhy,
		"yaml":            cmdYAML,
	}
}

// target reads the object a command acts on: a bare word "kind/name" (or
// "name" when def is set), the two words "kind name", or, in timelines,
// one of the keys object=, or the kind's own name (node=, pod=,
// daemonset=).
//
// A bare word comes first, so that "label pod/p node=a" labels the pod.
func (a *args) target(def cluster.Kind) (cluster.Key, error) {
	w := a.word()
	if w == "" {
		if s := a.str("object", ""); s != "" {
			return parseRef(s, def)
		}
		for _, ki := range kindInfos {
			if s := a.str(ki.names[0], ""); s != "" {
				return parseRef(ki.names[0]+"/"+s, 0)
			}
		}
		return cluster.Key{}, badf("%s: missing the object (kind/name)", a.cmd)
	}
	if ki, ok := lookupKind(w); ok && !strings.Contains(w, "/") {
		name := a.word()
		if name == "" {
			return cluster.Key{}, badf("%s: missing the name after %q", a.cmd, w)
		}
		return parseRef(ki.names[0]+"/"+name, 0)
	}
	return parseRef(w, def)
}

// cluster seed=N start-latency=D ready-delay=D failure-probability=P max-steps=N
func cmdCluster(w *World, _ Command, a *args, _ *strings.Builder) error {
	if w.used {
		return badf("cluster must be the first command of a file")
	}
	cfg := w.cfg
	if s := a.str("seed", ""); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return badf("cluster: seed: want an unsigned integer, got %q", s)
		}
		cfg.Sim.Engine.Seed = n
	}
	for _, x := range []struct {
		key string
		d   *sim.Distribution
	}{{"start-latency", &cfg.Sim.NodeAgent.StartLatency}, {"ready-delay", &cfg.Sim.NodeAgent.ReadyDelay}} {
		if !a.has(x.key) {
			continue
		}
		d, err := parseDistribution(a.values(x.key))
		if err != nil {
			return badf("cluster: %s: %v", x.key, err)
		}
		*x.d = d
	}
	if s := a.str("failure-probability", ""); s != "" {
		p, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return badf("cluster: failure-probability: want a number, got %q", s)
		}
		cfg.Sim.NodeAgent.FailureProbability = p
	}
	cfg.Sim.Engine.MaxSteps = a.int("max-steps", cfg.Sim.Engine.MaxSteps)
	if err := a.done(); err != nil {
		return err
	}
	if err := w.configure(cfg); err != nil {
		return badf("cluster: %v", err)
	}
	return nil
}

// parseDistribution reads "2s" (fixed) or "(1s, 3s)" (uniform).
func parseDistribution(vals []string) (sim.Distribution, error) {
	ds := make([]time.Duration, len(vals))
	for i, v := range vals {
		d, err := parseDuration(v)
		if err != nil {
			return sim.Distribution{}, err
		}
		ds[i] = d
	}
	switch len(ds) {
	case 1:
		return sim.Fixed(ds[0]), nil
	case 2:
		d := sim.Uniform(ds[0], ds[1])
		return d, d.Validate()
	}
	return sim.Distribution{}, fmt.Errorf("want a duration (2s) or two bounds ((1s, 3s)), got %d values", len(ds))
}

// MaxNodesPerCommand bounds add-nodes count=N, so that a typo cannot
// exhaust memory.
const MaxNodesPerCommand = 1_000_000

// add-nodes n1 n2 | count=N [prefix=node-] [labels=...] [taints=...] [cpu=4] [memory=16Gi] [pods=110] [not-ready] [unschedulable]
func cmdAddNodes(w *World, _ Command, a *args, out *strings.Builder) error {
	count := a.int("count", 0)
	prefix := a.str("prefix", "node-")
	if s := a.str("name", ""); s != "" {
		a.list = append(a.list, Arg{Key: s})
		a.used = append(a.used, false)
	}
	labels, err := parseLabels(a.values("labels"))
	if err != nil {
		return badf("add-nodes: labels: %v", err)
	}
	var ts []taints.Taint
	for _, s := range a.values("taints") {
		t, err := taints.Parse(s)
		if err != nil {
			return badf("add-nodes: taints: %v", err)
		}
		ts = append(ts, t)
	}
	res := map[cluster.ResourceName]string{cluster.ResourceCPU: a.str("cpu", "4"),
		cluster.ResourceMemory: a.str("memory", "16Gi"), cluster.ResourcePods: a.str("pods", "110")}
	var alloc cluster.ResourceList
	for _, n := range []cluster.ResourceName{cluster.ResourceCPU, cluster.ResourceMemory, cluster.ResourcePods} {
		q, err := cluster.ParseQuantity(res[n])
		if err != nil {
			return badf("add-nodes: %s: %v", n, err)
		}
		alloc = alloc.With(n, q)
	}
	notReady, cordoned := a.flag("not-ready"), a.flag("unschedulable")
	names := a.words()
	if count > MaxNodesPerCommand {
		return badf("add-nodes: count: at most %d nodes per command, got %d", MaxNodesPerCommand, count)
	}
	if count < 0 || (count == 0 && len(names) == 0) {
		return badf("add-nodes: give node names or count=N (N > 0)")
	}
	if err := a.done(); err != nil {
		return err
	}
	view := w.c.View()
	for i := 1; count > 0; i++ {
		n := prefix + strconv.Itoa(i)
		if _, taken := view.Node(n); taken || slices.Contains(names, n) {
			continue
		}
		names = append(names, n)
		count--
	}
	changes := make([]cluster.Change, len(names))
	for i, n := range names {
		// the labels a kubelet gives its node, unless given
		nl := selector.Set{"kubernetes.io/hostname": n, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
		for k, v := range labels { //detlint:allow each key is written on its own
			nl[k] = v
		}
		node := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: n, Labels: nl}}
		node.Spec.Taints = slices.Clone(ts)
		node.Spec.Unschedulable = cordoned
		node.Status.Allocatable, node.Status.Capacity = slices.Clone(alloc), slices.Clone(alloc)
		st := cluster.ConditionTrue
		if notReady {
			st = cluster.ConditionFalse
		}
		node.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: st, LastTransitionTime: w.c.Now()}}
		changes[i] = cluster.Create{Object: node}
	}
	errs, err := w.applyNow(changes...)
	if err != nil {
		return err
	}
	created := 0
	for i, n := range names {
		k := cluster.Key{Kind: cluster.KindNode, Name: n}
		if errs[i] != nil {
			fmt.Fprintln(out, describeErr(k, errs[i]))
			continue
		}
		created++
		if len(names) <= 5 {
			fmt.Fprintf(out, "%s created\n", ref(k))
		}
	}
	if len(names) > 5 && created > 0 {
		fmt.Fprintf(out, "%d nodes created (%s ... %s)\n", created, names[0], names[len(names)-1])
	}
	return nil
}

// parseLabels reads "k=v" pairs.
func parseLabels(list []string) (selector.Set, error) {
	if len(list) == 0 {
		return nil, nil
	}
	s := selector.Set{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("want key=value, got %q", kv)
		}
		s[k] = v
	}
	return s, nil
}

// delete kind/name [cascade=background|orphan|foreground] [grace-period=N]
func cmdDelete(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(0)
	if err != nil {
		return err
	}
	d := cluster.Delete{Key: k}
	switch c := a.str("cascade", "background"); c {
	case "background", "true":
		d.Propagation = cluster.DeletePropagationBackground
	case "orphan", "false":
		d.Propagation = cluster.DeletePropagationOrphan
	case "foreground":
		d.Propagation = cluster.DeletePropagationForeground
	default:
		return badf("delete: cascade: want background, orphan or foreground, got %q", c)
	}
	grace := a.int("grace-period", -1)
	if grace >= 0 {
		g := int64(grace)
		d.GracePeriodSeconds = &g
	}
	if a.flag("now") {
		g := int64(1)
		d.GracePeriodSeconds = &g
	}
	if err := a.done(); err != nil {
		return err
	}
	errs, err := w.applyNow(d)
	if err != nil {
		return err
	}
	if errs[0] != nil {
		fmt.Fprintln(out, describeErr(k, errs[0]))
		return nil
	}
	ki := infoOf(k.Kind)
	kind := ki.names[0]
	if ki.group != "" {
		kind += "." + ki.group
	}
	op := "deleted"
	if grace == 0 {
		op = "force deleted"
	}
	if k.Kind.Namespaced() {
		op += " from " + k.Namespace + " namespace"
	}
	fmt.Fprintf(out, "%s %q %s\n", kind, k.Name, op)
	return nil
}

// update applies f to a copy of the stored object k and submits it as an
// Update. It prints the not-found error, f's error, or nothing. changed
// false from f skips the update.
func (w *World) update(out *strings.Builder, k cluster.Key, f func(o cluster.Object) (changed bool, err error)) (bool, error) {
	o, ok := w.get(k)
	if !ok {
		fmt.Fprintln(out, notFound(k))
		return false, nil
	}
	o = o.DeepCopyObject()
	changed, ferr := f(o)
	if ferr != nil {
		fmt.Fprintln(out, "error: "+ferr.Error())
		return false, nil
	}
	if !changed {
		return true, nil
	}
	errs, err := w.applyNow(cluster.Update{Object: o})
	if err != nil {
		return false, err
	}
	if errs[0] != nil {
		fmt.Fprintln(out, describeErr(k, errs[0]))
		return false, nil
	}
	return true, nil
}

// updateStatus is update through the status subresource.
func (w *World) updateStatus(out *strings.Builder, k cluster.Key, f func(o cluster.Object)) (bool, error) {
	o, ok := w.get(k)
	if !ok {
		fmt.Fprintln(out, notFound(k))
		return false, nil
	}
	o = o.DeepCopyObject()
	f(o)
	errs, err := w.applyNow(cluster.UpdateStatus{Object: o})
	if err != nil {
		return false, err
	}
	if errs[0] != nil {
		fmt.Fprintln(out, describeErr(k, errs[0]))
		return false, nil
	}
	return true, nil
}

// label kind/name k=v k2- [overwrite]
func cmdLabel(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(0)
	if err != nil {
		return err
	}
	overwrite := a.flag("overwrite")
	specs := a.values("labels")
	for _, x := range a.rest() {
		switch {
		case len(x.Vals) == 1:
			specs = append(specs, x.Key+"="+x.Vals[0])
		case len(x.Vals) == 0 && strings.HasSuffix(x.Key, "-") && len(x.Key) > 1:
			specs = append(specs, x.Key)
		default:
			return badf("label: %q: want key=value or key-", x.String())
		}
	}
	if len(specs) == 0 {
		return badf("label: give at least one key=value or key-")
	}
	added, removed := false, false
	ok, err := w.update(out, k, func(o cluster.Object) (bool, error) {
		m := o.Meta()
		var problems []string
		for _, s := range specs {
			if key, ok := strings.CutSuffix(s, "-"); ok && !strings.Contains(s, "=") {
				if _, has := m.Labels[key]; has {
					delete(m.Labels, key)
					removed = true
				}
				continue
			}
			key, val, _ := strings.Cut(s, "=")
			if cur, has := m.Labels[key]; has && !overwrite && cur != val {
				problems = append(problems, fmt.Sprintf("'%s' already has a value (%s), and --overwrite is false", key, cur))
				continue
			}
			if cur, has := m.Labels[key]; !has || cur != val {
				if m.Labels == nil {
					m.Labels = selector.Set{}
				}
				m.Labels[key] = val
				added = true
			}
		}
		if len(problems) > 0 {
			return false, fmt.Errorf("%s", strings.Join(problems, ", "))
		}
		return added || removed, nil
	})
	if err != nil || !ok {
		return err
	}
	switch {
	case added:
		fmt.Fprintf(out, "%s labeled\n", ref(k))
	case removed:
		fmt.Fprintf(out, "%s unlabeled\n", ref(k))
	default:
		fmt.Fprintf(out, "%s not labeled\n", ref(k))
	}
	return nil
}

// taint node n1 k=v:NoSchedule k2:NoExecute- k3- [overwrite]
func cmdTaint(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindNode)
	if err != nil {
		return err
	}
	if k.Kind != cluster.KindNode {
		return badf("taint: only nodes have taints, not %s", k.Kind)
	}
	overwrite := a.flag("overwrite")
	specs := append(a.values("taint"), a.values("taints")...)
	for _, x := range a.rest() {
		switch len(x.Vals) {
		case 0:
			specs = append(specs, x.Key)
		case 1:
			specs = append(specs, x.Key+"="+x.Vals[0])
		default:
			return badf("taint: %q: want key=value:Effect, key:Effect- or key-", x.String())
		}
	}
	if len(specs) == 0 {
		return badf("taint: give at least one taint (key=value:Effect, key:Effect- or key-)")
	}
	type removal struct {
		key    string
		effect taints.Effect
	}
	var adds []taints.Taint
	var removes []removal
	for _, s := range specs {
		if r, ok := strings.CutSuffix(s, "-"); ok {
			key, eff, _ := strings.Cut(r, ":")
			removes = append(removes, removal{key, taints.Effect(eff)})
			continue
		}
		t, err := taints.Parse(s)
		if err != nil {
			return badf("taint: %v", err)
		}
		adds = append(adds, t)
	}
	ok, err := w.update(out, k, func(o cluster.Object) (bool, error) {
		n := o.(*cluster.Node)
		for _, r := range removes {
			before := len(n.Spec.Taints)
			n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(t taints.Taint) bool {
				return t.Key == r.key && (r.effect == "" || t.Effect == r.effect)
			})
			if len(n.Spec.Taints) == before {
				spec := r.key
				if r.effect != "" {
					spec += ":" + string(r.effect)
				}
				return false, fmt.Errorf("taint %q not found", spec)
			}
		}
		for _, t := range adds {
			i := slices.IndexFunc(n.Spec.Taints, func(x taints.Taint) bool { return x.Key == t.Key && x.Effect == t.Effect })
			switch {
			case i >= 0 && !overwrite:
				return false, fmt.Errorf("node %s already has %s taint(s) with same effect(s) and --overwrite is false", n.Name, t.Key)
			case i >= 0:
				n.Spec.Taints[i] = t
			default:
				n.Spec.Taints = append(n.Spec.Taints, t)
			}
		}
		if len(n.Spec.Taints) == 0 {
			n.Spec.Taints = nil
		}
		return true, nil
	})
	if err != nil || !ok {
		return err
	}
	switch {
	case len(adds) > 0 && len(removes) > 0:
		fmt.Fprintf(out, "%s modified\n", ref(k))
	case len(adds) > 0:
		fmt.Fprintf(out, "%s tainted\n", ref(k))
	default:
		fmt.Fprintf(out, "%s untainted\n", ref(k))
	}
	return nil
}

// cordon n1 / uncordon n1
func cmdCordon(w *World, cmd Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindNode)
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	_, err = w.cordon(out, k, cmd.Name == "cordon")
	return err
}

func (w *World) cordon(out *strings.Builder, k cluster.Key, on bool) (bool, error) {
	if k.Kind != cluster.KindNode {
		return false, badf("only nodes can be cordoned, not %s", k.Kind)
	}
	word := map[bool]string{true: "cordoned", false: "uncordoned"}[on]
	already := false
	ok, err := w.update(out, k, func(o cluster.Object) (bool, error) {
		n := o.(*cluster.Node)
		if n.Spec.Unschedulable == on {
			already = true
			return false, nil
		}
		n.Spec.Unschedulable = on
		return true, nil
	})
	if err != nil || !ok {
		return false, err
	}
	if already {
		word = "already " + word
	}
	fmt.Fprintf(out, "%s %s\n", ref(k), word)
	return true, nil
}

// fail-node n1 [status=False] [reason=] [message=] / recover-node n1
func cmdNodeReady(w *World, cmd Command, a *args, out *strings.Builder) error {
	node, err := a.node()
	if err != nil {
		return err
	}
	c := cluster.NodeCondition{Type: cluster.NodeReady, Status: cluster.ConditionTrue,
		Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	if cmd.Name == "fail-node" {
		switch st := a.str("status", "False"); st {
		case "False":
			c.Status, c.Reason, c.Message = cluster.ConditionFalse, "KubeletNotReady", "container runtime network not ready"
		case "Unknown":
			return badf("fail-node: status: Unknown is set only by the node lifecycle controller, when the kubelet stops posting status; use stop-kubelet %s", node)
		default:
			return badf("fail-node: status: want False (Unknown: use stop-kubelet), got %q", st)
		}
		c.Reason = a.str("reason", c.Reason)
		c.Message = a.str("message", c.Message)
	}
	if err := a.done(); err != nil {
		return err
	}
	return w.setCondition(out, node, c)
}

// fail-pod pod/ns/name [reason=] [message=]
func cmdFailPod(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindPod)
	if err != nil {
		return err
	}
	reason, msg := a.str("reason", sim.ReasonSimulatedFailure), a.str("message", "")
	if err := a.done(); err != nil {
		return err
	}
	if k.Kind != cluster.KindPod {
		return badf("fail-pod: want a pod, not %s", k.Kind)
	}
	if err := w.c.Fail(k, reason, msg); err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	fmt.Fprintf(out, "%s failing (%s)\n", ref(k), reason)
	return nil
}

// set image ds/x container=image ... ('*' for every container)
func cmdSetImage(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindDaemonSet)
	if err != nil {
		return err
	}
	var images []Arg
	for _, s := range a.values("images") {
		c, img, _ := strings.Cut(s, "=")
		images = append(images, Arg{Key: c, Vals: []string{img}})
	}
	if c := a.str("container", ""); c != "" {
		images = append(images, Arg{Key: c, Vals: []string{a.str("image", "")}})
	}
	for _, x := range a.rest() {
		if len(x.Vals) != 1 {
			return badf("set image: %q: want container=image", x.String())
		}
		images = append(images, x)
	}
	if len(images) == 0 {
		return badf("set image: give container=image")
	}
	ok, err := w.update(out, k, func(o cluster.Object) (bool, error) {
		spec := podSpecOf(o)
		if spec == nil {
			return false, fmt.Errorf("%s has no pod template", ref(k))
		}
		for _, im := range images {
			found := false
			for _, list := range [][]cluster.Container{spec.InitContainers, spec.Containers} {
				for i := range list {
					if im.Key == "*" || list[i].Name == im.Key {
						list[i].Image, found = im.Vals[0], true
					}
				}
			}
			if !found {
				return false, fmt.Errorf("unable to find container named %q", im.Key)
			}
		}
		return true, nil
	})
	if err != nil || !ok {
		return err
	}
	fmt.Fprintf(out, "%s image updated\n", ref(k))
	return nil
}

func podSpecOf(o cluster.Object) *cluster.PodSpec {
	switch t := o.(type) {
	case *cluster.DaemonSet:
		return &t.Spec.Template.Spec
	case *cluster.ReplicaSet:
		return &t.Spec.Template.Spec
	case *cluster.Pod:
		return &t.Spec
	}
	return nil
}

// set strategy ds/x type=RollingUpdate|OnDelete [max-unavailable=N|P%] [max-surge=N|P%]
func cmdSetStrategy(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindDaemonSet)
	if err != nil {
		return err
	}
	var st cluster.DaemonSetUpdateStrategy
	switch t := a.str("type", "RollingUpdate"); t {
	case "RollingUpdate", "OnDelete":
		st.Type = cluster.DaemonSetUpdateStrategyType(t)
	default:
		return badf("set strategy: type: want RollingUpdate or OnDelete, got %q", t)
	}
	mu, ms := a.str("max-unavailable", ""), a.str("max-surge", "")
	if mu != "" || ms != "" {
		st.RollingUpdate = &cluster.RollingUpdateDaemonSet{MaxUnavailable: intOrString(mu), MaxSurge: intOrString(ms)}
	}
	if err := a.done(); err != nil {
		return err
	}
	if k.Kind != cluster.KindDaemonSet {
		return badf("set strategy: want a daemonset, not %s", k.Kind)
	}
	ok, err := w.update(out, k, func(o cluster.Object) (bool, error) {
		o.(*cluster.DaemonSet).Spec.UpdateStrategy = st
		return true, nil
	})
	if err != nil || !ok {
		return err
	}
	fmt.Fprintf(out, "%s patched\n", ref(k))
	return nil
}

func intOrString(s string) *cluster.IntOrString {
	if s == "" {
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		v := cluster.FromInt(int32(n))
		return &v
	}
	v := cluster.FromString(s)
	return &v
}

func (w *World) daemonSet(out *strings.Builder, k cluster.Key) (*cluster.DaemonSet, error) {
	if k.Kind != cluster.KindDaemonSet {
		return nil, badf("want a daemonset, not %s", k.Kind)
	}
	ds, ok := w.c.View().DaemonSet(k.Namespace, k.Name)
	if !ok {
		fmt.Fprintln(out, notFound(k))
	}
	return ds, nil
}

// rollout undo ds/x [to-revision=N]
func cmdRolloutUndo(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindDaemonSet)
	if err != nil {
		return err
	}
	rev := a.int("to-revision", 0)
	if err := a.done(); err != nil {
		return err
	}
	if ds, err := w.daemonSet(out, k); err != nil || ds == nil {
		return err
	}
	ds, msg, err := daemonset.Rollback(w.c.View(), k.Namespace, k.Name, int64(rev))
	switch {
	case err != nil:
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	case ds == nil:
		fmt.Fprintf(out, "%s %s\n", ref(k), msg)
		return nil
	}
	errs, err := w.applyNow(cluster.Update{Object: ds})
	if err != nil {
		return err
	}
	if errs[0] != nil {
		fmt.Fprintln(out, describeErr(k, errs[0]))
		return nil
	}
	fmt.Fprintf(out, "%s %s\n", ref(k), msg)
	return nil
}

// rollout status ds/x (one look; kubectl would watch)
func cmdRolloutStatus(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindDaemonSet)
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	ds, err := w.daemonSet(out, k)
	if err != nil || ds == nil {
		return err
	}
	msg, _, serr := daemonset.RolloutStatus(ds)
	if serr != nil {
		fmt.Fprintln(out, "error: "+serr.Error())
		return nil
	}
	out.WriteString(msg)
	return nil
}

// rollout history ds/x
func cmdRolloutHistory(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindDaemonSet)
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	ds, err := w.daemonSet(out, k)
	if err != nil || ds == nil {
		return err
	}
	rows := [][]string{{"REVISION", "CHANGE-CAUSE"}}
	for _, r := range daemonset.Revisions(w.c.View(), ds) {
		cause := r.Annotations["kubernetes.io/change-cause"]
		if cause == "" {
			cause = "<none>"
		}
		rows = append(rows, []string{strconv.FormatInt(r.Revision, 10), cause})
	}
	fmt.Fprintln(out, ref(k))
	return printers.WriteTable(out, rows)
}

// run [for=D | until=D] [trace] / stabilize [trace]
func cmdRun(w *World, cmd Command, a *args, out *strings.Builder) error {
	e := w.c.Engine
	var d time.Duration
	if cmd.Name == "run" {
		d = a.duration("for", 0)
		if a.has("until") {
			at := a.duration("until", 0)
			if w.start.Add(at).Before(e.Now()) {
				return badf("run: until=%s is before the current time %s", at, w.Offset())
			}
			d = w.start.Add(at).Sub(e.Now())
		}
		if wd := a.word(); wd != "" && wd != "trace" { // "run 1m"
			var err error
			if d, err = parseDuration(wd); err != nil {
				return badf("run: %v", err)
			}
		} else if wd == "trace" {
			a.list, a.used = append(a.list, Arg{Key: wd}), append(a.used, false)
		}
	}
	trace := a.flag("trace")
	if err := a.done(); err != nil {
		return err
	}
	from := e.LogLen()
	var err error
	if cmd.Name == "run" {
		err = w.runUntil(e.Now().Add(d))
	} else {
		err = w.stabilize()
	}
	for ev := range e.Events(from) {
		if trace || (ev.Kind == sim.EventChange && ev.Err != "") {
			fmt.Fprintln(out, sim.Describe(w.start, *ev))
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrEngine, cmd.Name, err)
	}
	fmt.Fprintln(out, w.Offset())
	return nil
}

// getOptions reads get's kubectl flags: -o wide|yaml, -A, -n ns, -l sel,
// and their key=value forms.
func getOptions(a *args, words []string) (printers.Options, string, []string, error) {
	var o printers.Options
	format := ""
	var rest []string
	for i := 0; i < len(words); i++ {
		switch wd := words[i]; wd {
		case "-o", "--output", "-n", "--namespace", "-l", "--selector":
			if i+1 == len(words) {
				return o, "", nil, badf("get: %s needs a value", wd)
			}
			i++
			switch wd {
			case "-o", "--output":
				format = words[i]
			case "-n", "--namespace":
				o.Namespace = words[i]
			default:
				a.list = append(a.list, Arg{Key: "selector", Vals: []string{words[i]}})
				a.used = append(a.used, false)
			}
		case "-A", "--all-namespaces", "all-namespaces":
			o.AllNamespaces = true
		case "wide":
			format = "wide"
		default:
			rest = append(rest, wd)
		}
	}
	for _, key := range []string{"o", "-o", "output", "--output"} {
		format = a.str(key, format)
	}
	for _, key := range []string{"n", "-n", "namespace", "--namespace"} {
		o.Namespace = a.str(key, o.Namespace)
	}
	o.AllNamespaces = o.AllNamespaces || a.flag("A")
	sel := ""
	for _, key := range []string{"l", "-l", "selector", "--selector"} {
		if s := a.values(key); s != nil {
			sel = strings.Join(s, ",")
		}
	}
	if sel != "" {
		s, err := selector.Parse(sel)
		if err != nil {
			return o, "", nil, badf("get: selector: %v", err)
		}
		o.Selector = s
	}
	switch format {
	case "", "wide", "yaml", "json":
	default:
		return o, "", nil, badf("get: -o: want wide, yaml or json, got %q", format)
	}
	o.Wide = format == "wide"
	return o, format, rest, nil
}

// joinFlagValues turns the two arguments "-l", "app=x" (kubectl's
// spelling, which datadriven reads as a word and a key=value) into one
// "-l=app=x".
func joinFlagValues(a *args) {
	var list []Arg
	for i := 0; i < len(a.list); i++ {
		x := a.list[i]
		switch x.Key {
		case "-o", "--output", "-n", "--namespace", "-l", "--selector":
			if len(x.Vals) == 0 && i+1 < len(a.list) {
				list = append(list, Arg{Key: x.Key, Vals: []string{a.list[i+1].String()}})
				i++
				continue
			}
		}
		list = append(list, x)
	}
	a.list, a.used = list, make([]bool, len(list))
}

// get pods|nodes|daemonsets|events [name] [-o wide|yaml|json] [-A] [-n ns] [-l selector]
func cmdGet(w *World, _ Command, a *args, out *strings.Builder) error {
	joinFlagValues(a)
	words := a.words()
	if len(words) == 0 {
		return badf("get: what? (pods, nodes, daemonsets, events)")
	}
	kind := words[0]
	o, format, rest, err := getOptions(a, words[1:])
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	if len(rest) > 1 {
		return badf("get: unknown argument %s", strings.Join(rest[1:], ", "))
	}
	view, now := w.c.View(), w.c.Now()
	if kind == "events" || kind == "event" || kind == "ev" {
		if len(rest) > 0 || format == "yaml" || format == "json" {
			return badf("get events: takes no name and prints a table only")
		}
		return printers.Events(out, w.notes(0), now, o)
	}
	ki, ok := lookupKind(kind)
	if !ok {
		return badf("get: unknown kind %q (pods, nodes, daemonsets, replicasets, events, ...)", kind)
	}
	if len(rest) == 1 {
		o.Name = rest[0]
	}
	if format == "yaml" || format == "json" {
		var objs []cluster.Object
		for obj := range view.Objects() {
			m := obj.Meta()
			if obj.ObjectKind() != ki.kind || (o.Name != "" && m.Name != o.Name) {
				continue
			}
			if ki.kind.Namespaced() && !o.AllNamespaces && m.Namespace != namespaceOr(o.Namespace) {
				continue
			}
			if !o.Selector.Matches(m.Labels) {
				continue
			}
			objs = append(objs, obj)
		}
		if o.Name != "" && len(objs) == 0 {
			fmt.Fprintln(out, notFound(cluster.Key{Kind: ki.kind, Name: o.Name}))
			return nil
		}
		return writeObjects(out, format, objs)
	}
	switch ki.kind {
	case cluster.KindPod:
		return printers.Pods(out, view, now, o)
	case cluster.KindNode:
		return printers.Nodes(out, view, now, o)
	case cluster.KindDaemonSet:
		return printers.DaemonSets(out, view, now, o)
	}
	return badf("get: no table for %s; use -o yaml", ki.names[1])
}

func namespaceOr(ns string) string {
	if ns == "" {
		return cluster.DefaultNamespace
	}
	return ns
}

// notes returns the notes of the log from index from on.
func (w *World) notes(from int) []printers.Event {
	var evs []printers.Event
	for ev := range w.c.Events(from) {
		if ev.Kind == sim.EventNote && ev.Note != nil {
			evs = append(evs, printers.Event{At: ev.At, Note: *ev.Note})
		}
	}
	return evs
}

// events [namespace=ns]: the notes since the last events command, every
// namespace unless one is given.
func cmdEvents(w *World, _ Command, a *args, out *strings.Builder) error {
	o := printers.Options{AllNamespaces: true}
	for _, key := range []string{"n", "-n", "namespace"} {
		if ns := a.str(key, ""); ns != "" {
			o.Namespace, o.AllNamespaces = ns, false
		}
	}
	if err := a.done(); err != nil {
		return err
	}
	evs := w.notes(w.lastNote)
	w.lastNote = w.c.LogLen()
	if len(evs) == 0 {
		fmt.Fprintln(out, "No events since the last look")
		return nil
	}
	return printers.Events(out, evs, w.c.Now(), o)
}

// status kind/name: the status fields. A DaemonSet's are listed all, zeros
// included, in the API's order; other kinds' as YAML.
func cmdStatus(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindDaemonSet)
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	o, ok := w.get(k)
	if !ok {
		fmt.Fprintln(out, notFound(k))
		return nil
	}
	if ds, ok := o.(*cluster.DaemonSet); ok {
		s := ds.Status
		fmt.Fprintf(out, "currentNumberScheduled: %d\nnumberMisscheduled: %d\ndesiredNumberScheduled: %d\nnumberReady: %d\nobservedGeneration: %d\nupdatedNumberScheduled: %d\nnumberAvailable: %d\nnumberUnavailable: %d\n",
			s.CurrentNumberScheduled, s.NumberMisscheduled, s.DesiredNumberScheduled, s.NumberReady,
			s.ObservedGeneration, s.UpdatedNumberScheduled, s.NumberAvailable, s.NumberUnavailable)
		if s.CollisionCount != nil {
			fmt.Fprintf(out, "collisionCount: %d\n", *s.CollisionCount)
		}
		for _, c := range s.Conditions {
			fmt.Fprintf(out, "condition %s=%s %s: %s\n", c.Type, c.Status, c.Reason, c.Message)
		}
		return nil
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrEngine, err)
	}
	var fields struct {
		Status json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil || len(fields.Status) == 0 {
		fmt.Fprintf(out, "%s has no status\n", ref(k))
		return nil
	}
	y, err := jsonToYAML(fields.Status)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrEngine, err)
	}
	out.Write(y)
	return nil
}

// why pod/ns/name: why the pod is pending, from one scheduling attempt
// (scheduler.Decide) at this instant.
func cmdWhy(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(cluster.KindPod)
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	if k.Kind != cluster.KindPod {
		return badf("why: want a pod, not %s", k.Kind)
	}
	view := w.c.View()
	p, ok := view.Pod(k.Namespace, k.Name)
	switch {
	case !ok:
		fmt.Fprintln(out, notFound(k))
		return nil
	case p.IsBound():
		fmt.Fprintf(out, "%s is bound to node %s (%s)\n", ref(k), p.Spec.NodeName, printers.PodStatus(p))
		return nil
	}
	d, err := scheduler.Decide(w.c.Scheduler.Config(), view, w.c.Now(), k)
	if err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	if d.Node != "" {
		fmt.Fprintf(out, "%s is pending but fits: the scheduler would bind it to %s\n", ref(k), d.Node)
		return nil
	}
	fmt.Fprintln(out, d.Message)
	statuses := slices.Clone(d.Statuses)
	slices.SortFunc(statuses, func(x, y scheduler.NodeStatus) int { return strings.Compare(x.Node, y.Node) })
	for _, s := range statuses {
		fmt.Fprintf(out, "  %s: %s: %s\n", s.Node, s.Plugin, strings.Join(s.Reasons, "; "))
	}
	if d.Nominated != "" {
		var victims []string
		for _, v := range d.Victims {
			victims = append(victims, v.Namespace+"/"+v.Name)
		}
		fmt.Fprintf(out, "preemption would nominate %s, evicting %s\n", d.Nominated, strings.Join(victims, ", "))
	}
	return nil
}
