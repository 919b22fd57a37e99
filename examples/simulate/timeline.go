package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/scenario"
)

// timeline is a parsed kind: Scenario document.
type timeline = scenario.Timeline

// parseTimelines parses the timeline files among the inputs: at most one,
// alone in its file (a timeline is a document of its own, beside the
// manifests it applies).
func parseTimelines(in *inputs) (*timeline, error) {
	if len(in.timelines) == 0 {
		return nil, nil
	}
	if len(in.timelines) > 1 {
		names := make([]string, len(in.timelines))
		for i, f := range in.timelines {
			names[i] = f.name
		}
		return nil, fmt.Errorf("%s: more than one kind: Scenario file; give one timeline", strings.Join(names, ", "))
	}
	f := in.timelines[0]
	lines := map[int]bool{} // documents by line: a file given twice counts once
	for _, o := range in.first.Objects {
		if o.File == f.name {
			lines[o.Line] = true
		}
	}
	for _, s := range in.first.Skipped {
		if s.File == f.name {
			lines[s.Line] = true
		}
	}
	if docs := len(lines); docs > 1 {
		return nil, fmt.Errorf("%s: a kind: Scenario document must be alone in its file (this one has %d documents); put the manifests in files of their own", f.name, docs)
	}
	tl, err := scenario.ParseTimeline(f.name, f.data)
	if err != nil {
		var te *scenario.TimelineError
		if errors.As(err, &te) {
			return nil, problemsError(te.Problems)
		}
		return nil, err
	}
	return tl, nil
}

// newCluster builds the cluster: a scenario World's when there is a
// timeline (its spec.cluster, if any, applied first: it sets the seed and
// latencies), else sim.NewDefault's.
func newCluster(cfg sim.DefaultConfig, tl *timeline) (*sim.Cluster, *scenario.World, error) {
	if tl == nil {
		c, err := sim.NewDefault(cfg)
		return c, nil, err
	}
	w, err := scenario.NewWorld(scenario.Config{Sim: cfg})
	if err != nil {
		return nil, nil, err
	}
	if tl.Cluster != nil {
		if _, err := w.Exec(*tl.Cluster); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", tl.Cluster.Pos, err)
		}
	}
	return w.Cluster(), w, nil
}

// runTimeline runs tl's nodes and steps on w (its cluster command already
// ran in newCluster), writing what each step prints to out.
func runTimeline(tl *timeline, w *scenario.World, out io.Writer) error {
	rest := *tl
	rest.Cluster = nil
	return rest.Run(w, out)
}

// problemsError is one error of several lines, each printed with "error: ".
type problemsError []string

func (p problemsError) Error() string { return strings.Join(p, "\n") }
