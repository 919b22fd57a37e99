package churn

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// The default stream names, one per generator kind.
const (
	StreamSteady      = "churn/steady"
	StreamCrash       = "churn/crash"
	StreamKubelet     = "churn/kubelet"
	StreamCorrelated  = "churn/correlated"
	StreamMaintenance = "churn/maintenance"
	StreamBurst       = "churn/burst"
)

// Figures of the Google cluster-data 2011 machine_events table (see the
// package doc for how they were counted).
const (
	// GoogleNodeHours is the table's node-hours: machines present,
	// integrated over its 696.15 hours (12,476 on average).
	GoogleNodeHours = 8_684_952
	// GoogleNewPerNodeHour: 106 machines first added after time 0, per
	// node-hour (0.152 an hour).
	GoogleNewPerNodeHour = 106.0 / GoogleNodeHours
	// GoogleGonePerNodeHour: 97 machines removed and never added again,
	// per node-hour (0.139 an hour).
	GoogleGonePerNodeHour = 97.0 / GoogleNodeHours
	// GoogleRemovePerNodeHour: all 8,957 REMOVEs per node-hour
	// (1.03e-3: one per node every 40 days).
	GoogleRemovePerNodeHour = 8957.0 / GoogleNodeHours
	// GoogleLoneRemovePerNodeHour: the REMOVEs that are neither in a
	// burst of 10 or more (1,329) nor of a machine that never returns
	// (97), per node-hour (8.67e-4).
	GoogleLoneRemovePerNodeHour = (8957.0 - 1329 - 97) / GoogleNodeHours
	// GoogleBurstsPerHour: REMOVE bursts of 10 or more machines (gaps of
	// at most 120 s) per hour: 53 in 696.15 h.
	GoogleBurstsPerHour = 53 / 696.15
	// GoogleSecondBurst: the fraction of those bursts followed by another
	// within an hour of their end (22 of 52).
	GoogleSecondBurst = 22.0 / 52
)

// GoogleDowntime is the distribution of the time between a machine's
// REMOVE and its next ADD in the 2011 table (8,860 returns): log-normal
// with its median, 998 s, and σ = 2.14 from its quartiles (398 s and
// 7,138 s: ln(7138/398)/1.349). The fit is loose in the tails (the data's
// 10th percentile is 98 s, the fit's 64 s; its 90th 31,161 s, the fit's
// 15,500 s).
func GoogleDowntime() sim.Distribution { return sim.LogNormal(998*time.Second, 2.14) }

// --- Steady ---

// Steady is a steady churn of nodes joining and leaving: arrivals a
// Poisson process of ArrivalsPerHour, departures each present node's own
// Poisson process of DeparturesPerNodeHour (the cluster's departure rate
// grows and shrinks with it). An arrival is an add of a new node named
// NamePrefix+<n> (n counting from 0, skipping the starting nodes' names)
// with Labels and Capacity (nil: the replay's template); a departure a
// remove of a present node chosen uniformly. The zero value makes nothing.
type Steady struct {
	// Stream names the random stream ("": StreamSteady).
	Stream string
	// ArrivalsPerHour is the cluster's arrival rate, per hour.
	ArrivalsPerHour float64
	// DeparturesPerNodeHour is each present node's departure rate, per hour.
	DeparturesPerNodeHour float64
	// NamePrefix names the arriving nodes ("": "node-"), Labels and
	// Capacity are what they are added with.
	NamePrefix string
	Labels     selector.Set
	Capacity   cluster.ResourceList
}

// DefaultSteady returns the 2011 Google trace's rates for a cluster of
// nodes nodes: arrivals GoogleNewPerNodeHour × nodes per hour, departures
// GoogleGonePerNodeHour per node-hour (about 0.29 joins and 0.27 leaves a
// day per 1,000 nodes).
func DefaultSteady(nodes int) Steady {
	return Steady{ArrivalsPerHour: GoogleNewPerNodeHour * float64(nodes), DeparturesPerNodeHour: GoogleGonePerNodeHour}
}

// StreamName returns Stream, or StreamSteady.
func (c Steady) StreamName() string { return streamOr(c.Stream, StreamSteady) }

