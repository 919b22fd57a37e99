package taints

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/field"
)

func secs(n int64) *int64 { return &n }

func TestToleratesTaint(t *testing.T) {
	taint := Taint{Key: "k", Value: "v", Effect: NoSchedule}
	tests := []struct {
		name string
		tol  Toleration
		want bool
		cmp  bool // want with comparison operators enabled
	}{
		{"equal", Toleration{Key: "k", Operator: OpEqual, Value: "v", Effect: NoSchedule}, true, true},
		{"empty operator is equal", Toleration{Key: "k", Value: "v"}, true, true},
		{"value differs", Toleration{Key: "k", Value: "w"}, false, false},
		{"empty value vs v", Toleration{Key: "k"}, false, false},
		{"exists ignores value", Toleration{Key: "k", Operator: OpExists}, true, true},
		{"effect differs", Toleration{Key: "k", Operator: OpExists, Effect: NoExecute}, false, false},
		{"empty effect matches all", Toleration{Key: "k", Operator: OpExists}, true, true},
		{"key differs", Toleration{Key: "x", Operator: OpExists}, false, false},
		{"empty key exists matches all", Toleration{Operator: OpExists}, true, true},
		{"empty key equal", Toleration{Operator: OpEqual, Value: "v"}, true, true},
		{"unknown operator", Toleration{Key: "k", Operator: "Near", Value: "v"}, false, false},
		{"gt on non-integer", Toleration{Key: "k", Operator: OpGt, Value: "1"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.tol.ToleratesTaint(taint))
			assert.Equal(t, tc.cmp, tc.tol.ToleratesTaintComparing(taint))
		})
	}
	num := Taint{Key: "gen", Value: "5", Effect: NoSchedule}
	assert.False(t, Toleration{Key: "gen", Operator: OpGt, Value: "4"}.ToleratesTaint(num), "gated off by default")
	assert.True(t, Toleration{Key: "gen", Operator: OpGt, Value: "4"}.ToleratesTaintComparing(num))
	assert.False(t, Toleration{Key: "gen", Operator: OpGt, Value: "5"}.ToleratesTaintComparing(num), "strict")
	assert.True(t, Toleration{Key: "gen", Operator: OpLt, Value: "6"}.ToleratesTaintComparing(num))
	assert.False(t, Toleration{Key: "gen", Operator: OpLt, Value: "06"}.ToleratesTaintComparing(num), "not canonical")
}

func TestFindUntolerated(t *testing.T) {
	ts := []Taint{
		{Key: "a", Effect: PreferNoSchedule},
		{Key: "b", Value: "1", Effect: NoSchedule},
		{Key: "c", Effect: NoExecute},
	}
	got, ok := FindUntolerated(ts, nil, nil)
	require.True(t, ok)
	assert.Equal(t, "a", got.Key, "first in node order")
	got, ok = FindUntolerated(ts, nil, DoNotScheduleFilter)
	require.True(t, ok)
	assert.Equal(t, "b", got.Key)
	got, ok = FindUntolerated(ts, []Toleration{{Key: "b", Value: "1"}}, DoNotScheduleFilter)
	require.True(t, ok)
	assert.Equal(t, "c", got.Key)
	_, ok = FindUntolerated(ts, []Toleration{{Operator: OpExists}}, nil)
	assert.False(t, ok)
	_, ok = FindUntolerated(nil, nil, nil)
	assert.False(t, ok)
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Taint
		err  string
	}{
		{in: "dedicated=gpu:NoSchedule", want: Taint{Key: "dedicated", Value: "gpu", Effect: NoSchedule}},
		{in: "node-role.kubernetes.io/control-plane:NoSchedule", want: Taint{Key: KeyControlPlane, Effect: NoSchedule}},
		{in: "k=:NoExecute", want: Taint{Key: "k", Effect: NoExecute}},
		{in: "k=v:PreferNoSchedule", want: Taint{Key: "k", Value: "v", Effect: PreferNoSchedule}},
		{in: "k=v", err: "invalid taint spec: k=v, an effect is required (key=value:Effect or key:Effect)"},
		{in: "k=v:Sometimes", err: "invalid taint effect: Sometimes, unsupported taint effect"},
		{in: "k=v=w:NoSchedule", err: "invalid taint spec: k=v=w:NoSchedule"},
		{in: "k:v:NoSchedule", err: "invalid taint spec: k:v:NoSchedule"},
		{in: "=v:NoSchedule", err: "invalid taint spec: =v:NoSchedule, name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
		{in: "k=-v:NoSchedule", err: "invalid taint spec: k=-v:NoSchedule, a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := Parse(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again)
		})
	}
}

// The upstream messages the validation tests expect.
const (
	msgKeyName = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
		"(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	msgValue = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
		"(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
	msgEffects = `supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`
)

func errorStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestValidateTaints(t *testing.T) {
	added := time.Date(2000, 1, 1, 3, 4, 5, 0, time.FixedZone("x", 3600))
	tests := []struct {
		name string
		ts   []Taint
		want []string
	}{
		{"none", nil, nil},
		{"valid, same key with other effects", []Taint{{Key: "a", Effect: NoSchedule}, {Key: "a", Effect: NoExecute}, {Key: "b", Value: "v", Effect: PreferNoSchedule}}, nil},
		{"duplicate renders as core.Taint", []Taint{{Key: "a", Effect: NoSchedule}, {Key: "a", Value: "x", Effect: NoSchedule}}, []string{
			`metadata.taints[1]: Duplicate value: {"Key":"a","Value":"x","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`}},
		{"duplicate with timeAdded, in UTC", []Taint{{Key: "a", Effect: NoExecute}, {Key: "a", Effect: NoExecute, TimeAdded: &added}}, []string{
			`metadata.taints[1]: Duplicate value: {"Key":"a","Value":"","Effect":"NoExecute","TimeAdded":"2000-01-01T02:04:05Z"}: taints must be unique by key and effect pair`}},
		{"third of a kind is reported once", []Taint{{Key: "a", Effect: NoSchedule}, {Key: "a", Effect: NoSchedule}, {Key: "a", Effect: NoSchedule}}, []string{
			`metadata.taints[1]: Duplicate value: {"Key":"a","Value":"","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`,
			`metadata.taints[2]: Duplicate value: {"Key":"a","Value":"","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`}},
		{"effect required", []Taint{{Key: "b"}}, []string{`metadata.taints[0].effect: Required value`}},
		{"effect unknown", []Taint{{Key: "c", Effect: "Later"}}, []string{`metadata.taints[0].effect: Unsupported value: "Later": ` + msgEffects}},
		{"key, value, effect, duplicate in order", []Taint{{Key: "-k", Value: "-v", Effect: "Later"}, {Key: "-k", Value: "-v", Effect: "Later"}}, []string{
			`metadata.taints[0].key: Invalid value: "-k": ` + msgKeyName,
			`metadata.taints[0].value: Invalid value: "-v": ` + msgValue,
			`metadata.taints[0].effect: Unsupported value: "Later": ` + msgEffects,
			`metadata.taints[1].key: Invalid value: "-k": ` + msgKeyName,
			`metadata.taints[1].value: Invalid value: "-v": ` + msgValue,
			`metadata.taints[1].effect: Unsupported value: "Later": ` + msgEffects,
			`metadata.taints[1]: Duplicate value: {"Key":"-k","Value":"-v","Effect":"Later","TimeAdded":null}: taints must be unique by key and effect pair`}},
		{"empty key", []Taint{{Effect: NoSchedule}}, []string{`metadata.taints[0].key: Invalid value: "": name part must be non-empty`, `metadata.taints[0].key: Invalid value: "": ` + msgKeyName}},
	}
	p := field.NewPath("metadata", "taints")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errorStrings(ValidateTaints(tc.ts, p)))
			// the path-free pass that callers run first finds as many
			assert.Len(t, ValidateTaints(tc.ts, field.Discard), len(tc.want))
		})
	}
}

