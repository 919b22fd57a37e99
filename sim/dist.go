package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Distribution is a distribution of durations that a simulated component
// draws from (a pod's start latency, its readiness delay). Build one with
// Fixed, Uniform or LogNormal; the zero value is Fixed(0). Draws use only
// the stream they are given, so one component's draws never shift
// another's, and Fixed draws nothing.
type Distribution struct {
	kind  distKind
	a, b  time.Duration
	sigma float64
	unit  time.Duration // draws are truncated to a multiple of unit when > 0
}

type distKind uint8

const (
	distFixed distKind = iota
	distUniform
	distLogNormal
)

// Fixed always gives d.
func Fixed(d time.Duration) Distribution { return Distribution{kind: distFixed, a: d} }

// Uniform gives a duration uniformly in [lo, hi], to the nanosecond.
func Uniform(lo, hi time.Duration) Distribution { return Distribution{kind: distUniform, a: lo, b: hi} }

// LogNormal gives median·e^(σ·Z) with Z standard normal, rounded to the
// nanosecond: most draws near the median, a long tail of slow ones.
func LogNormal(median time.Duration, sigma float64) Distribution {
	return Distribution{kind: distLogNormal, a: median, sigma: sigma}
}

// Validate reports a distribution that could give a negative duration or
// has bounds in the wrong order.
func (d Distribution) Validate() error {
	switch d.kind {
	case distFixed:
		if d.a < 0 {
			return fmt.Errorf("fixed duration %v is negative", d.a)
		}
	case distUniform:
		if d.a < 0 || d.b < d.a {
			return fmt.Errorf("uniform bounds [%v, %v] must satisfy 0 <= lo <= hi", d.a, d.b)
		}
	case distLogNormal:
		if d.a < 0 || d.sigma < 0 || math.IsNaN(d.sigma) || math.IsInf(d.sigma, 0) {
			return fmt.Errorf("log-normal median %v and sigma %v must not be negative", d.a, d.sigma)
		}
	}
	return nil
}

// Draw returns one duration, drawing from r unless d is Fixed. Log-normal
// draws are capped at 100 years to stay within time.Duration.
func (d Distribution) Draw(r *rand.Rand) time.Duration {
	v := d.draw(r)
	if d.unit > 0 {
		v = v.Truncate(d.unit)
	}
	return v
}

func (d Distribution) draw(r *rand.Rand) time.Duration {
	switch d.kind {
	case distUniform:
		if d.b == d.a {
			return d.a
		}
		return d.a + time.Duration(r.Int64N(int64(d.b-d.a)+1))
	case distLogNormal:
		v := float64(d.a) * math.Exp(d.sigma*r.NormFloat64())
		if v > float64(100*365*24*time.Hour) {
			return 100 * 365 * 24 * time.Hour
		}
		return time.Duration(math.Round(v))
	}
	return d.a
}

// String renders "fixed(2s)", "uniform(1s,3s)" or "lognormal(2s,0.5)".
func (d Distribution) String() string {
	switch d.kind {
	case distUniform:
		return fmt.Sprintf("uniform(%v,%v)", d.a, d.b)
	case distLogNormal:
		return fmt.Sprintf("lognormal(%v,%g)", d.a, d.sigma)
	}
	return fmt.Sprintf("fixed(%v)", d.a)
}

// Truncate returns d with every draw rounded down to a multiple of unit
// (as Kubernetes timestamps, which have second precision, would show them);
// pods whose draws fall in the same unit then change state at the same
// instant. A unit of 0 or less leaves d as is.
func (d Distribution) Truncate(unit time.Duration) Distribution {
	d.unit = unit
	return d
}
