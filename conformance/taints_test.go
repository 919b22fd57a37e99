package conformance

import (
	"math/rand/v2"
	"testing"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	corehelpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/daemonsim/daemonsim/taints"
)

var (
	taintKeys   = []string{"", "a", "b", "node.kubernetes.io/not-ready"}
	taintValues = []string{"", "x", "y", "5", "07", "-1"}
	effects     = []corev1.TaintEffect{"", "NoSchedule", "PreferNoSchedule", "NoExecute"}
	operators   = []corev1.TolerationOperator{"", "Equal", "Exists", "Gt", "Lt", "Bogus"}
)

func taint(r *rand.Rand) corev1.Taint {
	return corev1.Taint{Key: pick(r, taintKeys), Value: pick(r, taintValues), Effect: pick(r, effects)}
}

func toleration(r *rand.Rand) corev1.Toleration {
	return corev1.Toleration{Key: pick(r, taintKeys), Operator: pick(r, operators), Value: pick(r, taintValues), Effect: pick(r, effects)}
}

func ourTaint(t corev1.Taint) taints.Taint {
	return taints.Taint{Key: t.Key, Value: t.Value, Effect: taints.Effect(t.Effect)}
}

func ourToleration(t corev1.Toleration) taints.Toleration {
	return taints.Toleration{Key: t.Key, Operator: taints.Operator(t.Operator), Value: t.Value, Effect: taints.Effect(t.Effect)}
}

func TestToleratesTaintMatchesUpstream(t *testing.T) {
	r := newRand(t, 4)
	logger := logr.Discard()
	tolerated := 0
	for range count() {
		tn, tol := taint(r), toleration(r)
		theirs := tol.ToleratesTaint(logger, &tn, false)
		require.Equal(t, theirs, ourToleration(tol).ToleratesTaint(ourTaint(tn)), "toleration %+v taint %+v", tol, tn)
		theirsCmp := tol.ToleratesTaint(logger, &tn, true)
		require.Equal(t, theirsCmp, ourToleration(tol).ToleratesTaintComparing(ourTaint(tn)), "comparing: toleration %+v taint %+v", tol, tn)
		if theirs {
			tolerated++
		}
	}
	require.Greater(t, tolerated, count()/50)
}

func TestFindUntoleratedMatchesUpstream(t *testing.T) {
	r := newRand(t, 5)
	logger := logr.Discard()
	filters := []struct {
		theirs func(*corev1.Taint) bool
		ours   func(taints.Taint) bool
	}{
		{nil, nil},
		{func(t *corev1.Taint) bool { return t.Effect == "NoSchedule" || t.Effect == "NoExecute" }, taints.DoNotScheduleFilter},
		{func(t *corev1.Taint) bool { return t.Effect == "NoExecute" }, taints.NoExecuteFilter},
	}
	found := 0
	for range count() {
		var ts []corev1.Taint
		var ots []taints.Taint
		for range r.IntN(4) {
			tn := taint(r)
			ts = append(ts, tn)
			ots = append(ots, ourTaint(tn))
		}
		var tols []corev1.Toleration
		var otols []taints.Toleration
		for range r.IntN(4) {
			tol := toleration(r)
			tols = append(tols, tol)
			otols = append(otols, ourToleration(tol))
		}
		f := filters[r.IntN(len(filters))]
		want, wantOK := corehelpers.FindMatchingUntoleratedTaint(logger, ts, tols, f.theirs, false)
		got, gotOK := taints.FindUntolerated(ots, otols, f.ours)
		require.Equal(t, wantOK, gotOK, "taints %+v tolerations %+v", ts, tols)
		require.Equal(t, ourTaint(want), got, "taints %+v tolerations %+v", ts, tols)
		if gotOK {
			found++
		}
	}
	require.Greater(t, found, count()/20)
}
