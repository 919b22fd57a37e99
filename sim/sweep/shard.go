package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// ShardMode says how a Shard picks its runs.
type ShardMode int

const (
	// Modulo: shard i of n runs the runs whose index is i mod n.
	Modulo ShardMode = iota
	// Blocks: shard i of n runs the indexes [i·N/n, (i+1)·N/n) of N runs.
	Blocks
)

// String is "modulo" or "blocks".
func (m ShardMode) String() string {
	if m == Blocks {
		return "blocks"
	}
	return "modulo"
}

// ParseShardMode parses "modulo" or "blocks".
func ParseShardMode(s string) (ShardMode, error) {
	switch s {
	case "modulo":
		return Modulo, nil
	case "blocks":
		return Blocks, nil
	}
	return 0, fmt.Errorf("%q is not a shard mode (modulo, blocks)", s)
}

// Shard is part i of n of a sweep (Index i, Count n, 0 ≤ i < n). The
// zero Shard (Count 0) is the whole sweep, as 0/1 is.
type Shard struct {
	Index, Count int
	Mode         ShardMode
}

// String is "i/n".
func (sh Shard) String() string {
	return fmt.Sprintf("%d/%d", sh.Index, max(sh.Count, 1))
}

// ParseShard parses "i/n", 0 ≤ i < n, with mode Modulo. Errors say what
// is wrong with s.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q is not i/n", s)
	}
	i, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return Shard{}, fmt.Errorf("%q: shard index %q is not a number", s, a)
	}
	n, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		return Shard{}, fmt.Errorf("%q: shard count %q is not a number", s, b)
	}
	if n < 1 {
		return Shard{}, fmt.Errorf("shard %s: the count is below 1", s)
	}
	sh := Shard{Index: i, Count: n}
	return sh, sh.validate()
}

func (sh Shard) validate() error {
	if sh.Count == 0 && sh.Index == 0 {
		return nil
	}
	switch {
	case sh.Count < 1:
		return fmt.Errorf("shard %d/%d: the count is below 1", sh.Index, sh.Count)
	case sh.Index < 0 || sh.Index >= sh.Count:
		return fmt.Errorf("shard %d/%d: the index is not between 0 and %d", sh.Index, sh.Count, sh.Count-1)
	case sh.Mode != Modulo && sh.Mode != Blocks:
		return fmt.Errorf("shard %d/%d: unknown mode %d", sh.Index, sh.Count, sh.Mode)
	}
	return nil
}

// The environment variables ShardFromEnv reads.
const (
	// EnvCompletionIndex is set by the Job controller in each pod of an
	// Indexed Job to the pod's completion index.
	EnvCompletionIndex = "JOB_COMPLETION_INDEX"
	// EnvCompletions is the Job's spec.completions; Kubernetes does not
	// set it, the Job manifest must (examples/sweep/job.yaml).
	EnvCompletions = "JOB_COMPLETIONS"
)

// ShardFromEnv returns the shard of a Kubernetes Indexed Job's pod: index
// from JOB_COMPLETION_INDEX, count from count if it is above 0, else from
// JOB_COMPLETIONS. ok is false (and the error nil) when
// JOB_COMPLETION_INDEX is not set. getenv is os.Getenv in a program.
// Errors: a value that is not a number, no count, an index out of range.
func ShardFromEnv(getenv func(string) string, count int) (sh Shard, ok bool, err error) {
	idx := getenv(EnvCompletionIndex)
	if idx == "" {
		return Shard{}, false, nil
	}
	i, err := strconv.Atoi(idx)
	if err != nil {
		return Shard{}, true, fmt.Errorf("%s: %q is not a number", EnvCompletionIndex, idx)
	}
	if count < 1 {
		c := getenv(EnvCompletions)
		if c == "" {
			return Shard{}, true, fmt.Errorf("%s is set but the shard count is not: set %s (the Job's completions) or --shards", EnvCompletionIndex, EnvCompletions)
		}
		if count, err = strconv.Atoi(c); err != nil {
			return Shard{}, true, fmt.Errorf("%s: %q is not a number", EnvCompletions, c)
		}
	}
	sh = Shard{Index: i, Count: count}
	return sh, true, sh.validate()
}

// Contains reports whether run index of a sweep of total runs is in the
// shard. O(1).
func (sh Shard) Contains(index, total int) bool {
	if sh.Count <= 1 {
		return true
	}
	if sh.Mode == Blocks {
		lo, hi := sh.Index*total/sh.Count, (sh.Index+1)*total/sh.Count
		return index >= lo && index < hi
	}
	return index%sh.Count == sh.Index
}

// Select returns the runs of all (a sweep's runs, in index order) that are
// in the shard, in index order. The n shards of a count n select every run
// exactly once between them (a shard may select none, when n exceeds the
// runs). The slice is new; the Runs are shared with all. Errors: a bad
// shard. O(len(all)).
func (sh Shard) Select(all []Run) ([]Run, error) {
	if err := sh.validate(); err != nil {
		return nil, err
	}
	var out []Run
	for _, r := range all {
		if sh.Contains(r.Index, len(all)) {
			out = append(out, r)
		}
	}
	return out, nil
}
