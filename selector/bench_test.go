package selector

import "testing"

// BenchmarkSelectorMatches matches a 10-requirement selector against a
// 12-label set that satisfies it (every requirement is evaluated).
func BenchmarkSelectorMatches(b *testing.B) {
	sel := MustParse("a=1,b!=2,c in (x,y,z),d notin (q),e,!f,g>5,h<100,i==i,j in (1,2,3,4,5)")
	labels := Set{"a": "1", "b": "1", "c": "y", "d": "p", "e": "", "g": "6", "h": "99", "i": "i", "j": "5", "k": "k", "l": "l", "m": "m"}
	if !sel.Matches(labels) {
		b.Fatal("selector should match")
	}
	b.ReportAllocs()
	for b.Loop() {
		if !sel.Matches(labels) {
			b.Fatal("no match")
		}
	}
}

// BenchmarkParse parses a typical kubectl -l selector.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("tier in (web,api),!canary,zone=a,gen>3"); err != nil {
			b.Fatal(err)
		}
	}
}
