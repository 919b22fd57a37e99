package daemonset

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// The controller's constants, with upstream's values
// (pkg/controller/daemon, cmd/kube-controller-manager).
const (
	// BurstReplicas caps the creates and, separately, the deletes of one sync.
	BurstReplicas = 250
	// SlowStartInitialBatchSize is the first create batch of a sync; each
	// next batch doubles while every create succeeds.
	SlowStartInitialBatchSize = 1
	// FailedPodBackoffInitial and FailedPodBackoffMax bound the delay
	// between deleting failed daemon pods on one node.
	FailedPodBackoffInitial = time.Second
	FailedPodBackoffMax     = 15 * time.Minute
	// ControllerRevisionHashLabel is the pod label naming the template
	// revision a pod was made from (apps.DefaultDaemonSetUniqueLabelKey).
	ControllerRevisionHashLabel = "controller-revision-hash"
	// TemplateGenerationLabel is the legacy pod label naming the
	// DaemonSet's template generation a pod was made from
	// (extensions.DaemonSetTemplateGenerationKey); pods get it when the
	// DaemonSet carries cluster.TemplateGenerationAnnotation.
	TemplateGenerationLabel = "pod-template-generation"
)

// The event reasons the controller records (upstream's, plus the pod
// control's create and delete reasons).
const (
	ReasonSelectingAll       = "SelectingAll"
	ReasonFailedPlacement    = "FailedPlacement"
	ReasonFailedDaemonPod    = "FailedDaemonPod"
	ReasonSucceededDaemonPod = "SucceededDaemonPod"
	ReasonSuccessfulCreate   = "SuccessfulCreate"
	ReasonFailedCreate       = "FailedCreate"
	ReasonSuccessfulDelete   = "SuccessfulDelete"
	// The simulator's own reasons (upstream logs these or has no record).
	ReasonHashCollision       = "HashCollision"
	ReasonRollingUpdateFailed = "RollingUpdateFailed"
	ReasonRolloutStarted      = "RolloutStarted"
	ReasonRolloutFinished     = "RolloutFinished"
)

// DefaultTolerations returns the tolerations the controller adds to every
// daemon pod, in upstream's order: not-ready and unreachable NoExecute;
// disk, memory and pid pressure and unschedulable NoSchedule; and, for a
// hostNetwork pod, network-unavailable NoSchedule. All are Exists with no
// tolerationSeconds. The slice is new; the caller owns it.
func DefaultTolerations(hostNetwork bool) []taints.Toleration {
	tols := []taints.Toleration{
		{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute},
		{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute},
		{Key: taints.KeyNodeDiskPressure, Operator: taints.OpExists, Effect: taints.NoSchedule},
		{Key: taints.KeyNodeMemoryPressure, Operator: taints.OpExists, Effect: taints.NoSchedule},
		{Key: taints.KeyNodePIDPressure, Operator: taints.OpExists, Effect: taints.NoSchedule},
		{Key: taints.KeyNodeUnschedulable, Operator: taints.OpExists, Effect: taints.NoSchedule},
	}
	if hostNetwork {
		tols = append(tols, taints.Toleration{Key: taints.KeyNodeNetworkUnavailable, Operator: taints.OpExists, Effect: taints.NoSchedule})
	}
	return tols
}

// AddOrUpdateToleration adds t to tols as upstream's
// AddOrUpdateTolerationInPodSpec does: a toleration with the same key,
// operator, value and effect is replaced in place by t (unless it is
// already identical); otherwise t is appended. It returns the new slice,
// which may share tols' array, and whether anything changed.
func AddOrUpdateToleration(tols []taints.Toleration, t taints.Toleration) ([]taints.Toleration, bool) {
	for i := range tols {
		if tols[i].MatchToleration(t) {
			if tols[i].Equal(t) {
				return tols, false
			}
			tols[i] = t
			return tols, true
		}
	}
	return append(tols, t), true
}

// AddDaemonPodTolerations returns tols (copied) with the default daemon
// tolerations added or updated, in DefaultTolerations order.
func AddDaemonPodTolerations(tols []taints.Toleration, hostNetwork bool) []taints.Toleration {
	out := make([]taints.Toleration, len(tols), len(tols)+7)
	copy(out, tols)
	for _, t := range DefaultTolerations(hostNetwork) {
		out, _ = AddOrUpdateToleration(out, t)
	}
	return out
}

// ReplaceNodeNameAffinity returns a copy of a whose required node affinity
// is exactly one term, matchFields metadata.name In [node]; every earlier
// required term is dropped and preferred terms are kept, as upstream's
// ReplaceDaemonSetPodNodeNameNodeAffinity. a may be nil. The result shares
// nothing with a.
func ReplaceNodeNameAffinity(a *cluster.Affinity, node string) *cluster.Affinity {
	out := cluster.NewSingleFieldAffinity(selector.ObjectNameField, selector.NodeSelectorOpIn, node)
	if a != nil && a.NodeAffinity != nil && a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution != nil {
		preferred := (&cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution}}).DeepCopy()
		out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = preferred.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	}
	return out
}

