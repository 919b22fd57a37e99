package sweep

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Param is one swept parameter: its name and its values, in the order
// the runs take them.
type Param struct {
	Name   string
	Values []string
}

// Value is one parameter's value in a run.
type Value struct {
	Name  string
	Value string
}

// Values are a run's parameter values, in the sweep's parameter order.
type Values []Value

// Get returns the value of the parameter name, and whether there is one.
// O(parameters).
func (vs Values) Get(name string) (string, bool) {
	for _, v := range vs {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// String is "name=value,name=value" in parameter order ("" for none):
// the key Aggregate groups by.
func (vs Values) String() string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.Name)
		b.WriteByte('=')
		b.WriteString(v.Value)
	}
	return b.String()
}

// Figures are a run's measured values by name. Every value must be finite.
type Figures map[string]float64

// Run is one run of a sweep: what Simulate is given.
type Run struct {
	// Index is the run's position in the sweep's cross product, from 0.
	Index int
	// Params are the run's parameter values, in Sweep.Params order.
	Params Values
	// Seed is the run's seed, one of Sweep.Seeds.
	Seed uint64
}

// Param returns the value of the parameter name ("" if the sweep has no
// such parameter).
func (r Run) Param(name string) string {
	v, _ := r.Params.Get(name)
	return v
}

// String names the run in errors: "run 3 (maxUnavailable=5%, seed 4)".
func (r Run) String() string {
	if len(r.Params) == 0 {
		return fmt.Sprintf("run %d (seed %d)", r.Index, r.Seed)
	}
	return fmt.Sprintf("run %d (%s, seed %d)", r.Index, r.Params, r.Seed)
}

// Sweep is a scenario run over the cross product of parameter values and
// seeds.
type Sweep struct {
	// Name names the sweep in its results; Merge refuses to combine results
	// of sweeps with different names.
	Name string
	// Params are the swept parameters, the first outermost. None: the runs
	// are the seeds alone.
	Params []Param
	// Seeds are the seeds each value combination is run with, innermost.
	Seeds []uint64
	// Simulate runs one run and returns its figures. It is called from
	// several goroutines at once (one run each) and must not share mutable
	// state between runs; its result must depend on the Run alone.
	// An error or a panic fails the run.
	Simulate func(r Run) (Figures, error)
}