func TestValidateTolerations(t *testing.T) {
	tests := []struct {
		name string
		tol  Toleration
		want []string
	}{
		{"exists matches everything", Toleration{Operator: OpExists}, nil},
		{"exists with seconds", Toleration{Key: "k", Operator: OpExists, Effect: NoExecute, TolerationSeconds: secs(300)}, nil},
		{"equal", Toleration{Key: "k", Operator: OpEqual, Value: "v", Effect: PreferNoSchedule}, nil},
		{"well-known key", Toleration{Key: KeyNodeNotReady, Operator: OpExists, Effect: NoExecute}, nil},
		{"empty key needs Exists", Toleration{Value: "v"}, []string{
			"spec.tolerations[0].operator: Invalid value: \"\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""}},
		{"Exists with value", Toleration{Key: "k", Operator: OpExists, Value: "v"}, []string{
			"spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"}},
		{"seconds without NoExecute", Toleration{Key: "k", Effect: NoSchedule, TolerationSeconds: secs(1)}, []string{
			"spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"}},
		{"seconds without effect", Toleration{Key: "k", TolerationSeconds: secs(1)}, []string{
			"spec.tolerations[0].effect: Invalid value: \"\": effect must be 'NoExecute' when `tolerationSeconds` is set"}},
		{"Equal with a bad value", Toleration{Key: "k", Value: "-v"}, []string{
			`spec.tolerations[0].operator: Invalid value: "-v": ` + msgValue}},
		{"Gt with the gate off", Toleration{Key: "k", Operator: OpGt, Value: "5"}, []string{
			`spec.tolerations[0].operator: Unsupported value: "Gt": supported values: "Equal", "Exists", "Lt", "Gt"`}},
		{"Lt with the gate off", Toleration{Key: "k", Operator: OpLt, Value: "x"}, []string{
			`spec.tolerations[0].operator: Unsupported value: "Lt": supported values: "Equal", "Exists", "Lt", "Gt"`}},
		{"unknown operator", Toleration{Key: "k", Operator: "Near"}, []string{
			`spec.tolerations[0].operator: Unsupported value: "Near": supported values: "Equal", "Exists"`}},
		{"unknown effect", Toleration{Key: "k", Operator: OpExists, Effect: "Later"}, []string{
			`spec.tolerations[0].effect: Unsupported value: "Later": ` + msgEffects}},
		{"key, operator, seconds, value, effect in order", Toleration{Key: "-k", Operator: "Near", Value: "-v", Effect: "Later", TolerationSeconds: secs(1)}, []string{
			`spec.tolerations[0].key: Invalid value: "-k": ` + msgKeyName,
			"spec.tolerations[0].effect: Invalid value: \"Later\": effect must be 'NoExecute' when `tolerationSeconds` is set",
			`spec.tolerations[0].operator: Unsupported value: "Near": supported values: "Equal", "Exists"`,
			`spec.tolerations[0].effect: Unsupported value: "Later": ` + msgEffects}},
	}
	p := field.NewPath("spec", "tolerations")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tols := []Toleration{tc.tol}
			assert.Equal(t, tc.want, errorStrings(ValidateTolerations(tols, p)))
			assert.Len(t, ValidateTolerations(tols, field.Discard), len(tc.want))
		})
	}
	// errors come in toleration order, at each toleration's index
	errs := ValidateTolerations([]Toleration{{Operator: OpExists}, {Key: "k", Operator: "Near"}, {Value: "v"}}, p)
	require.Len(t, errs, 2)
	assert.Equal(t, "spec.tolerations[1].operator", errs[0].Field)
	assert.Equal(t, "spec.tolerations[2].operator", errs[1].Field)
}

func TestEvictionDelay(t *testing.T) {
	noExec := Taint{Key: KeyNodeNotReady, Effect: NoExecute}
	other := Taint{Key: "maint", Effect: NoExecute}
	tests := []struct {
		name   string
		taints []Taint
		tols   []Toleration
		delay  time.Duration
		evict  bool
	}{
		{"no taints", nil, nil, 0, false},
		{"only NoSchedule", []Taint{{Key: "a", Effect: NoSchedule}}, nil, 0, false},
		{"untolerated", []Taint{noExec}, nil, 0, true},
		{"tolerated forever", []Taint{noExec}, []Toleration{{Key: KeyNodeNotReady, Operator: OpExists, Effect: NoExecute}}, 0, false},
		{"tolerated 300s", []Taint{noExec}, []Toleration{{Key: KeyNodeNotReady, Operator: OpExists, Effect: NoExecute, TolerationSeconds: secs(300)}}, 300 * time.Second, true},
		{"smallest wins", []Taint{noExec, other}, []Toleration{
			{Key: KeyNodeNotReady, Operator: OpExists, TolerationSeconds: secs(300)},
			{Key: "maint", Operator: OpExists, TolerationSeconds: secs(60)},
		}, 60 * time.Second, true},
		{"one untolerated of two", []Taint{noExec, other}, []Toleration{{Key: KeyNodeNotReady, Operator: OpExists}}, 0, true},
		{"negative is now", []Taint{noExec}, []Toleration{{Key: KeyNodeNotReady, Operator: OpExists, TolerationSeconds: secs(-5)}}, 0, true},
		// upstream's GetMatchingTolerations: the first tolerating toleration
		// of each taint is the one used
		{"first tolerating toleration is used", []Taint{noExec}, []Toleration{
			{Operator: OpExists}, // every taint, forever
			{Key: KeyNodeNotReady, Operator: OpExists, TolerationSeconds: secs(10)},
		}, 0, false},
		{"a later shorter toleration does not shorten", []Taint{noExec}, []Toleration{
			{Key: KeyNodeNotReady, Operator: OpExists, TolerationSeconds: secs(300)},
			{Operator: OpExists, TolerationSeconds: secs(10)},
		}, 300 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := EvictionDelay(tc.taints, tc.tols)
			assert.Equal(t, tc.evict, ok)
			assert.Equal(t, tc.delay, d)
		})
	}
	now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	at, ok := EvictionTime([]Taint{noExec}, []Toleration{{Key: KeyNodeNotReady, Operator: OpExists, TolerationSeconds: secs(30)}}, now)
	require.True(t, ok)
	assert.Equal(t, now.Add(30*time.Second), at)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"k=v:NoSchedule", "k:NoExecute", "a/b=c:PreferNoSchedule", "k=:NoSchedule", ":", "=:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		taint, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(taint.String())
		if err != nil || again != taint {
			t.Fatalf("Parse(%q) = %+v does not round-trip via %q: %+v, %v", s, taint, taint.String(), again, err)
		}
	})
}
