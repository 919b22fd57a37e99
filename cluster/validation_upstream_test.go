package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/daemonsim/daemonsim/field"
)

// The validators below are upstream's for the binding and the pod and PDB
// status subresources (Bind and UpdateStatus).

func errStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestValidateBinding(t *testing.T) {
	assert.Empty(t, validateBinding("node-1"))
	assert.Equal(t, []string{"target.name: Required value"}, errStrings(validateBinding("")))
	assert.Equal(t, []string{`target.name: Invalid value: "Bad_Node": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		errStrings(validateBinding("Bad_Node")))
}

func TestValidatePodStatusUpdate(t *testing.T) {
	old := PodStatus{}
	st := PodStatus{Conditions: []PodCondition{{Type: PodReady}, {Type: "Initialized"}, {Type: "example.com/ok"}, {Type: "bad type"}}, NominatedNodeName: "Bad_Node"}
	assert.Equal(t, []string{
		`status.conditions[3].Type: Invalid value: "bad type": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
		`status.nominatedNodeName: Invalid value: "Bad_Node": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
	}, errStrings(validatePodStatusUpdate(&old, &st, "")))
	st = PodStatus{NominatedNodeName: "n2"}
	assert.Empty(t, validatePodStatusUpdate(&old, &st, ""))
	assert.Equal(t, []string{"status.nominatedNodeName: Forbidden: may not be set on pods that are already bound to a node"},
		errStrings(validatePodStatusUpdate(&old, &st, "n1")))
	assert.Empty(t, validatePodStatusUpdate(&st, &st, "n1"), "an unchanged nomination is not checked")
}

func TestValidatePDBStatus(t *testing.T) {
	assert.Empty(t, validatePDBStatus(&PodDisruptionBudgetStatus{DisruptionsAllowed: 1}))
	assert.Equal(t, []string{"status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0", "status.expectedPods: Invalid value: -2: must be greater than or equal to 0"},
		errStrings(validatePDBStatus(&PodDisruptionBudgetStatus{DisruptionsAllowed: -1, ExpectedPods: -2})))
}
