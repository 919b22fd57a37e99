package drain

import (
	"fmt"
	"strings"

	"github.com/daemonsim/daemonsim/cluster"
)

// The filters' words (k8s.io/kubectl/pkg/drain/filters.go).
const (
	daemonSetFatal   = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
	daemonSetWarning = "ignoring DaemonSet-managed Pods"
	unmanagedFatal   = "cannot delete Pods that declare no controller (use --force to override)"
	unmanagedWarning = "deleting Pods that declare no controller"
)

// status is a filter's verdict on a pod (upstream's PodDeleteStatus).
type status struct {
	delete  bool
	kind    statusKind
	message string
}

type statusKind uint8

const (
	okay statusKind = iota
	skip
	warning
	fatal
)

// podList is GetPodsForDeletion's answer: the pods to delete, in listing
// order, the warnings line and the errors, each "message: ns/a, ns/b".
type podList struct {
	pods     []*cluster.Pod
	warnings string
	errs     []string
}

// list is upstream's GetPodsForDeletion: the pods bound to the node that
// the pod selector matches, each through the filters in order (the first
// that says "don't delete" ends the chain; the last verdict stands), then
// the warnings and errors grouped by message. Upstream groups through a
// map; here the messages come in the order of their first pod. Cost:
// O(pods on the node).
func list(view cluster.View, d *drainState) podList {
	var out podList
	var warn, errs groups
	for p := range view.PodsOnNode(d.res.Node) {
		if !d.sel.Matches(p.Labels) {
			continue
		}
		var st status
		for _, f := range filters {
			st = f(view, &d.res.Options, p)
			if !st.delete {
				break
			}
		}
		name := p.Namespace + "/" + p.Name
		switch st.kind {
		case warning:
			warn.add(st.message, name)
		case fatal:
			errs.add(st.message, name)
		}
		if st.delete {
			out.pods = append(out.pods, p)
		}
	}
	var ws []string
	for i, m := range warn.messages {
		ws = append(ws, m+": "+strings.Join(warn.pods[i], ", "))
	}
	out.warnings = strings.Join(ws, "; ")
	for i, m := range errs.messages {
		if !strings.HasPrefix(strings.ToLower(m), "cannot delete") {
			m = "cannot delete " + m
		}
		out.errs = append(out.errs, m+": "+strings.Join(errs.pods[i], ", "))
	}
	return out
}

// groups collects pod names by message, messages in first-seen order.
type groups struct {
	messages []string
	pods     [][]string
}

func (g *groups) add(message, pod string) {
	for i, m := range g.messages {
		if m == message {
			g.pods[i] = append(g.pods[i], pod)
			return
		}
	}
	g.messages = append(g.messages, message)
	g.pods = append(g.pods, []string{pod})
}

type filter func(view cluster.View, o *Options, p *cluster.Pod) status

// filters are upstream's makeFilters without skipDeletedFilter
// (--skip-wait-for-delete-timeout is not modelled).
var filters = []filter{daemonSetFilter, mirrorPodFilter, localStorageFilter, unreplicatedFilter}

func daemonSetFilter(view cluster.View, o *Options, p *cluster.Pod) status {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "DaemonSet" || p.IsTerminal() {
		return status{delete: true}
	}
	if _, ok := view.DaemonSet(p.Namespace, ref.Name); !ok {
		msg := fmt.Sprintf("daemonsets.apps %q not found", ref.Name)
		if o.Force {
			return status{delete: true, kind: warning, message: msg}
		}
		return status{kind: fatal, message: msg}
	}
	if !o.IgnoreDaemonSets {
		return status{kind: fatal, message: daemonSetFatal}
	}
	return status{kind: warning, message: daemonSetWarning}
}

func mirrorPodFilter(_ cluster.View, _ *Options, p *cluster.Pod) status {
	if _, ok := p.Annotations[MirrorPodAnnotation]; ok {
		return status{kind: skip}
	}
	return status{delete: true}
}

// localStorageFilter never refuses: no pod has an emptyDir volume, since
// no volumes are simulated.
func localStorageFilter(_ cluster.View, _ *Options, _ *cluster.Pod) status {
	return status{delete: true}
}

func unreplicatedFilter(_ cluster.View, o *Options, p *cluster.Pod) status {
	if p.IsTerminal() || p.ControllerRef() != nil {
		return status{delete: true}
	}
	if o.Force {
		return status{delete: true, kind: warning, message: unmanagedWarning}
	}
	return status{kind: fatal, message: unmanagedFatal}
}