// Validate checks the rates (finite, not negative), the name prefix, the
// labels and the capacity.
func (c Steady) Validate(p *field.Path) field.ErrorList {
	errs := checkRate(p.Child("arrivalsPerHour"), c.ArrivalsPerHour)
	errs = append(errs, checkRate(p.Child("departuresPerNodeHour"), c.DeparturesPerNodeHour)...)
	return append(errs, checkTemplate(p, c.NamePrefix, c.Labels, c.Capacity)...)
}

// Generate makes the arrivals and departures. Two draws per event (when,
// which). Cost O(events); memory O(nodes).
func (c Steady) Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent {
	p := newPool(names(nodes))
	starting := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		starting[n.Name] = true
	}
	prefix := c.NamePrefix
	if prefix == "" {
		prefix = "node-"
	}
	var out []trace.NodeEvent
	next := 0
	var t time.Duration
	for {
		rate := c.ArrivalsPerHour + float64(p.len())*c.DeparturesPerNodeHour
		nt, ok := expAfter(r, t, rate, horizon)
		if !ok {
			return out
		}
		t = nt
		if r.Float64()*rate < c.ArrivalsPerHour || p.len() == 0 {
			name := fmt.Sprintf("%s%d", prefix, next)
			for next++; starting[name]; next++ {
				name = fmt.Sprintf("%s%d", prefix, next)
			}
			out = append(out, addEvent(t, name, c.Labels, c.Capacity))
			p.add(name)
			continue
		}
		name := p.pick(r)
		p.remove(name)
		out = append(out, trace.NodeEvent{At: t, Node: name, Type: trace.Remove})
	}
}

func addEvent(t time.Duration, name string, labels selector.Set, capacity cluster.ResourceList) trace.NodeEvent {
	return trace.NodeEvent{At: t, Node: name, Type: trace.Add, Labels: maps.Clone(labels), Capacity: slices.Clone(capacity)}
}

func streamOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// --- Crash ---

// Crash is crashes and reboots: each up node fails (a fail event: the
// kubelet reports NotReady) at FailuresPerNodeHour, and recovers (a
// recover event) after a downtime drawn from Downtime; a failed node does
// not fail again before it recovers. A recovery that would fall at or
// after the horizon is left out (the node ends the run failed).
type Crash struct {
	// Stream names the random stream ("": StreamCrash).
	Stream string
	// FailuresPerNodeHour is each up node's failure rate, per hour.
	FailuresPerNodeHour float64
	// Downtime is how long a failed node stays failed.
	Downtime sim.Distribution
}

// DefaultCrash returns the 2011 Google trace's lone failures:
// GoogleLoneRemovePerNodeHour (8.67e-4 per node-hour, one per node every
// 48 days) with GoogleDowntime. The trace's REMOVE then ADD of a machine
// is modelled as fail then recover: a Kubernetes node object outlives its
// machine's reboot.
func DefaultCrash() Crash {
	return Crash{FailuresPerNodeHour: GoogleLoneRemovePerNodeHour, Downtime: GoogleDowntime()}
}

// StreamName returns Stream, or StreamCrash.
func (c Crash) StreamName() string { return streamOr(c.Stream, StreamCrash) }

// Validate checks the rate and the downtime distribution.
func (c Crash) Validate(p *field.Path) field.ErrorList {
	return append(checkRate(p.Child("failuresPerNodeHour"), c.FailuresPerNodeHour), checkDist(p.Child("downtime"), c.Downtime)...)
}

// Generate makes the failures and recoveries. Three draws per failure
// (when, which, how long), one more per recovery that comes before the
// next failure. Cost O(events · log nodes); memory O(nodes).
func (c Crash) Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent {
	return upDown(r, nodes, horizon, c.FailuresPerNodeHour, trace.Fail, trace.Recover, func(r *rand.Rand) (time.Duration, bool) {
		return c.Downtime.Draw(r), true
	})
}

