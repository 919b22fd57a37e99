// Package sweep runs one scenario over many seeds and parameter values and
// aggregates what the runs measured, with results that do not depend on how
// the work was spread: over goroutines in one process (workers) or over
// processes (shards, such as the pods of a Kubernetes Indexed Job).
//
// # Runs
//
// A Sweep names its parameters, each with its values (strings: "1", "5%",
// "500"), and its seeds. Its runs are the cross product, in a fixed order:
// the first parameter outermost, the seeds innermost, so run i of a sweep
// with P value combinations and S seeds is combination i/S with seed
// Seeds[i%S]. A run's Index is its position in that order, and everything
// else is ordered by it.
//
// Simulate is called once per run with the Run (its index, parameter
// values and seed) and returns the run's figures, named float64 values
// ("rolloutSeconds": 812.3). It must be a pure function of the Run: a run
// builds its own simulation (its own sim.Engine with the Run's seed) and
// shares nothing mutable with other runs. Each simulation stays
// single-threaded; Sweep.Run runs up to workers of them at once, one per
// goroutine, and returns the results in run order whatever the order they
// finished in.
//
// # Shards
//
// A Shard (i/n) selects some of the runs, so that n processes, each given
// a different i, run every run exactly once between them:
//
//   - Modulo (the default): shard i runs the runs whose index is i mod n.
//     The runs of one value combination (which usually cost alike) are
//     spread over the shards, so shards take about the same time.
//   - Blocks: shard i runs one contiguous block of indexes,
//     [i·N/n, (i+1)·N/n) for N runs, so a shard's file covers a range.
//
// ShardFromEnv reads the shard of a Kubernetes Indexed Job's pod from
// JOB_COMPLETION_INDEX (set by the Job controller) and JOB_COMPLETIONS
// (not set by Kubernetes: the Job manifest sets it to spec.completions).
//
// # Results
//
// A Result is one run: the sweep's name and ID (a fingerprint of its
// definition), its number of runs, the run's index, parameters, seed and
// figures. WriteJSONL writes results as JSON
// Lines, one object per line, in the order given; ReadJSONL reads them
// back (errors name file:line and the field). Figures are written with
// the shortest decimal that reads back as the same float64, so results
// read back are equal, bit for bit, to the ones written. Merge combines
// the results of shards into the results of the whole sweep, checking that
// they are of one sweep (name, ID, run count) and that every run is there
// exactly once.
//
// # Aggregates
//
// Aggregate groups results by value combination (groups in run order) and
// gives, per figure, the count, mean, sample standard deviation, the 95%
// confidence interval of the mean (Student's t with count−1 degrees of
// freedom), the nearest-rank p50, p90 and p99 (the smallest value with at
// least p% of the values at or below it, as sim/report's) and the minimum
// and maximum. It sorts the results by index first and sums in that
// order, so the same results give the same bytes (WriteJSON, WriteText)
// whatever the number of workers or shards that made them.
//
// # What is partial
//
//   - The confidence interval assumes the runs' values are independent and
//     about normally distributed; it is 0 for a group of one run (there is
//     no spread to estimate) and is not a statement about skewed figures
//     (use the percentiles).
//   - Bit-for-bit equality holds for one build on one architecture: Go may
//     fuse multiply-adds on some architectures (arm64, ppc64le, s390x), so
//     figures and aggregates may differ in the last bits between them.
//   - A failing run stops the sweep: Run returns the error of the failing
//     run with the lowest index (the same whatever the workers) and no
//     results; there is no retry or partial result. A Job retries the
//     whole shard.
//   - Figures are float64 only and must be finite (JSON has no NaN).
//   - Merge needs every run: a shard that is missing is an error that
//     names the missing runs, not a smaller aggregate.
package sweep
