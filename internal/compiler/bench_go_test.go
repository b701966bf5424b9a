package compiler_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// benchGoPrograms is how many Go dashboards programs BenchmarkCompileGo
// compiles: PYROBUILD_BENCH_GO_N, or a handful, so that `make test` (every
// benchmark once) stays quick. The figure is 50:
//
//	PYROBUILD_BENCH_GO_N=50 go test ./internal/compiler -run '^$' -bench CompileGo -benchtime 3x
func benchGoPrograms(b *testing.B) int {
	if s := os.Getenv("PYROBUILD_BENCH_GO_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("PYROBUILD_BENCH_GO_N=%q: want a positive number", s)
		}
		return n
	}
	return 4
}

// writeGoPrograms writes n dashboards programs (two FlameChart panels each,
// as the CUE and YAML benchmarks' dashboards) into a module that requires
// pyrobuild from this checkout, one main package per folder; the first
// also emits the project and its default datasource. nonce goes into every
// program, so a new nonce makes Go's own build cache miss too.
func writeGoPrograms(b *testing.B, dir string, n int, nonce string) []string {
	b.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	write := func(p, text string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write(filepath.Join(dir, "go.mod"), "module example.com/bench\n\ngo 1.26.0\n\nrequire github.com/pyrobuild/pyrobuild v0.0.0\n\nreplace github.com/pyrobuild/pyrobuild => "+filepath.ToSlash(root)+"\n")
	var dirs []string
	for i := range n {
		name := fmt.Sprintf("svc-%05d", i)
		extra := ""
		if i == 0 {
			extra = "\n\t\tdac.Project(\"bench-go\"),\n\t\tdac.Datasource(\"bench-go\", \"pyroscope\", dac.Default(), dac.DirectURL(\"http://pyroscope.example.com:4040\")),"
		}
		write(filepath.Join(dir, name, "main.go"), fmt.Sprintf(`// Dashboard of %[1]s (build %[2]s).
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(%[3]s
		dac.Dashboard("bench-go", %[1]q,
			dac.Display("Service %[1]s"),
			dac.Row(2, 12,
				dac.FlameChart("cpu", dac.Display("CPU"),
					dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(`+"`"+`{service_name=%[1]q, env="prod"}`+"`"+`))),
				dac.FlameChart("memory", dac.Display("Memory"),
					dac.ProfileQuery(dac.ProfileType("memory"), dac.Query(`+"`"+`{service_name=%[1]q, env="prod"}`+"`"+`))),
			),
		),
	)
}
`, name, nonce, extra))
		dirs = append(dirs, filepath.Join(dir, name))
	}
	return dirs
}

// goRunEach runs `go run main.go` in each folder, one after the other, as
// `percli dac build` does for each Go file, and returns how long it took.
func goRunEach(b *testing.B, dirs []string) time.Duration {
	b.Helper()
	start := time.Now()
	for _, d := range dirs {
		cmd := exec.Command("go", "run", "main.go")
		cmd.Dir = d
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go run in %s: %v\n%s", d, err, out)
		}
	}
	return time.Since(start)
}

// BenchmarkCompileGo compares, in the same run, pyrobuild compiling N Go
// dashboards programs with a cold cache (each program built) and a warm
// one (no change: nothing built), against `go run` per program,
// sequentially (percli's method), with changed programs (cold: Go compiles
// and links each) and unchanged ones (warm: Go's cache has the binaries
// but go run still loads the module and checks every input). The metrics
// *-ms are per compilation of all N; speedup-* divide go run's time by
// pyrobuild's.
func BenchmarkCompileGo(b *testing.B) {
	needGo(b)
	if _, err := compiler.LoadSchema(); err != nil {
		b.Fatal(err)
	}
	n := benchGoPrograms(b)
	dir := b.TempDir()
	var cold, warm, runCold, runWarm time.Duration
	iter := 0
	for b.Loop() {
		iter++
		dirs := writeGoPrograms(b, dir, n, fmt.Sprintf("%d-%d-pyrobuild", time.Now().UnixNano(), iter))
		opts := compiler.Options{Paths: []string{dir}, GoCache: b.TempDir()}
		compile := func(wantBuilds int) time.Duration {
			start := time.Now()
			res, err := compiler.Compile(context.Background(), opts)
			took := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if res.Diagnostics.HasErrors() || len(res.Resources) != n+2 {
				b.Fatalf("compiled %d resources, want %d: %v", len(res.Resources), n+2, res.Diagnostics)
			}
			if res.GoBuilds != wantBuilds {
				b.Fatalf("built %d programs, want %d", res.GoBuilds, wantBuilds)
			}
			return took
		}
		cold += compile(n)
		warm += compile(0)
		writeGoPrograms(b, dir, n, fmt.Sprintf("%d-%d-go-run", time.Now().UnixNano(), iter))
		runCold += goRunEach(b, dirs)
		runWarm += goRunEach(b, dirs)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(iter) }
	b.ReportMetric(0, "ns/op") // the four timings below are what matters
	b.ReportMetric(float64(n), "programs")
	b.ReportMetric(ms(cold), "cold-ms")
	b.ReportMetric(ms(warm), "warm-ms")
	b.ReportMetric(ms(runCold), "gorun-cold-ms")
	b.ReportMetric(ms(runWarm), "gorun-warm-ms")
	b.ReportMetric(float64(runCold)/float64(cold), "speedup-cold")
	b.ReportMetric(float64(runWarm)/float64(warm), "speedup-warm")
}
