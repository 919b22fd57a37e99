package cluster

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in    string
		milli int64
		str   string
	}{
		{"100m", 100, "100m"},
		{"0.5", 500, "500m"},
		{".5", 500, "500m"},
		{"5.", 5000, "5"},
		{"1", 1000, "1"},
		{"0", 0, "0"},
		{"200Mi", 200 << 20 * 1000, "200Mi"},
		{"1Gi", 1 << 30 * 1000, "1Gi"},
		{"1.5Gi", 1536 << 20 * 1000, "1536Mi"},
		{"1e3", 1000 * 1000, "1e3"},
		{"1E3", 1000 * 1000, "1e3"},
		{"1k", 1000 * 1000, "1k"},
		{"2M", 2e6 * 1000, "2M"},
		{"128974848", 128974848000, "128974848"},
		{"129e6", 129e6 * 1000, "129e6"},
		{"123Mi", 123 << 20 * 1000, "123Mi"},
		{"0.1m", 1, "1m"},
		{"1n", 1, "1m"},
		{"-1", -1000, "-1"},
		{"+2", 2000, "2"},
		{"1Ti", 1 << 40 * 1000, "1Ti"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			q, err := ParseQuantity(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.milli, q.MilliValue())
			assert.Equal(t, tc.str, q.String())
			again, err := ParseQuantity(q.String())
			require.NoError(t, err)
			assert.Equal(t, q.MilliValue(), again.MilliValue())
		})
	}
	for _, bad := range []string{"", "m", "1.2.3", "1x", "1Kb", "Mi", "1e", "1ee3", "10Ei", "--1", "1 Gi"} {
		_, err := ParseQuantity(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, int64(1), MustParseQuantity("1m").Value(), "Value rounds up")
	assert.Equal(t, int64(209715200), MustParseQuantity("200Mi").Value())
}

func TestResourceListJSON(t *testing.T) {
	l := Resources("memory", "200Mi", "cpu", "100m")
	assert.Equal(t, "cpu=100m,memory=200Mi", l.String())
	b, err := json.Marshal(l)
	require.NoError(t, err)
	assert.Equal(t, `{"cpu":"100m","memory":"200Mi"}`, string(b))
	var back ResourceList
	require.NoError(t, json.Unmarshal([]byte(`{"memory":"1Gi","cpu":2,"pods":"110"}`), &back))
	assert.Equal(t, "cpu=2,memory=1Gi,pods=110", back.String())
	err = json.Unmarshal([]byte(`{"memory":"lots"}`), &back)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "memory: quantities must match")
	assert.Equal(t, int64(100), l.Milli(ResourceCPU))
	assert.Equal(t, "cpu=100m,ephemeral-storage=1Gi,memory=200Mi", l.With(ResourceEphemeralStorage, MustParseQuantity("1Gi")).String())
	assert.Equal(t, "cpu=100m,memory=200Mi", l.String(), "With does not modify the receiver")
}

func TestIntOrStringScaledValue(t *testing.T) {
	tests := []struct {
		v       IntOrString
		total   int
		up, dn  int
		wantErr bool
	}{
		{FromInt(3), 10, 3, 3, false},
		{FromString("10%"), 5000, 500, 500, false},
		{FromString("10%"), 15, 2, 1, false},
		{FromString("1%"), 1, 1, 0, false},
		{FromString("abc"), 10, 0, 0, true},
		{FromString("x%"), 10, 0, 0, true},
	}
	for _, tc := range tests {
		up, err := tc.v.ScaledValue(tc.total, true)
		if tc.wantErr {
			assert.Error(t, err)
			continue
		}
		require.NoError(t, err)
		dn, _ := tc.v.ScaledValue(tc.total, false)
		assert.Equal(t, tc.up, up, tc.v.String())
		assert.Equal(t, tc.dn, dn, tc.v.String())
	}
	var v IntOrString
	require.NoError(t, json.Unmarshal([]byte(`"25%"`), &v))
	assert.Equal(t, FromString("25%"), v)
	require.NoError(t, json.Unmarshal([]byte(`2`), &v))
	assert.Equal(t, FromInt(2), v)
}
