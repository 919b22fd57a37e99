// Package conformance runs daemonsim's selector, taint and node-affinity
// functions beside the upstream Kubernetes code they mirror (k8s.io/*
// v0.37.1, Kubernetes v1.37.1) on generated inputs, and fails on any
// difference not listed in the package docs of selector and taints.
//
// It is a separate module so that the library's go.mod never carries a
// Kubernetes dependency. Run it alone with:
//
//	cd conformance && go test ./...
//
// CONFORMANCE_N sets the number of generated inputs per comparison
// (default 100000); CONFORMANCE_SEED the seed (default 1).
package conformance
