package trace

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// FuzzCSV: no input panics the CSV reader; every error is an *Error; and
// whatever reads, the writer writes back to the same events.
func FuzzCSV(f *testing.F) {
	for _, p := range []string{"testdata/good.csv", "testdata/good.csv.gz"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(hdr + "0s,n1,add,a=b;c-,x:NoSchedule;y-,1.5,1Ki,\n"))
	f.Add([]byte("time,node,event,example.com/gpu\n1e3,n1,add,500m\n"))
	f.Add([]byte("\ufefftime,node,event\n\"0\",n,drain\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewCSVReader("f", bytes.NewReader(data))
		evs, err := ReadAll(r)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			return
		}
		var buf bytes.Buffer
		w := NewCSVWriter(&buf, r.Resources()...)
		for _, ev := range evs {
			if err := ev.Check(); err != nil {
				t.Fatalf("read an event that Check refuses: %s: %v", ev, err)
			}
			if err := w.Write(ev); err != nil {
				t.Fatalf("write %s: %v", ev, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		back, err := ReadAll(NewCSVReader("back", &buf))
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		if !slices.Equal(describeAll(strip(evs)), describeAll(strip(back))) {
			t.Fatalf("round trip:\n%q\nread %q\nback %q", data, describeAll(strip(evs)), describeAll(strip(back)))
		}
	})
}

// FuzzGoogle2011: no input panics the Google 2011 reader; every error is an
// *Error; every event it returns passes Check.
func FuzzGoogle2011(f *testing.F) {
	data, err := os.ReadFile("testdata/machine_events-sample.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("0,1,2,,0.000000000000000001,1.\n"))
	f.Add([]byte("1,1,1,x,,\n0,1,1,x,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewGoogle2011Reader("g", bytes.NewReader(data), Google2011Options{})
		for {
			ev, err := r.Next()
			if err != nil {
				if _, ok := err.(*Error); !ok && err.Error() != "EOF" {
					t.Fatalf("error %v (%T) is not an *Error", err, err)
				}
				return
			}
			if err := ev.Check(); err != nil {
				t.Fatalf("read an event that Check refuses: %s: %v", ev, err)
			}
		}
	})
}

// strip drops where the events were read.
func strip(evs []NodeEvent) []NodeEvent {
	out := slices.Clone(evs)
	for i := range out {
		out[i].File, out[i].Line = "", 0
	}
	return out
}