// upDown is Crash and KubeletStop: each up node goes down at rate; down
// draws whether and after how long it comes back.
func upDown(r *rand.Rand, nodes []Node, horizon time.Duration, rate float64, downType, upType trace.EventType, down func(*rand.Rand) (time.Duration, bool)) []trace.NodeEvent {
	up := newPool(names(nodes))
	var tm timers
	var out []trace.NodeEvent
	var t time.Duration
	for {
		nt, ok := expAfter(r, t, float64(up.len())*rate, horizon)
		if next, pending := tm.peek(); pending && (!ok || next.at <= nt) {
			tm.pop()
			t = next.at
			up.add(next.key)
			out = append(out, trace.NodeEvent{At: t, Node: next.key, Type: upType})
			continue
		}
		if !ok {
			return out
		}
		t = nt
		name := up.pick(r)
		up.remove(name)
		out = append(out, trace.NodeEvent{At: t, Node: name, Type: downType})
		if d, back := down(r); back {
			tm.schedule(after(t, d), horizon, name, 0)
		}
	}
}

// --- KubeletStop ---

// KubeletStop is kubelets that stop posting status: each node whose
// kubelet runs stops it (a stop-kubelet event; the node lifecycle
// controller turns the node Unknown after its grace period) at
// StopsPerNodeHour; with ReturnProbability the kubelet starts again (a
// start-kubelet event) after a time drawn from Restart, and otherwise
// never does (the node is lost until something else acts).
type KubeletStop struct {
	// Stream names the random stream ("": StreamKubelet).
	Stream string
	// StopsPerNodeHour is each running kubelet's stop rate, per hour.
	StopsPerNodeHour float64
	// ReturnProbability is the chance that a stopped kubelet starts again.
	ReturnProbability float64
	// Restart is how long a kubelet that returns stays stopped.
	Restart sim.Distribution
}

// DefaultKubeletStop returns an assumption, not a measurement (no
// published figure separates kubelet stops from machine failures):
// 1e-4 stops per node-hour (one per node every 14 months), 90% returning
// after a log-normal time of median 5 minutes, σ = 1 (most within 1 to 25
// minutes, past the 50 s grace period and often past the 300 s
// tolerations, so that evictions happen).
func DefaultKubeletStop() KubeletStop {
	return KubeletStop{StopsPerNodeHour: 1e-4, ReturnProbability: 0.9, Restart: sim.LogNormal(5*time.Minute, 1)}
}

// StreamName returns Stream, or StreamKubelet.
func (c KubeletStop) StreamName() string { return streamOr(c.Stream, StreamKubelet) }

// Validate checks the rate, the probability and the restart distribution.
func (c KubeletStop) Validate(p *field.Path) field.ErrorList {
	errs := checkRate(p.Child("stopsPerNodeHour"), c.StopsPerNodeHour)
	errs = append(errs, checkProbability(p.Child("returnProbability"), c.ReturnProbability)...)
	return append(errs, checkDist(p.Child("restart"), c.Restart)...)
}

// Generate makes the stops and restarts. Three or four draws per stop
// (when, which, whether it returns, and after how long). Cost O(events ·
// log nodes); memory O(nodes).
func (c KubeletStop) Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent {
	return upDown(r, nodes, horizon, c.StopsPerNodeHour, trace.StopKubelet, trace.StartKubelet, func(r *rand.Rand) (time.Duration, bool) {
		if r.Float64() >= c.ReturnProbability {
			return 0, false
		}
		return c.Restart.Draw(r), true
	})
}

// --- Correlated ---

// Correlated is failures of whole failure domains: the starting nodes are
// grouped by the value of DomainLabel (a node without it is in no
// domain), each up domain fails at FailuresPerDomainHour, and then every
// node of the domain fails at the same instant (fail events in node name
// order) and recovers at the same instant after one downtime drawn from
// Downtime. After a domain recovers, with SecondFailureProbability it
// fails again at a time drawn uniformly within Window of the recovery
// (a flapping power feed or top-of-rack switch), with its own downtime;
// a second failure has no second failure of its own, and none happens if
// the domain is down again by then.
type Correlated struct {
	// Stream names the random stream ("": StreamCorrelated).
	Stream string
	// DomainLabel is the label whose value is a node's failure domain
	// ("": trace.LabelRack, daemonsim.io/rack; topology.kubernetes.io/zone
	// for whole zones).
	DomainLabel string
	// FailuresPerDomainHour is each up domain's failure rate, per hour.
	FailuresPerDomainHour float64
	// Downtime is how long a failed domain stays down.
	Downtime sim.Distribution
	// SecondFailureProbability is the chance of a second failure within
	// Window after the recovery.
	SecondFailureProbability float64
	Window                   time.Duration
}

