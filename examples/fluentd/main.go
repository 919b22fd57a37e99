// Command fluentd runs the fluentd-elasticsearch DaemonSet of the
// Kubernetes DaemonSet page on a simulated cluster with two control-plane
// nodes and six workers, with the DaemonSet controller, the scheduler and
// the node agent wired in (sim.NewDefault). Then it changes the cluster:
// workers join and leave, one is tainted NoExecute and one is relabelled
// for a second, nodeSelector-bound DaemonSet. It prints what happened and
// the final status of both DaemonSets.
//
//	go run ./examples/fluentd            # seed 1
//	go run ./examples/fluentd -seed 7    # other start and readiness delays
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/taints"
)

// fluentd is the seed page's daemonset.yaml.
func fluentd() *cluster.DaemonSet {
	labels := selector.Set{"name": "fluentd-elasticsearch"}
	return &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Name: "fluentd-elasticsearch", Namespace: "kube-system", Labels: selector.Set{"k8s-app": "fluentd-logging"}},
		Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: labels},
			Template: cluster.PodTemplateSpec{
				ObjectMeta: cluster.ObjectMeta{Labels: labels},
				Spec: cluster.PodSpec{
					Tolerations: []taints.Toleration{
						// these tolerations are to have the daemonset runnable on control plane nodes
						{Key: "node-role.kubernetes.io/control-plane", Operator: taints.OpExists, Effect: taints.NoSchedule},
						{Key: "node-role.kubernetes.io/master", Operator: taints.OpExists, Effect: taints.NoSchedule},
					},
					Containers: []cluster.Container{{
						Name:  "fluentd-elasticsearch",
						Image: "quay.io/fluentd_elasticsearch/fluentd:v2.5.2",
						Resources: cluster.ResourceRequirements{
							Limits:   ct.Resources("memory", "200Mi"),
							Requests: ct.Resources("cpu", "100m", "memory", "200Mi"),
						},
					}},
					TerminationGracePeriodSeconds: ptr(int64(30)),
				},
			},
		},
	}
}

