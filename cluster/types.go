package cluster

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// ObjectMeta is the metadata every object carries (metav1.ObjectMeta, the
// fields the simulator uses). The store sets UID, ResourceVersion,
// Generation and CreationTimestamp when a create lacks them (see Create);
// writers of later versions leave them as read.
type ObjectMeta struct {
	Name                       string            `json:"name,omitempty"`
	Namespace                  string            `json:"namespace,omitempty"`
	UID                        string            `json:"uid,omitempty"`
	ResourceVersion            uint64            `json:"resourceVersion,omitempty,string"`
	Generation                 int64             `json:"generation,omitempty"`
	CreationTimestamp          time.Time         `json:"creationTimestamp,omitzero"`
	DeletionTimestamp          *time.Time        `json:"deletionTimestamp,omitempty"`
	DeletionGracePeriodSeconds *int64            `json:"deletionGracePeriodSeconds,omitempty"`
	Labels                     selector.Set      `json:"labels,omitempty"`
	Annotations                map[string]string `json:"annotations,omitempty"`
	OwnerReferences            []OwnerReference  `json:"ownerReferences,omitempty"`
	Finalizers                 []string          `json:"finalizers,omitempty"`
}

// OwnerReference points at an object's owner (metav1.OwnerReference).
type OwnerReference struct {
	APIVersion         string `json:"apiVersion"`
	Kind               string `json:"kind"`
	Name               string `json:"name"`
	UID                string `json:"uid"`
	Controller         *bool  `json:"controller,omitempty"`
	BlockOwnerDeletion *bool  `json:"blockOwnerDeletion,omitempty"`
}

// ControllerRef returns the owner reference marked controller=true, if any.
// The returned pointer aliases m and must not be modified through a View.
func (m *ObjectMeta) ControllerRef() *OwnerReference {
	for i := range m.OwnerReferences {
		if c := m.OwnerReferences[i].Controller; c != nil && *c {
			return &m.OwnerReferences[i]
		}
	}
	return nil
}

// IsTerminating reports whether the object has a deletion timestamp.
func (m *ObjectMeta) IsTerminating() bool { return m.DeletionTimestamp != nil }

// ConditionStatus is "True", "False" or "Unknown".
type ConditionStatus string

// The condition statuses.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// ---------------------------------------------------------------- Node

// Node is a cluster node (v1.Node).
type Node struct {
	ObjectMeta `json:"metadata"`
	Spec       NodeSpec   `json:"spec,omitzero"`
	Status     NodeStatus `json:"status,omitzero"`
}

// NodeSpec holds what the scheduler and controllers read of a node's spec.
type NodeSpec struct {
	Unschedulable bool           `json:"unschedulable,omitempty"`
	Taints        []taints.Taint `json:"taints,omitempty"`
}

// NodeStatus holds capacity, allocatable and conditions.
type NodeStatus struct {
	Capacity    ResourceList    `json:"capacity,omitempty"`
	Allocatable ResourceList    `json:"allocatable,omitempty"`
	Conditions  []NodeCondition `json:"conditions,omitempty"`
}

// NodeConditionType names a node condition.
type NodeConditionType string

// The node conditions the simulator models.
const (
	NodeReady              NodeConditionType = "Ready"
	NodeMemoryPressure     NodeConditionType = "MemoryPressure"
	NodeDiskPressure       NodeConditionType = "DiskPressure"
	NodePIDPressure        NodeConditionType = "PIDPressure"
	NodeNetworkUnavailable NodeConditionType = "NetworkUnavailable"
)

// NodeCondition is one node condition.
type NodeCondition struct {
	Type               NodeConditionType `json:"type"`
	Status             ConditionStatus   `json:"status"`
	LastTransitionTime time.Time         `json:"lastTransitionTime,omitzero"`
	Reason             string            `json:"reason,omitempty"`
	Message            string            `json:"message,omitempty"`
}

