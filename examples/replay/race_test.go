//go:build race

package main

// raceEnabled: the race detector makes the 29-day replay take minutes.
const raceEnabled = true
