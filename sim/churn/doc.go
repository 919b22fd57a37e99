// Package churn generates node churn: node events (package sim/trace's
// NodeEvent) for a replay (Replayer) to drive a simulation with, exactly
// as a trace read from a file would. Each generator models one kind of churn:
//
//   - Steady: nodes joining (a Poisson process, per hour) and leaving (each
//     node at a rate per node-hour).
//   - Crash: crashes and reboots, fail then recover after a downtime drawn
//     from a sim.Distribution.
//   - KubeletStop: stop-kubelet, and with a return probability
//     start-kubelet after a drawn time.
//   - Correlated: whole failure domains (the nodes sharing a label value,
//     a rack or a zone) failing at one instant, with a chance of a second
//     failure of the same domain within a window of its recovery.
//   - Maintenance: rolling maintenance, drain, reboot and uncordon, a
//     fraction of the nodes at a time.
//   - Burst: scale-up bursts of new nodes that a scale-down removes later.
//
// # Usage
//
//	e, _ := sim.New(sim.Config{Seed: 42})
//	res, err := churn.Generate(e.Rand, churn.NodesOf(e.View()), 24*time.Hour,
//		churn.DefaultSteady(n), churn.DefaultCrash(), churn.DefaultCorrelated(racks))
//	if err != nil { ... } // generators[1].downtime: Invalid value: ...
//	src := churn.NewSource(res.Events) // a Source, as a *trace.Reader is
//
// A Replayer drives a cluster through a Source, generated or read from a
// trace file, streaming it one event ahead:
//
//	c, _ := sim.NewDefault(cfg)
//	rp := churn.NewReplayer(c, src, churn.ReplayOptions{})
//	err := rp.RunUntil(sim.Epoch.Add(24 * time.Hour)) // instead of c.RunUntil
//
// Store events become the changes trace.NodeEvent.Changes gives;
// stop-kubelet and start-kubelet go to Cluster.StopKubelet and
// StartKubelet, drain to Cluster.Drain (DefaultReplayDrain). An event that
// does not apply when its instant comes (a node added twice, a node that
// is not there) is skipped with a ReplaySkipped Warning note.
//
// # Randomness, order and determinism
//
// A generator draws only from the *rand.Rand it is given, and Generate
// gives each its own stream, rand(g.StreamName()) (Engine.Rand: a
// math/rand/v2 PCG seeded from the engine's seed and the stream's name;
// "churn/steady", "churn/crash", ... by default). So the same seed gives
// the same events, byte for byte; and adding, removing or reordering a
// generator does not move another's draws (TestStreamsIndependent). Two
// generators of one kind need two Stream names, and Generate refuses two
// on one stream.
//
// Generate's output is sorted by time; at the same time by the order of
// the generators passed to it, then by the order each made its events; the
// index in the slice is the sequence number. It leaves out (Result.Dropped)
// what another generator made impossible: an event for a node not there at
// that time, an add of a node that is. Ties within a generator are broken
// by node name (Correlated's domains) or by the order of the draws. No map
// is iterated to decide anything; no clock is read.
//
// # Default rates and where they come from
//
// The defaults that are measurements come from the Google cluster-data
// 2011 trace's machine_events table (clusterdata-2011-2, Google LLC,
// CC-BY 4.0; shipped as data/google-2011-machine_events.csv.gz, see
// data/README.md), one Borg cell of about 12,500 machines over 29 days:
// 37,780 events, 21,443 ADD (12,477 at time 0), 8,957 REMOVE, 7,380
// UPDATE. Counted from that file for this package (TestGoogleFigures
// recounts them):
//
//   - node-hours: 8,684,952 (machines present integrated over 696.15 h,
//     12,476 on average);
//   - REMOVE: 1.03e-3 per node-hour; the ADDs after time 0 (8,966) match
//     them, because 8,860 removed machines (98.9%) come back;
//   - machines new after time 0: 106 (1.22e-5 per node-hour, Steady's
//     arrivals); removed and never back: 97 (1.12e-5, its departures);
//   - time from a REMOVE to the same machine's ADD: median 998 s,
//     quartiles 398 s and 7,138 s, 10th and 90th percentiles 98 s and
//     31,161 s; GoogleDowntime is the log-normal with that median and the
//     quartiles' σ, 2.14 (Crash and Correlated);
//   - REMOVEs grouped into bursts (each within 120 s of the one before it:
//     the window Ford et al. use, below): 53 bursts of 10 or more machines
//     (median 13, mean 25, the largest 168), holding 1,329 REMOVEs; 0.0761
//     bursts an hour (Correlated, spread over the domains); 22 of the 52
//     followed by another within an hour of their end (42%, Correlated's
//     second failure). At this cell's REMOVE rate, 12.9 an hour, chance
//     alone puts two REMOVEs within 120 s a third of the time, so only the
//     large bursts are counted as correlated;
//   - the other REMOVEs, 8,957 − 1,329 − 97 = 7,531, are 8.67e-4 per
//     node-hour: Crash's rate, so that Crash and Correlated together give
//     the trace's REMOVE rate.
//
// The trace says nothing of racks (its machines have no location), so a
// burst's domain is an assumption: Ford, Labelle, Popovici, Stokely,
// Truong, Barroso, Grimes and Quinlan, "Availability in Globally
// Distributed Storage Systems", OSDI 2010, a year of Google's storage
// nodes, find that a large fraction of node failures come in bursts and
// that most large bursts are of a rack or of several racks; that is why
// Correlated's default domain is the rack label (trace.LabelRack, which the
// Google reader's LabelScheme gives every machine). The 120 s window is
// the burst window of their section 4 as recalled here; the paper's text
// was not at hand to check it when this was written. No other number is
// taken from the paper.
//
// The other defaults are assumptions, not measurements, said so in each
// Default function: kubelet stops (DefaultKubeletStop: 1e-4 per node-hour,
// 90% return after a median 5 minutes), maintenance (DefaultMaintenance:
// waves of 10%, a 10-minute drain, 2 to 5 minute reboots) and bursts
// (DefaultBurst: every 6 hours, 5-10% of the nodes, an hour's life).
//
// # Cost
//
// A generator's cost grows with the events it makes, not with the nodes:
// picks are O(1) from a pool, follow-ups wait in a heap (O(log pending)),
// and nothing scans the nodes per event. The events are made up front
// (memory O(events)). 29 days of every default generator on 12,500 nodes
// in 320 racks (the 2011 cell's size), seed 1, are 273,231 events: Steady
// 186, Crash 14,928, KubeletStop 1,571, Correlated 5,780, Maintenance
// 50,000 (one round), Burst 200,766; 58 dropped. Generating them takes
// about 0.75 s on one core of a 2-vCPU Xeon VM, about 390,000 events/s
// (BenchmarkGenerate), most of it the bursts' adds and the final sort.
//
// # What is partial
//
//   - Each generator sees the starting nodes and its own additions only:
//     Crash does not crash a node Steady added, and Maintenance does not
//     maintain one. Generate drops what conflicts, it does not reconcile.
//   - Events are made up front for a horizon, not lazily; a follow-up
//     (recovery, restart, removal) at or past the horizon is left out.
//   - Rates are constant: no diurnal cycle, no ageing.
//   - Drain, stop-kubelet and start-kubelet are processes, not store writes
//     (trace.ErrProcess): the replay driver hands them to the controllers
//     that run them. A maintenance reboot does not wait for its drain to
//     finish.
//   - Correlated's domains come from the starting nodes' labels: nodes
//     with no value of the label are never in a correlated failure. A
//     whole domain fails: with the Google reader's 320 racks (about 39
//     machines each) the default fails about 2,900 nodes a month where
//     the trace's large bursts removed 1,329 machines (median burst 13):
//     more nodes per burst than the trace. A finer domain label or a lower
//     rate matches it better; a burst of part of a domain is not modelled.
package churn
