package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDistributionValidate(t *testing.T) {
	for _, tc := range []struct {
		d       Distribution
		wantErr string
	}{
		{Distribution{}, ""},
		{Fixed(2 * time.Second), ""},
		{Fixed(-time.Nanosecond), "fixed duration -1ns is negative"},
		{Uniform(time.Second, 3*time.Second), ""},
		{Uniform(2*time.Second, 2*time.Second), ""},
		{Uniform(3*time.Second, time.Second), "uniform bounds [3s, 1s] must satisfy 0 <= lo <= hi"},
		{Uniform(-time.Second, time.Second), "uniform bounds [-1s, 1s] must satisfy 0 <= lo <= hi"},
		{LogNormal(2*time.Second, 0.5), ""},
		{LogNormal(2*time.Second, 0), ""},
		{LogNormal(-time.Second, 0.5), "log-normal median -1s and sigma 0.5 must not be negative"},
		{LogNormal(time.Second, -0.5), "log-normal median 1s and sigma -0.5 must not be negative"},
		{LogNormal(time.Second, math.NaN()), "log-normal median 1s and sigma NaN must not be negative"},
		{LogNormal(time.Second, math.Inf(1)), "log-normal median 1s and sigma +Inf must not be negative"},
	} {
		t.Run(tc.d.String(), func(t *testing.T) {
			err := tc.d.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.wantErr)
			}
		})
	}
}

func TestDistributionString(t *testing.T) {
	assert.Equal(t, "fixed(0s)", Distribution{}.String())
	assert.Equal(t, "fixed(2s)", Fixed(2*time.Second).String())
	assert.Equal(t, "uniform(1s,3s)", Uniform(time.Second, 3*time.Second).String())
	assert.Equal(t, "lognormal(2s,0.5)", LogNormal(2*time.Second, 0.5).String())
}

// draws returns n draws of d from a stream seeded with seed.
func draws(d Distribution, seed uint64, n int) []time.Duration {
	r := rand.New(rand.NewPCG(seed, 0))
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d.Draw(r)
	}
	return out
}

func TestDistributionDraw(t *testing.T) {
	const n = 20_001
	t.Run("fixed draws nothing from the stream", func(t *testing.T) {
		r, fresh := rand.New(rand.NewPCG(1, 0)), rand.New(rand.NewPCG(1, 0))
		for range 3 {
			assert.Equal(t, 2*time.Second, Fixed(2*time.Second).Draw(r))
			assert.Equal(t, time.Duration(0), Distribution{}.Draw(r))
			assert.Equal(t, 2*time.Second, Uniform(2*time.Second, 2*time.Second).Draw(r))
		}
		assert.Equal(t, fresh.Uint64(), r.Uint64(), "the stream did not move")
	})
	t.Run("uniform covers [lo, hi]", func(t *testing.T) {
		ds := draws(Uniform(time.Second, 3*time.Second), 1, n)
		var sum time.Duration
		for _, d := range ds {
			require.GreaterOrEqual(t, d, time.Second)
			require.LessOrEqual(t, d, 3*time.Second)
			sum += d
		}
		assert.Less(t, slices.Min(ds), 1001*time.Millisecond)
		assert.Greater(t, slices.Max(ds), 2999*time.Millisecond)
		// the mean of n uniform draws has a standard deviation of
		// (2s/√12)/√n ≈ 4 ms; 20 ms is five of them
		assert.InDelta(t, float64(2*time.Second), float64(sum/n), float64(20*time.Millisecond))
	})
	t.Run("uniform includes both bounds", func(t *testing.T) {
		ds := draws(Uniform(5, 7), 2, 1000)
		for _, want := range []time.Duration{5, 6, 7} {
			assert.Contains(t, ds, want)
		}
		assert.Equal(t, time.Duration(5), slices.Min(ds))
		assert.Equal(t, time.Duration(7), slices.Max(ds))
	})
	t.Run("log-normal has the median and the spread asked for", func(t *testing.T) {
		ds := draws(LogNormal(2*time.Second, 0.5), 3, n)
		slices.Sort(ds)
		// the sample median of n draws lies within about 1% of the
		// median (one standard deviation is 0.5·1.25/√n ≈ 0.44%)
		assert.InEpsilon(t, float64(2*time.Second), float64(ds[n/2]), 0.02)
		// the 84th percentile is median·e^σ
		assert.InEpsilon(t, 2*math.Exp(0.5)*float64(time.Second), float64(ds[n*8413/10000]), 0.03)
		assert.Positive(t, ds[0])
	})
	t.Run("log-normal with sigma 0 is its median", func(t *testing.T) {
		for _, d := range draws(LogNormal(1500*time.Millisecond, 0), 4, 10) {
			assert.Equal(t, 1500*time.Millisecond, d)
		}
	})
	t.Run("log-normal draws are capped at 100 years", func(t *testing.T) {
		limit := 100 * 365 * 24 * time.Hour
		ds := draws(LogNormal(365*24*time.Hour, 50), 5, 200)
		assert.Equal(t, limit, slices.Max(ds))
		for _, d := range ds {
			require.GreaterOrEqual(t, d, time.Duration(0))
		}
	})
	t.Run("truncate rounds every draw down to the unit", func(t *testing.T) {
		raw := draws(Uniform(0, 10*time.Second), 6, 1000)
		cut := draws(Uniform(0, 10*time.Second).Truncate(time.Second), 6, 1000)
		for i := range raw {
			require.Equal(t, raw[i].Truncate(time.Second), cut[i])
		}
		assert.Equal(t, 1500*time.Millisecond, Fixed(1500*time.Millisecond).Truncate(0).Draw(nil))
		assert.Equal(t, time.Second, Fixed(1500*time.Millisecond).Truncate(time.Second).Draw(nil))
	})
}