// DefaultCorrelated returns rack failures at the rate of the 2011 Google
// trace's large bursts, GoogleBurstsPerHour, spread over domains domains
// (for the trace's 320 synthetic racks, 2.4e-4 per rack-hour: one a rack
// every 5.8 months), with GoogleDowntime, and a second failure within an
// hour with GoogleSecondBurst (0.42). Ford et al. (see the package doc)
// find that most large failure bursts are of a rack or several racks,
// which is why the domain is a rack.
func DefaultCorrelated(domains int) Correlated {
	rate := 0.0
	if domains > 0 {
		rate = GoogleBurstsPerHour / float64(domains)
	}
	return Correlated{FailuresPerDomainHour: rate, Downtime: GoogleDowntime(), SecondFailureProbability: GoogleSecondBurst, Window: time.Hour}
}

// StreamName returns Stream, or StreamCorrelated.
func (c Correlated) StreamName() string { return streamOr(c.Stream, StreamCorrelated) }

func (c Correlated) domainLabel() string { return streamOr(c.DomainLabel, trace.LabelRack) }

// Validate checks the label key, the rate, the downtime, the probability
// and the window.
func (c Correlated) Validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if msgs := selector.IsQualifiedName(c.domainLabel()); len(msgs) > 0 {
		errs = append(errs, field.Invalid(p.Child("domainLabel"), c.DomainLabel, strings.Join(msgs, "; ")))
	}
	errs = append(errs, checkRate(p.Child("failuresPerDomainHour"), c.FailuresPerDomainHour)...)
	errs = append(errs, checkDist(p.Child("downtime"), c.Downtime)...)
	errs = append(errs, checkProbability(p.Child("secondFailureProbability"), c.SecondFailureProbability)...)
	return append(errs, checkNonNegative(p.Child("window"), c.Window)...)
}

// Domains returns the failure domains of nodes under c's label, by domain
// value, each with its nodes by name. Cost O(nodes log nodes).
func (c Correlated) Domains(nodes []Node) (values []string, members map[string][]string) {
	key := c.domainLabel()
	members = map[string][]string{}
	for _, n := range nodes {
		if v, ok := n.Labels[key]; ok {
			members[v] = append(members[v], n.Name)
		}
	}
	values = slices.Sorted(maps.Keys(members))
	for _, v := range values {
		slices.Sort(members[v])
	}
	return values, members
}

// The timer kinds of Correlated.
const (
	recoverFirst = iota
	recoverSecond
	failSecond
)

// Generate makes the domain failures and recoveries. Three draws per
// failure (when, which, how long), one per recovery of a first failure
// (whether a second follows) and one more if it does (when). Cost
// O(events + failures · log domains); memory O(nodes).
func (c Correlated) Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent {
	values, members := c.Domains(nodes)
	up := newPool(values)
	down := map[string]bool{}
	var tm timers
	var out []trace.NodeEvent
	emit := func(t time.Duration, domain string, typ trace.EventType) {
		for _, n := range members[domain] {
			out = append(out, trace.NodeEvent{At: t, Node: n, Type: typ})
		}
	}
	fail := func(t time.Duration, domain string, kind int) {
		up.remove(domain)
		down[domain] = true
		emit(t, domain, trace.Fail)
		tm.schedule(after(t, c.Downtime.Draw(r)), horizon, domain, kind)
	}
	var t time.Duration
	for {
		nt, ok := expAfter(r, t, float64(up.len())*c.FailuresPerDomainHour, horizon)
		if next, pending := tm.peek(); pending && (!ok || next.at <= nt) {
			tm.pop()
			t = next.at
			switch next.kind {
			case failSecond:
				if !down[next.key] {
					fail(t, next.key, recoverSecond)
				}
			default:
				up.add(next.key)
				delete(down, next.key)
				emit(t, next.key, trace.Recover)
				if next.kind == recoverFirst && r.Float64() < c.SecondFailureProbability {
					tm.schedule(after(t, time.Duration(r.Int64N(int64(c.Window)+1))), horizon, next.key, failSecond)
				}
			}
			continue
		}
		if !ok {
			return out
		}
		t = nt
		fail(t, up.pick(r), recoverFirst)
	}
}

// --- Maintenance ---

