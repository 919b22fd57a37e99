package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress is the status line on standard error (github.com/schollz/
// progressbar, a spinner since a run's length in events is not known):
// the simulated time reached, the events processed and their rate, at most
// five updates a second, shown only once the run has taken a second of
// wall-clock time (short runs print nothing), and only on a terminal
// unless asked (--progress always). The bar reads the wall clock, which is
// why it writes to standard error only: standard output stays the same for
// the same seed.
type progress struct {
	bar   *progressbar.ProgressBar // nil when disabled
	began time.Time
	shown bool
}

func newProgress(w io.Writer, when string, terminal bool) *progress {
	if when != "always" && (when != "auto" || !terminal) {
		return &progress{}
	}
	return &progress{began: time.Now(), bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("simulating"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetVisibility(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
	)}
}

// update shows the simulated offset and the events so far.
func (p *progress) update(offset string, events int) {
	if p.bar == nil || (!p.shown && time.Since(p.began) < time.Second) {
		return
	}
	p.shown = true
	p.bar.Describe(fmt.Sprintf("simulating: t=%s", offset))
	_ = p.bar.Set(events) // errors only when the bar is finished
}

// done clears the status line.
func (p *progress) done() {
	if p.bar == nil {
		return
	}
	if p.shown {
		_ = p.bar.Clear()
	}
	p.bar = nil
}
