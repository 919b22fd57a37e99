package conformance

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

func count() int {
	if n, err := strconv.Atoi(os.Getenv("CONFORMANCE_N")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

func newRand(t *testing.T, stream uint64) *rand.Rand {
	seed := uint64(1)
	if s, err := strconv.ParseUint(os.Getenv("CONFORMANCE_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed=%d (set CONFORMANCE_SEED to change)", seed)
	return rand.New(rand.NewPCG(seed, stream))
}

// The pools hold the hard cases: empty strings, keywords as keys and
// values, prefixed keys, bad keys, integers and non-integers.
var (
	keys   = []string{"a", "b", "zone", "in", "notin", "example.com/k", "k8s.io/x", "", "-bad", "a/b/c", "/x", "UPPER.case_1"}
	values = []string{"", "x", "y", "1", "10", "-3", "in", "notin", "a.b", "-bad", "007", "99999999999999999999"}
)

func pick[T any](r *rand.Rand, pool []T) T { return pool[r.IntN(len(pool))] }

// labelSet returns a random label set over the key and value pools.
func labelSet(r *rand.Rand) map[string]string {
	m := map[string]string{}
	for range r.IntN(4) {
		m[pick(r, keys)] = pick(r, values)
	}
	return m
}

// selectorString returns a string made of selector tokens, mostly
// well-formed but often broken.
func selectorString(r *rand.Rand) string {
	tokens := []string{"=", "==", "!=", "!", "(", ")", ",", ">", "<", " in ", " notin ", " ", "\t"}
	var b strings.Builder
	if r.IntN(3) > 0 {
		// a plausible selector of 1..3 requirements
		for i := range 1 + r.IntN(3) {
			if i > 0 {
				b.WriteString(pick(r, []string{",", ", ", ",,", " ,"}))
			}
			k := pick(r, keys)
			switch r.IntN(8) {
			case 0:
				b.WriteString(k)
			case 1:
				b.WriteString("!" + k)
			case 2, 3:
				b.WriteString(k + pick(r, []string{"=", "==", "!=", ">", "<"}) + pick(r, values))
			default:
				b.WriteString(k + pick(r, []string{" in ", " notin ", " in", "in "}) + "(")
				for j := range r.IntN(4) {
					if j > 0 {
						b.WriteString(pick(r, []string{",", ",,", " , "}))
					}
					b.WriteString(pick(r, values))
				}
				b.WriteString(pick(r, []string{")", ")", ",)", ""}))
			}
		}
		return b.String()
	}
	for range r.IntN(8) {
		if r.IntN(2) == 0 {
			b.WriteString(pick(r, tokens))
		} else {
			b.WriteString(pick(r, append(keys, values...)))
		}
	}
	return b.String()
}