// Allocatable returns status.allocatable, or status.capacity when
// allocatable is empty (as the scheduler does for nodes that report only
// capacity). The result aliases the node and must not be modified.
func (n *Node) Allocatable() ResourceList {
	if len(n.Status.Allocatable) > 0 {
		return n.Status.Allocatable
	}
	return n.Status.Capacity
}

// Condition returns the condition of type t, if present.
func (n *Node) Condition(t NodeConditionType) (NodeCondition, bool) {
	for _, c := range n.Status.Conditions {
		if c.Type == t {
			return c, true
		}
	}
	return NodeCondition{}, false
}

// IsReady reports whether the Ready condition is True.
func (n *Node) IsReady() bool {
	c, ok := n.Condition(NodeReady)
	return ok && c.Status == ConditionTrue
}

// ---------------------------------------------------------------- Pod

// Pod is a pod (v1.Pod) with the fields scheduling and the controllers use.
type Pod struct {
	ObjectMeta `json:"metadata"`
	Spec       PodSpec   `json:"spec"`
	Status     PodStatus `json:"status,omitzero"`
}

// RestartPolicy is a pod's restart policy.
type RestartPolicy string

// The restart policies.
const (
	RestartPolicyAlways    RestartPolicy = "Always"
	RestartPolicyOnFailure RestartPolicy = "OnFailure"
	RestartPolicyNever     RestartPolicy = "Never"
)

// PreemptionPolicy says whether a pod may preempt lower-priority pods.
type PreemptionPolicy string

// The preemption policies.
const (
	PreemptLowerPriority PreemptionPolicy = "PreemptLowerPriority"
	PreemptNever         PreemptionPolicy = "Never"
)

// DefaultSchedulerName is the scheduler a pod gets when it names none.
const DefaultSchedulerName = "default-scheduler"

// DefaultTerminationGracePeriodSeconds is a pod's default grace period.
const DefaultTerminationGracePeriodSeconds int64 = 30