// ssdMonitor runs only on nodes labelled disktype=ssd.
func ssdMonitor() *cluster.DaemonSet {
	labels := selector.Set{"name": "ssd-monitor"}
	return &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Name: "ssd-monitor", Namespace: "kube-system"},
		Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: labels},
			Template: cluster.PodTemplateSpec{
				ObjectMeta: cluster.ObjectMeta{Labels: labels},
				Spec: cluster.PodSpec{
					NodeSelector: selector.Set{"disktype": "ssd"},
					Containers: []cluster.Container{{Name: "main", Image: "ssd-monitor:1",
						Resources: cluster.ResourceRequirements{Requests: ct.Resources("cpu", "50m", "memory", "64Mi")}}},
				},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

func node(name string, opts ...ct.NodeOption) *cluster.Node {
	return ct.Node(name, append([]ct.NodeOption{ct.CPU("4"), ct.Memory("16Gi"), ct.MaxPods("110")}, opts...)...)
}

func nodeKey(name string) cluster.Key { return cluster.Key{Kind: cluster.KindNode, Name: name} }

func run(w io.Writer, seed uint64) error {
	c, err := sim.NewDefault(sim.DefaultConfig{
		Engine: sim.Config{Seed: seed},
		NodeAgent: sim.NodeAgentConfig{
			StartLatency: sim.LogNormal(3*time.Second, 0.4).Truncate(time.Millisecond),
			ReadyDelay:   sim.Uniform(2*time.Second, 8*time.Second).Truncate(time.Millisecond),
		},
	})
	if err != nil {
		return err
	}
	at := func(d time.Duration, ch cluster.Change) { c.Submit(sim.Epoch.Add(d), "scenario", ch) }
	cp := ct.Taint(taints.KeyControlPlane + ":NoSchedule")
	for _, n := range []*cluster.Node{
		node("control-plane-1", cp, ct.NodeLabels("node-role.kubernetes.io/control-plane", "")),
		node("control-plane-2", cp, ct.NodeLabels("node-role.kubernetes.io/control-plane", "")),
		node("worker-1"), node("worker-2"), node("worker-3"), node("worker-4"),
	} {
		at(0, cluster.Create{Object: n})
	}
	at(0, cluster.Create{Object: fluentd()})
	at(0, cluster.Create{Object: ssdMonitor()})
	at(time.Minute, cluster.Create{Object: node("worker-5")})
	at(time.Minute, cluster.Create{Object: node("worker-6")})
	at(2*time.Minute, cluster.Delete{Key: nodeKey("worker-2")})
	tainted := node("worker-3", ct.Taint("dedicated=gpu:NoExecute"))
	at(4*time.Minute, cluster.Update{Object: tainted})
	relabelled := node("worker-4", ct.NodeLabels("disktype", "ssd"))
	at(5*time.Minute, cluster.Update{Object: relabelled})
	if err := c.RunUntil(sim.Epoch.Add(10 * time.Minute)); err != nil {
		return err
	}

	fmt.Fprintf(w, "timeline (seed %d):\n", seed)
	for ev := range c.Events(0) {
		if line, ok := describe(ev); ok {
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintln(w, "\nfinal status:")
	for ds := range c.View().DaemonSets() {
		s := ds.Status
		fmt.Fprintf(w, "  %s/%s: desired %d, current %d, ready %d, available %d, up-to-date %d, misscheduled %d\n",
			ds.Namespace, ds.Name, s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady,
			s.NumberAvailable, s.UpdatedNumberScheduled, s.NumberMisscheduled)
	}
	fmt.Fprintln(w, "\ndaemon pods:")
	for p := range c.View().Pods() {
		node, _ := daemonset.TargetNodeName(p)
		fmt.Fprintf(w, "  %-40s %-16s %s\n", p.Namespace+"/"+p.Name, node, p.Status.Phase)
	}
	fmt.Fprintf(w, "state digest: %s\n", cluster.Digest(c.View())[:16])
	return nil
}

// describe renders the events a reader follows: the scenario's changes,
// the controllers' creates, binds and deletes, pods turning Running and
// Ready (the kubelet's status writes), pods marked for a disruption, and
// Warning events. Status bookkeeping is left out.
func describe(ev *sim.Event) (string, bool) {
	prefix := fmt.Sprintf("t=%-9s %-20s ", ev.At.Sub(sim.Epoch), ev.Source)
	switch ev.Kind {
	case sim.EventNote:
		if ev.Note.Type != cluster.NoteWarning {
			return "", false
		}
		return prefix + ev.Note.Reason + ": " + ev.Note.Message, true
	case sim.EventChange:
		if ev.Err != "" {
			return prefix + fmt.Sprint(ev.Change) + " -> error: " + strings.ReplaceAll(ev.Err, "\n", "; "), true
		}
		switch ch := ev.Change.(type) {
		case cluster.UpdateStatus:
			p, ok := ch.Object.(*cluster.Pod)
			if !ok {
				return "", false
			}
			if ev.Source != sim.NodeAgentName { // another controller's status write
				if c, ok := p.Condition(cluster.DisruptionTarget); ok && c.Status == cluster.ConditionTrue {
					return prefix + "pod " + p.Name + " is " + string(p.Status.Phase) + " (DisruptionTarget: " + c.Reason + ")", true
				}
				return "", false
			}
			state := string(p.Status.Phase)
			if p.Status.Phase == cluster.PodRunning && p.IsReady() {
				state = "Ready"
			}
			return prefix + "pod " + p.Name + " is " + state, true
		case cluster.Create:
			if p, ok := ch.Object.(*cluster.Pod); ok {
				node, _ := daemonset.TargetNodeName(p)
				return prefix + "create pod " + p.Name + " for " + node, true
			}
		}
		return prefix + fmt.Sprint(ev.Change), true
	}
	return "", false
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed for start and readiness delays")
	flag.Parse()
	if err := run(os.Stdout, *seed); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