// ID is a fingerprint of the sweep's definition: 16 hex digits of the
// FNV-1a hash of its name, parameters, values and seeds, in order. Each
// Result carries it, so that Merge refuses shards of two definitions
// (other flags) even when their names and run counts agree. It does not
// see Simulate: results of two versions of a program that define the
// same sweep have the same ID. O(size of the definition).
func (s *Sweep) ID() string {
	h := fnv.New64a()
	str := func(v string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.Write([]byte(v))
	}
	str(s.Name)
	for _, p := range s.Params {
		str(p.Name)
		for _, v := range p.Values {
			str(v)
		}
		str("") // ends the values
	}
	for _, seed := range s.Seeds {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], seed)
		h.Write(n[:])
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// Seeds returns the seeds first, first+1, ..., first+n−1.
func Seeds(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// validate checks the sweep's definition; errors name the field.
func (s *Sweep) validate() error {
	var errs []error
	if s.Simulate == nil {
		errs = append(errs, errors.New("sweep: Simulate: not set"))
	}
	if len(s.Seeds) == 0 {
		errs = append(errs, errors.New("sweep: Seeds: none"))
	}
	seen := map[uint64]bool{}
	for i, seed := range s.Seeds {
		if seen[seed] {
			errs = append(errs, fmt.Errorf("sweep: Seeds[%d]: %d is given twice", i, seed))
		}
		seen[seed] = true
	}
	names := map[string]bool{}
	for i, p := range s.Params {
		switch {
		case p.Name == "":
			errs = append(errs, fmt.Errorf("sweep: Params[%d].Name: empty", i))
		case names[p.Name]:
			errs = append(errs, fmt.Errorf("sweep: Params[%d].Name: %q is given twice", i, p.Name))
		}
		names[p.Name] = true
		if len(p.Values) == 0 {
			errs = append(errs, fmt.Errorf("sweep: Params[%d].Values: none", i))
		}
		vals := map[string]bool{}
		for j, v := range p.Values {
			if vals[v] {
				errs = append(errs, fmt.Errorf("sweep: Params[%d].Values[%d]: %q is given twice", i, j, v))
			}
			vals[v] = true
		}
	}
	return errors.Join(errs...)
}

// Runs returns the sweep's runs in index order: the cross product of the
// parameters' values (first parameter outermost) and the seeds
// (innermost). The slice is new and the caller's. Errors: a sweep with
// no Simulate, no seeds, a parameter with no name or no values, or a name,
// value or seed given twice. Cost: O(runs × parameters).
func (s *Sweep) Runs() ([]Run, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	n := len(s.Seeds)
	for _, p := range s.Params {
		n *= len(p.Values)
	}
	runs := make([]Run, 0, n)
	var walk func(depth int, prefix Values)
	walk = func(depth int, prefix Values) {
		if depth == len(s.Params) {
			for _, seed := range s.Seeds {
				runs = append(runs, Run{Index: len(runs), Params: append(Values(nil), prefix...), Seed: seed})
			}
			return
		}
		p := s.Params[depth]
		for _, v := range p.Values {
			walk(depth+1, append(prefix, Value{Name: p.Name, Value: v}))
		}
	}
	walk(0, nil)
	return runs, nil
}

// Run runs every run of the sweep on up to workers goroutines (below 1:
// runtime.GOMAXPROCS(0)) and returns the results in run order. It is
// RunShard with the whole sweep and no progress.
func (s *Sweep) Run(workers int) ([]Result, error) {
	return s.RunShard(Shard{}, workers, nil)
}

// RunShard runs the runs shard selects (the zero Shard: all) on up to
// workers goroutines (below 1: runtime.GOMAXPROCS(0)), one run per
// goroutine at a time, handing the runs out in index order, and returns
// their results in index order, whatever order they finished in.
//
// progress, if not nil, is called after each run finishes with the runs
// done and the runs selected; it is called from the calling goroutine
// only, one call at a time, in the order runs finish (which varies), so it
// must not decide anything that goes in a result.
//
// Errors: the sweep's definition (see Runs), a bad shard, or a failed run.
// When a run fails (an error, a panic, or a figure that is not finite),
// no further run is started; RunShard waits for the runs under way and
// returns the error of the failed run with the lowest index, which is the
// same whatever the number of workers (runs are handed out in order, so
// every run before it has run), and no results.
func (s *Sweep) RunShard(shard Shard, workers int, progress func(done, total int)) ([]Result, error) {
	all, err := s.Runs()
	if err != nil {
		return nil, err
	}
	runs, err := shard.Select(all)
	if err != nil {
		return nil, err
	}
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(runs), 1))

	type done struct {
		pos int
		res Result
		err error
	}
	id := s.ID()
	jobs := make(chan int)
	out := make(chan done)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() { //detlint:allow one simulation per goroutine; results are placed by index
			defer wg.Done()
			for pos := range jobs {
				res, err := s.one(runs[pos], id, len(all))
				if err != nil {
					stop.Store(true)
				}
				out <- done{pos: pos, res: res, err: err}
			}
		}()
	}
	go func() { //detlint:allow the feeder hands runs out in index order
		defer close(jobs)
		for pos := range runs {
			if stop.Load() {
				return
			}
			jobs <- pos
		}
	}()
	go func() { //detlint:allow closes out once every worker is done
		wg.Wait()
		close(out)
	}()

	results := make([]Result, len(runs))
	var failed *done
	finished := 0
	for d := range out {
		finished++
		if d.err != nil {
			if failed == nil || d.pos < failed.pos {
				failed = &d
			}
			continue
		}
		results[d.pos] = d.res
		if progress != nil {
			progress(finished, len(runs))
		}
	}
	if failed != nil {
		return nil, failed.err
	}
	return results, nil
}

// one runs r, turning a panic into an error.
func (s *Sweep) one(r Run, id string, total int) (res Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: panic: %v", r, v)
		}
	}()
	figs, err := s.Simulate(r)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", r, err)
	}
	names := make([]string, 0, len(figs))
	for name := range figs { //detlint:allow sorted below
		names = append(names, name)
	}
	sort.Strings(names)
	copied := make(Figures, len(figs))
	for _, name := range names {
		v := figs[name]
		if name == "" {
			return Result{}, fmt.Errorf("%s: figures: a figure with no name", r)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, fmt.Errorf("%s: figures.%s: %v is not finite", r, name, v)
		}
		copied[name] = v
	}
	return Result{Sweep: s.Name, ID: id, Runs: total, Index: r.Index, Params: r.Params, Seed: r.Seed, Figures: copied}, nil
}

// Verify checks that results belong to s: each result's sweep name, ID,
// run count, parameters and seed are those of the run with its index. Use it
// after Merge to catch shard files written by another sweep definition
// (other flags). Errors name the first mismatching result. O(results ×
// parameters).
func (s *Sweep) Verify(results []Result) error {
	runs, err := s.Runs()
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Index < 0 || r.Index >= len(runs) {
			return fmt.Errorf("result of run %d: the sweep has %d runs", r.Index, len(runs))
		}
		want := runs[r.Index]
		switch {
		case r.Sweep != s.Name:
			return fmt.Errorf("result of run %d: sweep %q, not %q", r.Index, r.Sweep, s.Name)
		case r.ID != s.ID():
			return fmt.Errorf("result of run %d: sweep ID %s, not %s (another definition)", r.Index, r.ID, s.ID())
		case r.Runs != len(runs):
			return fmt.Errorf("result of run %d: a sweep of %d runs, not %d", r.Index, r.Runs, len(runs))
		case r.Params.String() != want.Params.String():
			return fmt.Errorf("result of run %d: params %s, not %s", r.Index, r.Params, want.Params)
		case r.Seed != want.Seed:
			return fmt.Errorf("result of run %d: seed %d, not %d", r.Index, r.Seed, want.Seed)
		}
	}
	return nil
}