// PodSpec is a pod's spec.
type PodSpec struct {
	InitContainers                []Container         `json:"initContainers,omitempty"`
	Containers                    []Container         `json:"containers"`
	RestartPolicy                 RestartPolicy       `json:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64              `json:"terminationGracePeriodSeconds,omitempty"`
	ActiveDeadlineSeconds         *int64              `json:"activeDeadlineSeconds,omitempty"`
	NodeSelector                  selector.Set        `json:"nodeSelector,omitempty"`
	NodeName                      string              `json:"nodeName,omitempty"`
	HostNetwork                   bool                `json:"hostNetwork,omitempty"`
	SchedulerName                 string              `json:"schedulerName,omitempty"`
	Affinity                      *Affinity           `json:"affinity,omitempty"`
	Tolerations                   []taints.Toleration `json:"tolerations,omitempty"`
	PriorityClassName             string              `json:"priorityClassName,omitempty"`
	Priority                      *int32              `json:"priority,omitempty"`
	PreemptionPolicy              *PreemptionPolicy   `json:"preemptionPolicy,omitempty"`
	Overhead                      ResourceList        `json:"overhead,omitempty"`
}

// ContainerRestartPolicy is an init container's restart policy; Always
// makes it a sidecar.
type ContainerRestartPolicy string

// ContainerRestartPolicyAlways marks a restartable (sidecar) init container.
const ContainerRestartPolicyAlways ContainerRestartPolicy = "Always"

// Container is a container with what scheduling reads: resources and ports.
type Container struct {
	Name          string                  `json:"name"`
	Image         string                  `json:"image,omitempty"`
	Resources     ResourceRequirements    `json:"resources,omitzero"`
	Ports         []ContainerPort         `json:"ports,omitempty"`
	RestartPolicy *ContainerRestartPolicy `json:"restartPolicy,omitempty"`
}

// ResourceRequirements are a container's requests and limits.
type ResourceRequirements struct {
	Limits   ResourceList `json:"limits,omitempty"`
	Requests ResourceList `json:"requests,omitempty"`
}

// Protocol is a port protocol.
type Protocol string

// The port protocols.
const (
	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"
)

// ContainerPort is a container port; HostPort > 0 claims the port on the node.
type ContainerPort struct {
	Name          string   `json:"name,omitempty"`
	HostPort      int32    `json:"hostPort,omitempty"`
	ContainerPort int32    `json:"containerPort"`
	Protocol      Protocol `json:"protocol,omitempty"`
	HostIP        string   `json:"hostIP,omitempty"`
}

// Affinity holds scheduling affinity; the simulator models node affinity.
type Affinity struct {
	NodeAffinity *NodeAffinity `json:"nodeAffinity,omitempty"`
}

// NodeAffinity is required and preferred node affinity.
type NodeAffinity struct {
	RequiredDuringSchedulingIgnoredDuringExecution  *selector.NodeSelector    `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	PreferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm `json:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// PreferredSchedulingTerm is a weighted preferred node selector term.
type PreferredSchedulingTerm struct {
	Weight     int32                     `json:"weight"`
	Preference selector.NodeSelectorTerm `json:"preference"`
}

// PodPhase is a pod's phase.
type PodPhase string

// The pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"
)

// PodConditionType names a pod condition.
type PodConditionType string

// The pod conditions the simulator models.
const (
	PodScheduled     PodConditionType = "PodScheduled"
	PodReady         PodConditionType = "Ready"
	DisruptionTarget PodConditionType = "DisruptionTarget"
)

// PodCondition is one pod condition.
type PodCondition struct {
	Type               PodConditionType `json:"type"`
	Status             ConditionStatus  `json:"status"`
	LastTransitionTime time.Time        `json:"lastTransitionTime,omitzero"`
	Reason             string           `json:"reason,omitempty"`
	Message            string           `json:"message,omitempty"`
}

// PodStatus is a pod's status.
type PodStatus struct {
	Phase             PodPhase       `json:"phase,omitempty"`
	Conditions        []PodCondition `json:"conditions,omitempty"`
	NominatedNodeName string         `json:"nominatedNodeName,omitempty"`
	StartTime         *time.Time     `json:"startTime,omitempty"`
	Reason            string         `json:"reason,omitempty"`
	Message           string         `json:"message,omitempty"`
}

// Condition returns the condition of type t, if present.
func (p *Pod) Condition(t PodConditionType) (PodCondition, bool) {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c, true
		}
	}
	return PodCondition{}, false
}

// IsBound reports whether spec.nodeName is set.
func (p *Pod) IsBound() bool { return p.Spec.NodeName != "" }

// IsTerminal reports whether the pod has Succeeded or Failed.
func (p *Pod) IsTerminal() bool {
	return p.Status.Phase == PodSucceeded || p.Status.Phase == PodFailed
}

// IsReady reports whether the Ready condition is True.
func (p *Pod) IsReady() bool {
	c, ok := p.Condition(PodReady)
	return ok && c.Status == ConditionTrue
}

// IsAvailable reports whether the pod is ready and has been for at least
// minReadySeconds at now, as v1.37's IsPodAvailable: available when
// minReadySeconds is 0, or when the Ready transition time is set and
// transition+minReadySeconds is at or before now.
func (p *Pod) IsAvailable(minReadySeconds int32, now time.Time) bool {
	c, ok := p.Condition(PodReady)
	if !ok || c.Status != ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	if c.LastTransitionTime.IsZero() {
		return false
	}
	return !c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).After(now)
}

// PriorityValue returns spec.priority, or 0 when unset.
func (p *Pod) PriorityValue() int32 {
	if p.Spec.Priority == nil {
		return 0
	}
	return *p.Spec.Priority
}

// GracePeriodSeconds returns spec.terminationGracePeriodSeconds or the
// default of 30.
func (p *Pod) GracePeriodSeconds() int64 {
	if p.Spec.TerminationGracePeriodSeconds == nil {
		return DefaultTerminationGracePeriodSeconds
	}
	return *p.Spec.TerminationGracePeriodSeconds
}

// DeletionGracePeriod is the grace period a Delete of p gets (requested,
// or the pod's own when nil): 0 for a pod that is not bound or is terminal
// (the API server deletes those at once), and never longer than a deletion
// already under way. With 0 and no finalizers the pod leaves the store at
// once; otherwise it is terminating until now + the grace period.
func (p *Pod) DeletionGracePeriod(requested *int64) int64 {
	grace := p.GracePeriodSeconds()
	if requested != nil {
		grace = *requested
	}
	if !p.IsBound() || p.IsTerminal() {
		grace = 0
	}
	if g := p.DeletionGracePeriodSeconds; g != nil && grace > *g {
		grace = *g // a deletion can only shorten
	}
	return grace
}

// ---------------------------------------------------------------- DaemonSet

// PodTemplateSpec is a pod template: metadata and spec.
type PodTemplateSpec struct {
	ObjectMeta `json:"metadata"`
	Spec       PodSpec `json:"spec"`
}

// DaemonSet is a DaemonSet (apps/v1).
type DaemonSet struct {
	ObjectMeta `json:"metadata"`
	Spec       DaemonSetSpec   `json:"spec"`
	Status     DaemonSetStatus `json:"status,omitzero"`
}

// DaemonSetSpec is a DaemonSet's spec.
type DaemonSetSpec struct {
	Selector             *selector.LabelSelector `json:"selector"`
	Template             PodTemplateSpec         `json:"template"`
	UpdateStrategy       DaemonSetUpdateStrategy `json:"updateStrategy,omitzero"`
	MinReadySeconds      int32                   `json:"minReadySeconds,omitempty"`
	RevisionHistoryLimit *int32                  `json:"revisionHistoryLimit,omitempty"`
}

// DaemonSetUpdateStrategyType is RollingUpdate or OnDelete.
type DaemonSetUpdateStrategyType string

// The update strategies.
const (
	RollingUpdateDaemonSetStrategyType DaemonSetUpdateStrategyType = "RollingUpdate"
	OnDeleteDaemonSetStrategyType      DaemonSetUpdateStrategyType = "OnDelete"
)

// DaemonSetUpdateStrategy is a DaemonSet's update strategy.
type DaemonSetUpdateStrategy struct {
	Type          DaemonSetUpdateStrategyType `json:"type,omitempty"`
	RollingUpdate *RollingUpdateDaemonSet     `json:"rollingUpdate,omitempty"`
}

// RollingUpdateDaemonSet bounds a rolling update.
type RollingUpdateDaemonSet struct {
	MaxUnavailable *IntOrString `json:"maxUnavailable,omitempty"`
	MaxSurge       *IntOrString `json:"maxSurge,omitempty"`
}

// DaemonSetStatus is a DaemonSet's status, written by its controller.
type DaemonSetStatus struct {
	CurrentNumberScheduled int32                `json:"currentNumberScheduled"`
	NumberMisscheduled     int32                `json:"numberMisscheduled"`
	DesiredNumberScheduled int32                `json:"desiredNumberScheduled"`
	NumberReady            int32                `json:"numberReady"`
	ObservedGeneration     int64                `json:"observedGeneration,omitempty"`
	UpdatedNumberScheduled int32                `json:"updatedNumberScheduled,omitempty"`
	NumberAvailable        int32                `json:"numberAvailable,omitempty"`
	NumberUnavailable      int32                `json:"numberUnavailable,omitempty"`
	CollisionCount         *int32               `json:"collisionCount,omitempty"`
	Conditions             []DaemonSetCondition `json:"conditions,omitempty"`
}

// DaemonSetCondition is a DaemonSet condition (unused by upstream's
// controller today; kept for manifest fidelity).
type DaemonSetCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastTransitionTime time.Time       `json:"lastTransitionTime,omitzero"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// IntOrString is an integer or a string such as "10%" (intstr.IntOrString).
type IntOrString struct {
	IsString bool
	IntVal   int32
	StrVal   string
}

// FromInt returns an integer IntOrString.
func FromInt(i int32) IntOrString { return IntOrString{IntVal: i} }

// FromString returns a string IntOrString.
func FromString(s string) IntOrString { return IntOrString{IsString: true, StrVal: s} }

// String renders the value ("1" or "10%").
func (v IntOrString) String() string {
	if v.IsString {
		return v.StrVal
	}
	return strconv.Itoa(int(v.IntVal))
}

// MarshalJSON writes a JSON number or string.
func (v IntOrString) MarshalJSON() ([]byte, error) {
	if v.IsString {
		return json.Marshal(v.StrVal)
	}
	return json.Marshal(v.IntVal)
}

// UnmarshalJSON reads a JSON number or string.
func (v *IntOrString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		v.IsString = true
		v.IntVal = 0
		return json.Unmarshal(b, &v.StrVal)
	}
	v.IsString = false
	v.StrVal = ""
	return json.Unmarshal(b, &v.IntVal)
}

