package scheduler

import (
	"slices"

	"github.com/daemonsim/daemonsim/cluster"
)

// The requests a container without a cpu or memory request counts as, for
// LeastAllocated scoring only (schedutil.DefaultMilliCPURequest and
// DefaultMemoryRequest).
const (
	defaultMilliCPURequest int64 = 100
	defaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// scalar is one extended resource amount, in whole units.
type scalar struct {
	name  cluster.ResourceName
	value int64
}

// resources is a vector of scheduling resources in upstream units: cpu in
// millicores, everything else in whole units (Quantity.Value, rounded up).
// Scalars are sorted by name and never hold a zero entry.
// cpuMemory is cpu and memory alone: the scoring requests.
type cpuMemory struct{ milliCPU, memory int64 }

type resources struct {
	milliCPU, memory, ephemeral int64
	scalars                     []scalar
}

func (r *resources) scalar(name cluster.ResourceName) int64 {
	for _, s := range r.scalars {
		if s.name == name {
			return s.value
		}
	}
	return 0
}

func (r *resources) addScalar(name cluster.ResourceName, v int64) {
	i, found := slices.BinarySearchFunc(r.scalars, name, func(s scalar, n cluster.ResourceName) int {
		switch {
		case s.name < n:
			return -1
		case s.name > n:
			return 1
		}
		return 0
	})
	if found {
		r.scalars[i].value += v
		if r.scalars[i].value == 0 {
			r.scalars = slices.Delete(r.scalars, i, i+1)
		}
		return
	}
	if v != 0 {
		r.scalars = slices.Insert(r.scalars, i, scalar{name, v})
	}
}

// add adds o (sign +1) or subtracts it (sign -1). It may share nothing
// with o afterwards: scalars are copied into r's own slice.
func (r *resources) add(o *resources, sign int64) {
	r.milliCPU += sign * o.milliCPU
	r.memory += sign * o.memory
	r.ephemeral += sign * o.ephemeral
	for _, s := range o.scalars {
		r.addScalar(s.name, sign*s.value)
	}
}

// max raises each of r's amounts to o's where o's is larger.
func (r *resources) max(o *resources) {
	r.milliCPU = max(r.milliCPU, o.milliCPU)
	r.memory = max(r.memory, o.memory)
	r.ephemeral = max(r.ephemeral, o.ephemeral)
	for _, s := range o.scalars {
		if cur := r.scalar(s.name); s.value > cur {
			r.addScalar(s.name, s.value-cur)
		}
	}
}

func (r resources) clone() resources {
	r.scalars = slices.Clone(r.scalars)
	return r
}

func (r *resources) isZero() bool {
	return r.milliCPU == 0 && r.memory == 0 && r.ephemeral == 0 && len(r.scalars) == 0
}

// fromList converts a resource list; the pods count is not a resource a
// pod requests and is skipped. With nonMissing, a list without cpu or
// memory counts as the scoring defaults.
func fromList(l cluster.ResourceList, nonMissing bool) resources {
	var r resources
	hasCPU, hasMem := false, false
	for _, e := range l {
		switch e.Name {
		case cluster.ResourceCPU:
			r.milliCPU, hasCPU = e.Quantity.MilliValue(), true
		case cluster.ResourceMemory:
			r.memory, hasMem = e.Quantity.Value(), true
		case cluster.ResourceEphemeralStorage:
			r.ephemeral = e.Quantity.Value()
		case cluster.ResourcePods:
		default:
			r.addScalar(e.Name, e.Quantity.Value())
		}
	}
	if nonMissing {
		if !hasCPU {
			r.milliCPU = defaultMilliCPURequest
		}
		if !hasMem {
			r.memory = defaultMemoryRequest
		}
	}
	return r
}

// podRequests is resourcehelper.PodRequests: the sum of the containers'
// requests and the restartable (sidecar) init containers', raised to what
// any ordinary init container needs beside the sidecars started before
// it, plus the pod overhead. With nonMissing, containers missing a cpu or
// memory request count the scoring defaults (NonMissingContainerRequests).
func podRequests(p *cluster.Pod, nonMissing bool) resources {
	var reqs resources
	for i := range p.Spec.Containers {
		c := fromList(p.Spec.Containers[i].Resources.Requests, nonMissing)
		reqs.add(&c, 1)
	}
	var sidecars, initMax resources
	for i := range p.Spec.InitContainers {
		ic := &p.Spec.InitContainers[i]
		c := fromList(ic.Resources.Requests, nonMissing)
		if ic.RestartPolicy != nil && *ic.RestartPolicy == cluster.ContainerRestartPolicyAlways {
			reqs.add(&c, 1)
			sidecars.add(&c, 1)
			initMax.max(&sidecars)
		} else {
			c.add(&sidecars, 1)
			initMax.max(&c)
		}
	}
	reqs.max(&initMax)
	if len(p.Spec.Overhead) > 0 {
		o := fromList(p.Spec.Overhead, false)
		reqs.add(&o, 1)
	}
	return reqs
}

// hostPort is one host port a pod claims: IP "" becomes 0.0.0.0 and an
// empty protocol TCP, as HostPortInfo sanitises them.
type hostPort struct {
	ip       string
	protocol cluster.Protocol
	port     int32
}

// podHostPorts is util.GetHostPorts: the host ports of restartable init
// containers, then of containers, in spec order.
func podHostPorts(p *cluster.Pod) []hostPort {
	var out []hostPort
	add := func(cs []cluster.Container, sidecarsOnly bool) {
		for i := range cs {
			if sidecarsOnly && (cs[i].RestartPolicy == nil || *cs[i].RestartPolicy != cluster.ContainerRestartPolicyAlways) {
				continue
			}
			for _, cp := range cs[i].Ports {
				if cp.HostPort <= 0 {
					continue
				}
				hp := hostPort{cp.HostIP, cp.Protocol, cp.HostPort}
				if hp.ip == "" {
					hp.ip = "0.0.0.0"
				}
				if hp.protocol == "" {
					hp.protocol = cluster.ProtocolTCP
				}
				out = append(out, hp)
			}
		}
	}
	add(p.Spec.InitContainers, true)
	add(p.Spec.Containers, false)
	return out
}

// conflicts is HostPortInfo.CheckConflict: a wanted port conflicts with a
// used one of the same protocol and number when either IP is 0.0.0.0 or
// the IPs are equal.
func (want hostPort) conflicts(used hostPort) bool {
	if want.port != used.port || want.protocol != used.protocol {
		return false
	}
	return want.ip == "0.0.0.0" || used.ip == "0.0.0.0" || want.ip == used.ip
}