// Maintenance is rolling maintenance, as a node pool upgrade does it: the
// starting nodes, in an order shuffled from the stream, are taken Fraction
// at a time (at least one); each node of a wave is drained (a drain event,
// which cordons and evicts), reboots DrainTime later (a fail event), comes
// back after a time drawn from Reboot (a recover event) and is uncordoned
// UncordonDelay after that. The first wave starts at Start, each next one
// Pause after the last node of the wave before it is uncordoned. With a
// Period, a new round over all nodes starts every Period (or when the
// round before ends, if later); without, there is one round. The reboot
// does not wait for the drain to finish (the generator cannot know when
// it does): DrainTime plays kubectl drain's --timeout.
type Maintenance struct {
	// Stream names the random stream ("": StreamMaintenance).
	Stream string
	// Start is when the first wave starts.
	Start time.Duration
	// Fraction of the nodes in each wave, in (0, 1].
	Fraction float64
	// DrainTime is from the drain to the reboot.
	DrainTime time.Duration
	// Reboot is how long a rebooting node is NotReady.
	Reboot sim.Distribution
	// UncordonDelay is from the recovery to the uncordon.
	UncordonDelay time.Duration
	// Pause is between a wave's last uncordon and the next wave.
	Pause time.Duration
	// Period is between the starts of rounds (0: one round).
	Period time.Duration
}

// DefaultMaintenance returns an assumption, not a measurement: waves of
// 10% of the nodes, a 10-minute drain, a reboot of 2 to 5 minutes
// (uniform), the uncordon 30 s after, one round starting at time 0.
func DefaultMaintenance() Maintenance {
	return Maintenance{Fraction: 0.1, DrainTime: 10 * time.Minute, Reboot: sim.Uniform(2*time.Minute, 5*time.Minute), UncordonDelay: 30 * time.Second}
}

// StreamName returns Stream, or StreamMaintenance.
func (c Maintenance) StreamName() string { return streamOr(c.Stream, StreamMaintenance) }

// Validate checks the fraction (in (0, 1]), the durations (not negative)
// and the reboot distribution.
func (c Maintenance) Validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !(c.Fraction > 0 && c.Fraction <= 1) {
		errs = append(errs, field.Invalid(p.Child("fraction"), c.Fraction, "must be more than 0 and at most 1"))
	}
	errs = append(errs, checkNonNegative(p.Child("start"), c.Start)...)
	errs = append(errs, checkNonNegative(p.Child("drainTime"), c.DrainTime)...)
	errs = append(errs, checkDist(p.Child("reboot"), c.Reboot)...)
	errs = append(errs, checkNonNegative(p.Child("uncordonDelay"), c.UncordonDelay)...)
	errs = append(errs, checkNonNegative(p.Child("pause"), c.Pause)...)
	return append(errs, checkNonNegative(p.Child("period"), c.Period)...)
}

// WaveSize returns how many of n nodes a wave takes: ⌈Fraction·n⌉, at
// least 1 (0 for no nodes).
func (c Maintenance) WaveSize(n int) int {
	if n == 0 {
		return 0
	}
	return max(1, min(n, int(math.Ceil(c.Fraction*float64(n)-1e-9))))
}

// Generate makes the rounds of waves. One draw per node and round to
// shuffle, one per reboot. Cost O(events log events); memory O(events).
func (c Maintenance) Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent {
	n := len(nodes)
	k := c.WaveSize(n)
	var out []trace.NodeEvent
	add := func(t time.Duration, name string, typ trace.EventType) {
		if t < horizon {
			out = append(out, trace.NodeEvent{At: t, Node: name, Type: typ})
		}
	}
	for start := c.Start; n > 0 && start < horizon; {
		order := names(nodes)
		r.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		t := start
		for i := 0; i < n && t < horizon; i += k {
			end := t
			for _, name := range order[i:min(i+k, n)] {
				reboot := after(t, c.DrainTime)
				back := after(reboot, c.Reboot.Draw(r))
				uncordon := after(back, c.UncordonDelay)
				add(t, name, trace.Drain)
				add(reboot, name, trace.Fail)
				add(back, name, trace.Recover)
				add(uncordon, name, trace.Uncordon)
				end = max(end, uncordon)
			}
			t = after(end, c.Pause)
		}
		if c.Period == 0 {
			break
		}
		start = max(t, after(start, c.Period))
	}
	return sortByTime(out)
}

