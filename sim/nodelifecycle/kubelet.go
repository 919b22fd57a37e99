package nodelifecycle

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// AnnotationKubeletStopped marks a node whose kubelet has stopped: it
// renews the node's lease no more and posts no status. The value is the
// RFC 3339 time of the stop (StopKubelet writes it with nanoseconds). The
// controller reads the annotation as the simulation's record of the
// kubelet, in place of the Lease upstream reads; see the package doc.
const AnnotationKubeletStopped = "sim.daemonsim.io/kubelet-stopped"

// The errors of StopKubelet and StartKubelet (wrapped with the node).
var (
	// ErrKubeletStopped: StopKubelet on a node whose kubelet is already
	// stopped.
	ErrKubeletStopped = errors.New("kubelet already stopped")
	// ErrKubeletRunning: StartKubelet on a node whose kubelet runs.
	ErrKubeletRunning = errors.New("kubelet already running")
)

// StopKubelet returns the Update that records that node's kubelet stops at
// now: a copy of the node with AnnotationKubeletStopped set to now. The
// controller then counts the node's last heartbeat as the last lease
// renewal due at or before now (see the package doc). The Update carries
// the node's resourceVersion (ErrConflict if the node changes before it
// is applied). Errors, wrapped with "node/NAME: stop-kubelet": ErrNotFound
// if view has no such node, ErrKubeletStopped if it is stopped already.
// Cost: one lookup and a copy of the node's metadata and spec.
func StopKubelet(view cluster.View, node string, now time.Time) (cluster.Change, error) {
	n, ok := view.Node(node)
	if !ok {
		return nil, fmt.Errorf("node/%s: stop-kubelet: %w", node, cluster.ErrNotFound)
	}
	if _, stopped := n.Annotations[AnnotationKubeletStopped]; stopped {
		return nil, fmt.Errorf("node/%s: stop-kubelet: %w", node, ErrKubeletStopped)
	}
	cp := n.DeepCopy()
	if cp.Annotations == nil {
		cp.Annotations = map[string]string{}
	}
	cp.Annotations[AnnotationKubeletStopped] = now.UTC().Format(time.RFC3339Nano)
	return cluster.Update{Object: cp, ExpectedRV: n.ResourceVersion}, nil
}

// StartKubelet returns the Update that records that node's kubelet starts
// again: a copy of the node without AnnotationKubeletStopped. The kubelet
// renews its lease at once and every LeaseRenewInterval after, so the next
// monitor pass after the Update sees a heartbeat. It does not post the
// node's Ready condition: a kubelet that comes back healthy also posts
// Ready=True, which the caller writes (as the scenario's recover-node
// does); only then do the not-ready and unreachable taints go. now is
// unused but kept so that the two helpers read alike. Errors, wrapped with
// "node/NAME: start-kubelet": ErrNotFound, ErrKubeletRunning. Cost: one
// lookup and a copy of the node.
func StartKubelet(view cluster.View, node string, now time.Time) (cluster.Change, error) {
	_ = now
	n, ok := view.Node(node)
	if !ok {
		return nil, fmt.Errorf("node/%s: start-kubelet: %w", node, cluster.ErrNotFound)
	}
	if _, stopped := n.Annotations[AnnotationKubeletStopped]; !stopped {
		return nil, fmt.Errorf("node/%s: start-kubelet: %w", node, ErrKubeletRunning)
	}
	cp := n.DeepCopy()
	cp.Annotations = maps.Clone(cp.Annotations)
	delete(cp.Annotations, AnnotationKubeletStopped)
	if len(cp.Annotations) == 0 {
		cp.Annotations = nil
	}
	return cluster.Update{Object: cp, ExpectedRV: n.ResourceVersion}, nil
}

// KubeletStopped reports whether n's kubelet is stopped and since when.
// A value that is not an RFC 3339 time counts as stopped at n's creation
// (bad reports that). Cost: one map lookup and a parse.
func KubeletStopped(n *cluster.Node) (at time.Time, stopped, bad bool) {
	v, ok := n.Annotations[AnnotationKubeletStopped]
	if !ok {
		return time.Time{}, false, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return n.CreationTimestamp, true, true
	}
	return t, true, false
}