// TargetNodeName returns the node a daemon pod is meant for, as upstream's
// GetTargetNodeName: spec.nodeName when set, else the single value of a
// matchFields metadata.name In requirement in the required node affinity.
// An error says the pod names no node or more than one.
func TargetNodeName(p *cluster.Pod) (string, error) {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName, nil
	}
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, r := range t.MatchFields {
				if r.Key != selector.ObjectNameField || r.Operator != selector.NodeSelectorOpIn {
					continue
				}
				if len(r.Values) != 1 {
					return "", fmt.Errorf("the matchFields value of '%s' is not unique for pod %s/%s", selector.ObjectNameField, p.Namespace, p.Name)
				}
				return r.Values[0], nil
			}
		}
	}
	return "", fmt.Errorf("no node name found for pod %s/%s", p.Namespace, p.Name)
}

// IsPodUpdated is upstream's IsPodUpdated: pod was made from the current
// template when its controller-revision-hash label is hash (not empty), or
// when its pod-template-generation label is generation (not nil), the
// DaemonSet's TemplateGeneration.
func IsPodUpdated(pod *cluster.Pod, hash string, generation *int64) bool {
	gen := ""
	if generation != nil {
		gen = strconv.FormatInt(*generation, 10)
	}
	return isPodUpdated(pod, hash, gen)
}

// isPodUpdated is IsPodUpdated with the generation formatted ("" for none).
func isPodUpdated(pod *cluster.Pod, hash, gen string) bool {
	if hash != "" && pod.Labels[ControllerRevisionHashLabel] == hash {
		return true
	}
	if gen == "" {
		return false
	}
	v, ok := pod.Labels[TemplateGenerationLabel]
	return ok && v == gen
}

// TemplateGeneration is upstream's GetTemplateGeneration: the DaemonSet's
// cluster.TemplateGenerationAnnotation as a number, nil when absent, and an
// error when it is not an integer (the controller then goes on as if it
// were absent, as upstream does).
func TemplateGeneration(ds *cluster.DaemonSet) (*int64, error) {
	v, ok := ds.Annotations[cluster.TemplateGenerationAnnotation]
	if !ok {
		return nil, nil
	}
	g, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("annotation %s: %w", cluster.TemplateGenerationAnnotation, err)
	}
	return &g, nil
}

// templateGenerationLabel returns the pod-template-generation label value
// for ds's pods, "" for none.
func templateGenerationLabel(ds *cluster.DaemonSet) string {
	g, _ := TemplateGeneration(ds)
	if g == nil {
		return ""
	}
	return strconv.FormatInt(*g, 10)
}

// podLess is upstream's podByCreationTimestampAndPhase: bound pods first,
// then older creation time, then the lower name.
func podLess(a, b *cluster.Pod) int {
	if ab, bb := a.IsBound(), b.IsBound(); ab != bb {
		if ab {
			return -1
		}
		return 1
	}
	if c := a.CreationTimestamp.Compare(b.CreationTimestamp); c != 0 {
		return c
	}
	switch {
	case a.Name < b.Name:
		return -1
	case a.Name > b.Name:
		return 1
	}
	return 0
}

// safeAlphabet is upstream's rand.SafeEncodeString alphabet: no vowels, no
// look-alike characters.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// safeEncode maps every byte of s to a character of safeAlphabet.
func safeEncode(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = safeAlphabet[int(c)%len(safeAlphabet)]
	}
	return string(b)
}

// TemplateHash returns the hash naming a DaemonSet template revision, as
// upstream's ComputeHash does it: FNV-32a over the template (here its
// canonical JSON, upstream a spew dump), salted with collisionCount when
// it is set, written in decimal and mapped onto the safe alphabet. Equal
// templates and counts give equal hashes on every machine; the value is
// not byte-equal to upstream's.
func TemplateHash(t *cluster.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("daemonset: pod template does not serialise: %v", err)) // only plain data types: cannot happen
	}
	h.Write(b)
	if collisionCount != nil {
		var buf [8]byte
		binary.LittleEndian.PutUint32(buf[:4], uint32(*collisionCount))
		h.Write(buf[:])
	}
	return safeEncode(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// nameDigits and nameSpace are cluster.GeneratedName's alphabet and the
// number of its suffixes.
const (
	nameDigits = cluster.GeneratedNameDigits
	nameSpace  = cluster.GeneratedNames
)

// podName returns the seq-th generated name for ds's pods
// (cluster.GeneratedName with the DaemonSet's name and a dash): the names
// count up from an offset taken from the UID rather than being drawn at
// random, so the first 14,348,907 names are distinct and pods made one
// after another sit next to each other in the store's name order (with the
// permuted names of earlier versions the 50,000-node benchmark spent a
// tenth of its time in the store's lookups of them). Callers still skip
// names that are taken.
func podName(ds *cluster.DaemonSet, seq uint64) string {
	return cluster.GeneratedName(ds.Name+"-", ds.UID, seq)
}
