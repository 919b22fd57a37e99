package scenario

import (
	"errors"
	"strings"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
)

// kindInfo is what kubectl calls a kind: its names on the command line, its
// resource (plural.group, as in errors) and its Kind (as in "The DaemonSet
// ... is invalid").
type kindInfo struct {
	kind     cluster.Kind
	names    []string // singular first, then plural and short names
	resource string   // "daemonsets.apps"
	group    string   // "apps", "" for core
	kubeKind string   // "DaemonSet"
}

var kindInfos = []kindInfo{
	{cluster.KindNode, []string{"node", "nodes", "no"}, "nodes", "", "Node"},
	{cluster.KindPod, []string{"pod", "pods", "po"}, "pods", "", "Pod"},
	{cluster.KindDaemonSet, []string{"daemonset", "daemonsets", "ds"}, "daemonsets.apps", "apps", "DaemonSet"},
	{cluster.KindReplicaSet, []string{"replicaset", "replicasets", "rs"}, "replicasets.apps", "apps", "ReplicaSet"},
	{cluster.KindControllerRevision, []string{"controllerrevision", "controllerrevisions"}, "controllerrevisions.apps", "apps", "ControllerRevision"},
	{cluster.KindPriorityClass, []string{"priorityclass", "priorityclasses", "pc"}, "priorityclasses.scheduling.k8s.io", "scheduling.k8s.io", "PriorityClass"},
	{cluster.KindPodDisruptionBudget, []string{"poddisruptionbudget", "poddisruptionbudgets", "pdb"}, "poddisruptionbudgets.policy", "policy", "PodDisruptionBudget"},
}

func lookupKind(s string) (kindInfo, bool) {
	s = strings.ToLower(s)
	if i := strings.IndexByte(s, '.'); i > 0 { // "daemonsets.apps"
		s = s[:i]
	}
	for _, k := range kindInfos {
		for _, n := range k.names {
			if n == s {
				return k, true
			}
		}
	}
	return kindInfo{}, false
}

func infoOf(k cluster.Kind) kindInfo {
	for _, ki := range kindInfos {
		if ki.kind == k {
			return ki
		}
	}
	return kindInfo{kind: k, names: []string{k.String()}, resource: k.String() + "s", kubeKind: k.String()}
}

// ref is how kubectl names an object in its messages: "daemonset.apps/agent",
// "node/n1".
func ref(k cluster.Key) string {
	ki := infoOf(k.Kind)
	if ki.group == "" {
		return ki.names[0] + "/" + k.Name
	}
	return ki.names[0] + "." + ki.group + "/" + k.Name
}

// parseRef reads an object reference: "kind/name", "kind/namespace/name"
// or, with def set, a bare "name" or "namespace/name" of that kind. A
// namespaced kind without a namespace is in "default".
func parseRef(s string, def cluster.Kind) (cluster.Key, error) {
	parts := strings.Split(s, "/")
	var ki kindInfo
	if k, ok := lookupKind(parts[0]); ok && len(parts) > 1 {
		ki, parts = k, parts[1:]
	} else if def != 0 {
		ki = infoOf(def)
	} else {
		return cluster.Key{}, badf("%q: want kind/name (node/n1, ds/agent, pod/kube-system/agent-x)", s)
	}
	k := cluster.Key{Kind: ki.kind}
	switch {
	case len(parts) == 1 && parts[0] != "":
		k.Name = parts[0]
	case len(parts) == 2 && ki.kind.Namespaced() && parts[0] != "" && parts[1] != "":
		k.Namespace, k.Name = parts[0], parts[1]
	default:
		return cluster.Key{}, badf("%q: want %s/name or %s/namespace/name", s, ki.names[0], ki.names[0])
	}
	if ki.kind.Namespaced() && k.Namespace == "" {
		k.Namespace = cluster.DefaultNamespace
	}
	return k, nil
}

// notFound is the API server's NotFound as kubectl prints it.
func notFound(k cluster.Key) string {
	return `Error from server (NotFound): ` + infoOf(k.Kind).resource + ` "` + k.Name + `" not found`
}

// describeErr renders an error of the store the way kubectl prints the API
// server's answer.
func describeErr(k cluster.Key, err error) string {
	ki := infoOf(k.Kind)
	var ee *cluster.EvictionError
	switch {
	case errors.Is(err, cluster.ErrNotFound):
		return notFound(k)
	case errors.Is(err, cluster.ErrAlreadyExists):
		return `Error from server (AlreadyExists): ` + ki.resource + ` "` + k.Name + `" already exists`
	case errors.As(err, &ee):
		reason := map[int]string{429: "TooManyRequests", 403: "Forbidden"}[ee.Code]
		if reason == "" {
			reason = "InternalError"
		}
		return "Error from server (" + reason + "): " + ee.Error()
	case errors.Is(err, cluster.ErrInvalid):
		return `The ` + ki.kubeKind + ` "` + k.Name + `" is invalid: ` + invalidBody(err)
	case errors.Is(err, cluster.ErrForbidden):
		return "Error from server (Forbidden): " + err.Error()
	case errors.Is(err, cluster.ErrConflict):
		return "Error from server (Conflict): " + err.Error()
	}
	return "error: " + err.Error()
}

// invalidBody is the list part of an Invalid answer: one error as is,
// several as "[a, b]", as apimachinery's aggregate prints them.
func invalidBody(err error) string {
	var list []string
	var walk func(error)
	walk = func(e error) {
		var fe *field.Error
		if errors.As(e, &fe) && !isJoin(e) {
			list = append(list, fe.Error())
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		list = append(list, e.Error())
	}
	walk(err)
	if len(list) == 1 {
		return list[0]
	}
	return "[" + strings.Join(list, ", ") + "]"
}

func isJoin(e error) bool {
	_, ok := e.(interface{ Unwrap() []error })
	return ok
}
