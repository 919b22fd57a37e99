// Package detlint is a test-only determinism lint over the core packages
// (selector, taints, cluster, daemonset, scheduler, field under them, and the
// controllers under sim that sim wires in: replicaset, nodelifecycle,
// tainteviction, drain, and the run report).
// It type-checks their non-test files and fails on:
//
//   - a range over a map (its order is random);
//   - go statements and select statements;
//   - wall-clock calls: time.Now, Since, Until, Sleep, After, AfterFunc,
//     NewTimer, NewTicker, Tick;
//   - imports of math/rand, math/rand/v2, crypto/rand, sync, os;
//   - imports that break the layering (a leaf importing a higher layer,
//     daemonset and scheduler importing each other or sim).
//
// A line may be excused with a comment "//detlint:allow <reason>" on it;
// the reason is required.
package detlint

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/daemonsim/daemonsim"

// allowedImports lists, per core package, the module packages it may import.
var allowedImports = map[string][]string{
	"field":     {},
	"selector":  {"field"},
	"taints":    {"field", "selector"},
	"cluster":   {"field", "selector", "taints"},
	"daemonset": {"field", "selector", "taints", "cluster"},
	"scheduler": {"field", "selector", "taints", "cluster"},
	// controllers under sim that sim itself wires in: they may not import it
	"sim/replicaset":    {"field", "selector", "taints", "cluster"},
	"sim/nodelifecycle": {"field", "selector", "taints", "cluster"},
	"sim/tainteviction": {"field", "selector", "taints", "cluster"},
	"sim/drain":         {"field", "selector", "taints", "cluster"},
	"sim/report":        {"field", "selector", "taints", "cluster", "daemonset", "scheduler", "sim/tainteviction"},
}

var forbiddenImports = map[string]bool{"math/rand": true, "math/rand/v2": true, "crypto/rand": true, "sync": true, "os": true}

var wallClock = map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true}

// lint returns one finding per violation in the package at dir, in file
// and position order.
func lint(t *testing.T, dir, pkg string) []string {
	t.Helper()
	fset := token.NewFileSet()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var files []*ast.File
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, parser.ParseComments|parser.SkipObjectResolution)
		require.NoError(t, err)
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	_, err = conf.Check(module+"/"+pkg, fset, files, info)
	require.NoError(t, err, "type-checking %s", pkg)

	var findings []string
	for _, f := range files {
		allowed := map[int]bool{}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if rest, ok := strings.CutPrefix(c.Text, "//detlint:allow"); ok && strings.TrimSpace(rest) != "" {
					allowed[fset.Position(c.Pos()).Line] = true
				}
			}
		}
		report := func(n ast.Node, format string, args ...any) {
			pos := fset.Position(n.Pos())
			if allowed[pos.Line] {
				return
			}
			findings = append(findings, fmt.Sprintf("%s:%d: %s", filepath.Join(pkg, filepath.Base(pos.Filename)), pos.Line, fmt.Sprintf(format, args...)))
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if forbiddenImports[path] {
				report(imp, "imports %s", path)
			}
			if rel, ok := strings.CutPrefix(path, module+"/"); ok {
				ok := false
				for _, a := range allowedImports[pkg] {
					ok = ok || rel == a
				}
				if !ok {
					report(imp, "imports %s, which the layering forbids", rel)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.RangeStmt:
				if tv, ok := info.Types[n.X]; ok {
					if _, isMap := tv.Type.Underlying().(*types.Map); isMap {
						report(n, "range over a map")
					}
				}
			case *ast.GoStmt:
				report(n, "go statement")
			case *ast.SelectStmt:
				report(n, "select statement")
			case *ast.SelectorExpr:
				if fn, ok := info.Uses[n.Sel].(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "time" && wallClock[fn.Name()] {
					if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() == nil {
						report(n, "wall clock: time.%s", fn.Name())
					}
				}
			}
			return true
		})
	}
	return findings
}

func TestCorePackagesAreDeterministic(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, pkg := range []string{"field", "selector", "taints", "cluster", "daemonset", "scheduler",
		"sim/replicaset", "sim/nodelifecycle", "sim/tainteviction", "sim/drain", "sim/report"} {
		t.Run(pkg, func(t *testing.T) {
			dir := filepath.Join(root, pkg)
			if _, err := os.Stat(dir); os.IsNotExist(err) {
				t.Skipf("%s does not exist yet", pkg)
			}
			assert.Empty(t, lint(t, dir, pkg))
		})
	}
}

// TestLintCatchesViolations runs the lint on a package written to break
// every rule, so the lint itself can fail.
func TestLintCatchesViolations(t *testing.T) {
	dir := t.TempDir()
	src := `package taints

import (
	"math/rand"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

var _ = cluster.KindNode

func bad(m map[string]int, ch chan int) time.Time {
	for k := range m {
		_ = k
	}
	for k := range m { //detlint:allow sorted later
		_ = k
	}
	for k := range m { //detlint:allow
		_ = k
	}
	go func() {}()
	select {
	case <-ch:
	default:
	}
	_ = rand.Int()
	d := time.Duration(1)
	_ = d.Seconds()
	return time.Now()
}
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.go"), []byte(src), 0o644))
	got := lint(t, dir, "taints")
	want := []string{
		"taints/bad.go:4: imports math/rand",
		"taints/bad.go:7: imports cluster, which the layering forbids",
		"taints/bad.go:13: range over a map",
		"taints/bad.go:19: range over a map",
		"taints/bad.go:22: go statement",
		"taints/bad.go:23: select statement",
		"taints/bad.go:30: wall clock: time.Now",
	}
	assert.Equal(t, want, got)
}
