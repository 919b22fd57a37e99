package conformance

// Conversion of daemonsim's stored objects to their upstream k8s.io/api v1
// form, for the DaemonSet controller differential test. daemonsim's kinds
// use Kubernetes' JSON field names, so an object goes through JSON; the
// decoder refuses a field the upstream type lacks, so nothing is dropped
// silently. A ControllerRevision's data is the one exception: daemonsim
// stores its own serialisation of the template patch, so the template is
// read back and serialised the way upstream's getPatch does, which keeps
// "this revision matches the DaemonSet's template" the same on both sides.

import (
	"bytes"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	k8sjson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/kubernetes/pkg/controller/daemon"

	"github.com/daemonsim/daemonsim/cluster"
)

// dsConvert copies in into out through JSON, refusing unknown fields.
func dsConvert(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%T to %T: %w", in, out, err)
	}
	return nil
}

func dsV1Node(n *cluster.Node) (*corev1.Node, error) {
	out := &corev1.Node{}
	return out, dsConvert(n, out)
}

func dsV1Pod(p *cluster.Pod) (*corev1.Pod, error) {
	out := &corev1.Pod{}
	return out, dsConvert(p, out)
}

func dsV1DaemonSet(d *cluster.DaemonSet) (*appsv1.DaemonSet, error) {
	out := &appsv1.DaemonSet{}
	return out, dsConvert(d, out)
}

// dsV1Revision converts a revision; its data becomes upstream's patch of
// the template daemonsim's data holds.
func dsV1Revision(cr *cluster.ControllerRevision) (*appsv1.ControllerRevision, error) {
	meta := *cr
	meta.Data = nil
	out := &appsv1.ControllerRevision{}
	if err := dsConvert(&meta, out); err != nil {
		return nil, err
	}
	var p struct {
		Spec struct {
			Template *cluster.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data, &p); err != nil || p.Spec.Template == nil {
		return nil, fmt.Errorf("revision %s: data holds no template: %v", cr.Name, err)
	}
	var t corev1.PodTemplateSpec
	if err := dsConvert(p.Spec.Template, &t); err != nil {
		return nil, err
	}
	raw, err := dsUpstreamPatch(t)
	if err != nil {
		return nil, err
	}
	out.Data.Raw = raw
	// check against upstream's own Match
	if ok, err := daemon.Match(&appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: t}}, out); err != nil || !ok {
		return nil, fmt.Errorf("revision %s: converted data does not match its own template (%v)", cr.Name, err)
	}
	return out, nil
}

// dsUpstreamPatch is upstream's getPatch (pkg/controller/daemon/update.go)
// for a DaemonSet with template t: the JSON of
// {"spec":{"template":<t with "$patch":"replace">}}.
func dsUpstreamPatch(t corev1.PodTemplateSpec) ([]byte, error) {
	b, err := k8sjson.Marshal(&appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: t}})
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := k8sjson.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	tmpl := raw["spec"].(map[string]any)["template"].(map[string]any)
	tmpl["$patch"] = "replace"
	return k8sjson.Marshal(map[string]any{"spec": map[string]any{"template": tmpl}})
}

// dsSimPatch is daemonsim's revision data for template t (the library's
// templatePatch, which is unexported): t's JSON with every object's keys
// sorted and "$patch":"replace" added, under spec.template. The generator
// checks it against daemonset.CurrentHash.
func dsSimPatch(t *cluster.PodTemplateSpec) []byte {
	b, err := json.Marshal(t)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(err)
	}
	m["$patch"] = "replace"
	out, err := json.Marshal(map[string]any{"spec": map[string]any{"template": m}})
	if err != nil {
		panic(err)
	}
	return out
}

// dsV1State is a generated cluster in upstream's types.
type dsV1State struct {
	nodes []*corev1.Node
	dss   []*appsv1.DaemonSet
	crs   []*appsv1.ControllerRevision
	pods  []*corev1.Pod
}

// dsV1StateOf converts every object of the store.
func dsV1StateOf(s cluster.View) (*dsV1State, error) {
	st := &dsV1State{}
	for o := range s.Objects() {
		var err error
		switch o := o.(type) {
		case *cluster.Node:
			var n *corev1.Node
			n, err = dsV1Node(o)
			st.nodes = append(st.nodes, n)
		case *cluster.DaemonSet:
			var d *appsv1.DaemonSet
			d, err = dsV1DaemonSet(o)
			st.dss = append(st.dss, d)
		case *cluster.ControllerRevision:
			var cr *appsv1.ControllerRevision
			cr, err = dsV1Revision(o)
			st.crs = append(st.crs, cr)
		case *cluster.Pod:
			var p *corev1.Pod
			p, err = dsV1Pod(o)
			st.pods = append(st.pods, p)
		default:
			err = fmt.Errorf("unexpected %T", o)
		}
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}
