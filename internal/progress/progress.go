// Package progress is the status line the example programs show on
// standard error while a long run goes on: a spinner (github.com/schollz/
// progressbar) with the simulated time reached, the events processed and
// their rate, at most five updates a second, shown only once the run has
// taken a second of wall-clock time (short runs print nothing). It reads
// the wall clock, which is why it writes to standard error only: standard
// output stays the same for the same seed. Programs show it only on a
// terminal (IsTerminal) unless the user asks for it.
package progress

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// IsTerminal reports whether w is an interactive terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Line is the status line; a nil or disabled Line does nothing.
type Line struct {
	bar   *progressbar.ProgressBar // nil when disabled
	began time.Time
	shown bool
}

// New returns a Line on w when show is true, else a Line that does
// nothing.
func New(w io.Writer, show bool) *Line {
	if !show {
		return &Line{}
	}
	return &Line{began: time.Now(), bar: progressbar.NewOptions64(-1,
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

// Update shows the simulated offset and the events so far.
func (p *Line) Update(offset string, events int) { p.Status("simulating: t="+offset, events) }

// Status shows text and the events so far (a sweep's "runs done of
// total, time left").
func (p *Line) Status(text string, events int) {
	if p == nil || p.bar == nil || (!p.shown && time.Since(p.began) < time.Second) {
		return
	}
	p.shown = true
	p.bar.Describe(text)
	_ = p.bar.Set(events) // errors only when the bar is finished
}

// Remaining estimates the wall-clock time left when done of total units
// of work took elapsed: elapsed × (total − done) / done, rounded to a
// second; 0 when nothing is done yet or everything is.
func Remaining(elapsed time.Duration, done, total int) time.Duration {
	if done <= 0 || done >= total {
		return 0
	}
	return (elapsed * time.Duration(total-done) / time.Duration(done)).Round(time.Second)
}

// Done clears the status line.
func (p *Line) Done() {
	if p == nil || p.bar == nil {
		return
	}
	if p.shown {
		_ = p.bar.Clear()
	}
	p.bar = nil
}
