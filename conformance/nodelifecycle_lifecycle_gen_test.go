package conformance

// The generator of the node lifecycle differential test
// (nodelifecycle_diff_test.go): per seed, two or three nodes of one zone,
// each Ready with a running kubelet and a few ready pods, and a sequence of
// kubelet stops and restarts on the 100 ms grid. Node n1's kubelet never
// stops, so at most two of three nodes are down: the zone stays Normal and
// its eviction limiter is never swapped (see the test's doc).

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// nlEpoch is the controllers' start and the nodes' creation, on both sides.
var nlEpoch = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

// nlKubeletStep stops or starts a node's kubelet at At (from nlEpoch).
type nlKubeletStep struct {
	At   time.Duration
	Node string
	Stop bool
}

func (s nlKubeletStep) String() string {
	verb := "start"
	if s.Stop {
		verb = "stop"
	}
	return fmt.Sprintf("+%s %s-kubelet %s", s.At, verb, s.Node)
}

// nlCase is one generated sequence.
type nlCase struct {
	nodes []string
	pods  map[string][]string // node -> pod names
	steps []nlKubeletStep
}

// nlGenerate returns the sequence for seed.
func nlGenerate(seed uint64) *nlCase {
	r := rand.New(rand.NewPCG(seed, 0x11fec))
	c := &nlCase{pods: map[string][]string{}}
	for i := range 2 + r.IntN(2) {
		n := fmt.Sprintf("n%d", i+1)
		c.nodes = append(c.nodes, n)
		for j := range r.IntN(3) {
			c.pods[n] = append(c.pods[n], fmt.Sprintf("%s-p%d", n, j+1))
		}
	}
	for _, n := range c.nodes[1:] {
		at := time.Duration(0)
		for k := range 1 + r.IntN(3) {
			// stops mostly on whole seconds, sometimes on the passes'
			// and renewals' own instants, sometimes between
			gap := time.Duration(1+r.IntN(90)) * time.Second
			if r.IntN(3) == 0 {
				gap += time.Duration(r.IntN(10)) * 100 * time.Millisecond
			}
			at += gap
			c.steps = append(c.steps, nlKubeletStep{At: at, Node: n, Stop: k%2 == 0})
		}
	}
	slices.SortStableFunc(c.steps, func(a, b nlKubeletStep) int { return int(a.At - b.At) })
	return c
}