// --- Burst ---

// Burst is scale-up and scale-down bursts, as a cluster autoscaler's
// reaction to a batch of pods makes them: bursts come at BurstsPerHour
// (Poisson); each adds a number of nodes drawn uniformly in [MinSize,
// MaxSize], each at a time drawn uniformly within Spread of the burst's
// start, named NamePrefix+<n> with Labels and Capacity; the burst's nodes
// live one Lifetime (one draw per burst) and are removed as they came, each
// Lifetime after its add: the scale-down. A removal at or after the
// horizon is left out.
type Burst struct {
	// Stream names the random stream ("": StreamBurst).
	Stream string
	// BurstsPerHour is the rate of bursts, per hour.
	BurstsPerHour float64
	// MinSize and MaxSize bound a burst's node count (1 ≤ MinSize ≤
	// MaxSize).
	MinSize, MaxSize int
	// Spread is the window the adds of a burst fall in.
	Spread time.Duration
	// Lifetime is how long a burst's nodes stay.
	Lifetime sim.Distribution
	// NamePrefix names the nodes ("": "burst-"), Labels and Capacity are
	// what they are added with.
	NamePrefix string
	Labels     selector.Set
	Capacity   cluster.ResourceList
}

// DefaultBurst returns an assumption, not a measurement (the 2011 Google
// trace has no bursts of new machines: 106 in 29 days): one burst every 6
// hours of 5% to 10% of nodes nodes (at least 1), spread over 2 minutes,
// living a log-normal time of median 1 hour, σ = 0.5.
func DefaultBurst(nodes int) Burst {
	lo := max(1, nodes/20)
	return Burst{BurstsPerHour: 1.0 / 6, MinSize: lo, MaxSize: max(lo, nodes/10), Spread: 2 * time.Minute, Lifetime: sim.LogNormal(time.Hour, 0.5)}
}

// StreamName returns Stream, or StreamBurst.
func (c Burst) StreamName() string { return streamOr(c.Stream, StreamBurst) }

// Validate checks the rate, the sizes, the spread, the lifetime, the
// name prefix, the labels and the capacity.
func (c Burst) Validate(p *field.Path) field.ErrorList {
	errs := checkRate(p.Child("burstsPerHour"), c.BurstsPerHour)
	if c.MinSize < 1 {
		errs = append(errs, field.Invalid(p.Child("minSize"), c.MinSize, "must be at least 1"))
	}
	if c.MaxSize < c.MinSize {
		errs = append(errs, field.Invalid(p.Child("maxSize"), c.MaxSize, fmt.Sprintf("must be at least minSize (%d)", c.MinSize)))
	}
	errs = append(errs, checkNonNegative(p.Child("spread"), c.Spread)...)
	errs = append(errs, checkDist(p.Child("lifetime"), c.Lifetime)...)
	return append(errs, checkTemplate(p, c.NamePrefix, c.Labels, c.Capacity)...)
}

// Generate makes the bursts. Per burst: when, the size, the lifetime, and
// one draw per node for its place in the spread (none with no spread).
// Names skip the starting nodes'. Cost O(events log events); memory
// O(events).
func (c Burst) Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent {
	starting := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		starting[n.Name] = true
	}
	prefix := streamOr(c.NamePrefix, "burst-")
	var out []trace.NodeEvent
	next := 0
	var t time.Duration
	for {
		nt, ok := expAfter(r, t, c.BurstsPerHour, horizon)
		if !ok {
			break
		}
		t = nt
		size := c.MinSize + r.IntN(c.MaxSize-c.MinSize+1)
		life := c.Lifetime.Draw(r)
		for range size {
			at := t
			if c.Spread > 0 {
				at = after(t, time.Duration(r.Int64N(int64(c.Spread)+1)))
			}
			name := fmt.Sprintf("%s%d", prefix, next)
			for next++; starting[name]; next++ {
				name = fmt.Sprintf("%s%d", prefix, next)
			}
			if at < horizon {
				out = append(out, addEvent(at, name, c.Labels, c.Capacity))
			}
			if gone := after(at, life); gone < horizon {
				out = append(out, trace.NodeEvent{At: gone, Node: name, Type: trace.Remove})
			}
		}
	}
	return sortByTime(out)
}