// ScaledValue resolves v against total: an int as is; "N%" as N% of total,
// rounded up when roundUp (DaemonSets round both maxUnavailable and maxSurge
// up) and down otherwise. A string without "%" or with a bad number is an
// error ("invalid type: string is not a percentage", "invalid value for
// IntOrString: invalid value ...").
func (v IntOrString) ScaledValue(total int, roundUp bool) (int, error) {
	if !v.IsString {
		return int(v.IntVal), nil
	}
	if !strings.HasSuffix(v.StrVal, "%") {
		return 0, fmt.Errorf("invalid type: string is not a percentage")
	}
	pct, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	if err != nil {
		return 0, fmt.Errorf("invalid value for IntOrString: invalid value %q: %w", v.StrVal, err)
	}
	if roundUp {
		return (pct*total + 99) / 100, nil
	}
	return pct * total / 100, nil
}

// ---------------------------------------------------------------- others

// ControllerRevision records one pod template of a DaemonSet (apps/v1).
// Data is the serialised template patch; Revision orders revisions.
type ControllerRevision struct {
	ObjectMeta `json:"metadata"`
	Data       json.RawMessage `json:"data,omitempty"`
	Revision   int64           `json:"revision"`
}

// PriorityClass maps a class name to a priority (scheduling.k8s.io/v1).
type PriorityClass struct {
	ObjectMeta       `json:"metadata"`
	Value            int32             `json:"value"`
	GlobalDefault    bool              `json:"globalDefault,omitempty"`
	Description      string            `json:"description,omitempty"`
	PreemptionPolicy *PreemptionPolicy `json:"preemptionPolicy,omitempty"`
}

