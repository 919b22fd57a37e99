package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Result is one run's outcome, one line of a results file:
//
//	{"sweep":"rollout","id":"8c2f0e6a1b3d4f57","runs":32,"index":3,"params":{"maxUnavailable":"1"},"seed":4,"figures":{"peakUnavailable":1,"rolloutSeconds":5023.1}}
//
// params is an object in the sweep's parameter order; figures an object
// with its names sorted.
type Result struct {
	// Sweep is the sweep's name; Runs its number of runs (all shards).
	// ID is the sweep definition's fingerprint (Sweep.ID).
	Sweep string `json:"sweep"`
	ID    string `json:"id"`
	Runs  int    `json:"runs"`
	// Index, Params and Seed are the run's (see Run).
	Index   int     `json:"index"`
	Params  Values  `json:"params"`
	Seed    uint64  `json:"seed"`
	Figures Figures `json:"figures"`
}

// Run returns the result's run.
func (r Result) Run() Run { return Run{Index: r.Index, Params: r.Params, Seed: r.Seed} }

// MarshalJSON writes vs as one JSON object, names in vs's order.
func (vs Values) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(v.Name)
		val, _ := json.Marshal(v.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object of string values, keeping its order.
// Errors: not an object, a value that is not a string, a name twice.
func (vs *Values) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not an object of parameter values")
	}
	out := Values{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string) // an object's keys are strings
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		v, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%s: %v is not a string", name, tok)
		}
		if _, dup := out.Get(name); dup {
			return fmt.Errorf("%s: given twice", name)
		}
		out = append(out, Value{Name: name, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*vs = out
	return nil
}

// WriteJSONL writes results as JSON Lines, one compact object per line, in
// the order given (normally index order). Errors: w's, or a figure that is
// not finite.
func WriteJSONL(w io.Writer, results []Result) error {
	bw := bufio.NewWriter(w)
	for _, r := range results {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("result of run %d: %w", r.Index, err)
		}
		bw.Write(line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadJSONL reads results written by WriteJSONL, in file order; name
// names the input in errors ("shard-0.jsonl:3: figures: ..."). Blank
// lines are skipped. Errors: a line that is not a result (unknown or
// missing fields, wrong types, index outside [0, runs), a figure that is
// not a number), and r's errors. The results are new and the caller's.
func ReadJSONL(r io.Reader, name string) ([]Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	var out []Result
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		res, err := parseResult(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, res)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// parseResult parses one line.
func parseResult(text []byte) (Result, error) {
	var raw struct {
		Sweep   *string             `json:"sweep"`
		ID      *string             `json:"id"`
		Runs    *int                `json:"runs"`
		Index   *int                `json:"index"`
		Params  *Values             `json:"params"`
		Seed    *uint64             `json:"seed"`
		Figures map[string]*float64 `json:"figures"`
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Result{}, fmt.Errorf("%s: a %s is not a %s", te.Field, te.Value, te.Type)
		}
		return Result{}, err
	}
	if dec.More() {
		return Result{}, errors.New("more than one object on the line")
	}
	var missing []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"sweep", raw.Sweep != nil}, {"id", raw.ID != nil}, {"runs", raw.Runs != nil}, {"index", raw.Index != nil},
		{"params", raw.Params != nil}, {"seed", raw.Seed != nil}, {"figures", raw.Figures != nil}} {
		if !f.set {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Result{}, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	switch {
	case *raw.Runs < 1:
		return Result{}, fmt.Errorf("runs: %d is below 1", *raw.Runs)
	case *raw.Index < 0 || *raw.Index >= *raw.Runs:
		return Result{}, fmt.Errorf("index: %d is not between 0 and %d", *raw.Index, *raw.Runs-1)
	}
	figs := make(Figures, len(raw.Figures))
	for name, v := range raw.Figures { //detlint:allow builds a map; order does not matter
		switch {
		case name == "":
			return Result{}, errors.New("figures: a figure with no name")
		case v == nil:
			return Result{}, fmt.Errorf("figures.%s: null is not a number", name)
		case math.IsNaN(*v) || math.IsInf(*v, 0):
			return Result{}, fmt.Errorf("figures.%s: not finite", name)
		}
		figs[name] = *v
	}
	return Result{Sweep: *raw.Sweep, ID: *raw.ID, Runs: *raw.Runs, Index: *raw.Index, Params: *raw.Params,
		Seed: *raw.Seed, Figures: figs}, nil
}

// Merge combines the results of a sweep's shards (each in any order) into
// the results of the whole sweep, in index order. Errors: results of
// different sweeps (name, ID or run count), a run given twice (two shards
// overlap, or a file was given twice), runs missing (the error names up
// to ten of them). The slice is new; the Results are shared with shards.
// O(R log R) for R results.
func Merge(shards ...[]Result) ([]Result, error) {
	var all []Result
	for _, s := range shards {
		all = append(all, s...)
	}
	if len(all) == 0 {
		return nil, errors.New("merge: no results")
	}
	first := all[0]
	for _, r := range all {
		if r.Sweep != first.Sweep || r.ID != first.ID || r.Runs != first.Runs {
			return nil, fmt.Errorf("merge: results of two sweeps: %q (ID %s) of %d runs and %q (ID %s) of %d runs",
				first.Sweep, first.ID, first.Runs, r.Sweep, r.ID, r.Runs)
		}
	}
	total := first.Runs
	sort.SliceStable(all, func(i, j int) bool { return all[i].Index < all[j].Index })
	var missing []string
	next := 0
	for _, r := range all {
		if r.Index < next {
			return nil, fmt.Errorf("merge: run %d is given twice (shards overlap, or a file is given twice)", r.Index)
		}
		for ; next < r.Index; next++ {
			missing = append(missing, fmt.Sprint(next))
		}
		next = r.Index + 1
	}
	for ; next < total; next++ {
		missing = append(missing, fmt.Sprint(next))
	}
	if len(missing) > 0 {
		n := len(missing)
		if n > 10 {
			missing = append(missing[:10], "...")
		}
		return nil, fmt.Errorf("merge: %d of %d runs missing (a shard not given?): %s", n, total, strings.Join(missing, ", "))
	}
	return all, nil
}
