package cluster

import "github.com/daemonsim/daemonsim/taints"

// DefaultNotReadyTolerationSeconds and DefaultUnreachableTolerationSeconds
// are the tolerationSeconds the DefaultTolerationSeconds admission plugin
// gives pods (upstream's --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds, both 300).
const (
	DefaultNotReadyTolerationSeconds    int64 = 300
	DefaultUnreachableTolerationSeconds int64 = 300
)

// defaultPodTolerations is what a pod without tolerations gets: one
// slice shared by every such pod (stored objects are immutable; its
// capacity is its length, so an append copies), which keeps the store's
// memory per pod as it was.
var defaultPodTolerations = func() []taints.Toleration {
	nr, un := DefaultNotReadyTolerationSeconds, DefaultUnreachableTolerationSeconds
	l := []taints.Toleration{
		{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &nr},
		{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &un},
	}
	return l[:2:2]
}()

// admitDefaultTolerationSeconds is the DefaultTolerationSeconds admission
// plugin (plugin/pkg/admission/defaulttolerationseconds), run on pod create
// and update: a pod that does not already tolerate the not-ready (or the
// unreachable) NoExecute taint gets {key, Exists, NoExecute, 300 s} appended.
// A toleration counts when its key is the taint's or empty and its effect is
// NoExecute or empty; operator and value are not looked at, as upstream.
// It never fails. The tolerations slice is replaced, never appended to in
// place, because created pods share it with the pod created before them.
func admitDefaultTolerationSeconds(p *Pod) {
	if len(p.Spec.Tolerations) == 0 {
		p.Spec.Tolerations = defaultPodTolerations
		return
	}
	var notReady, unreachable bool
	for _, t := range p.Spec.Tolerations {
		if t.Effect != taints.NoExecute && t.Effect != "" {
			continue
		}
		if t.Key == taints.KeyNodeNotReady || t.Key == "" {
			notReady = true
		}
		if t.Key == taints.KeyNodeUnreachable || t.Key == "" {
			unreachable = true
		}
	}
	if notReady && unreachable {
		return
	}
	out := make([]taints.Toleration, len(p.Spec.Tolerations), len(p.Spec.Tolerations)+2)
	copy(out, p.Spec.Tolerations)
	if !notReady {
		s := DefaultNotReadyTolerationSeconds
		out = append(out, taints.Toleration{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &s})
	}
	if !unreachable {
		s := DefaultUnreachableTolerationSeconds
		out = append(out, taints.Toleration{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &s})
	}
	p.Spec.Tolerations = out
}