// The built-in priority classes and their values.
const (
	SystemClusterCritical              = "system-cluster-critical"
	SystemNodeCritical                 = "system-node-critical"
	SystemCriticalPriority       int32 = 2000000000
	SystemNodeCriticalPriority   int32 = SystemCriticalPriority + 1000
	HighestUserDefinablePriority int32 = 1000000000
)

// PodDisruptionBudget limits voluntary disruptions of matching pods (policy/v1).
type PodDisruptionBudget struct {
	ObjectMeta `json:"metadata"`
	Spec       PodDisruptionBudgetSpec   `json:"spec"`
	Status     PodDisruptionBudgetStatus `json:"status,omitzero"`
}

// PodDisruptionBudgetSpec is a PDB's spec.
type PodDisruptionBudgetSpec struct {
	MinAvailable   *IntOrString            `json:"minAvailable,omitempty"`
	MaxUnavailable *IntOrString            `json:"maxUnavailable,omitempty"`
	Selector       *selector.LabelSelector `json:"selector,omitempty"`
}

// PodDisruptionBudgetStatus is a PDB's status. DisruptedPods maps pod names
// to the time their eviction was admitted.
type PodDisruptionBudgetStatus struct {
	ObservedGeneration int64                `json:"observedGeneration,omitempty"`
	DisruptedPods      map[string]time.Time `json:"disruptedPods,omitempty"`
	DisruptionsAllowed int32                `json:"disruptionsAllowed"`
	CurrentHealthy     int32                `json:"currentHealthy"`
	DesiredHealthy     int32                `json:"desiredHealthy"`
	ExpectedPods       int32                `json:"expectedPods"`
}
