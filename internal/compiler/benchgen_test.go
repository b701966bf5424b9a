package compiler_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// benchSizes are the dashboard counts each compile benchmark runs at. With
// -short only the smallest runs, so `go test -short -bench=.` stays fast.
// PYROBUILD_BENCH_SIZES replaces them ("500 5000"), for profiling a
// compile at another size.
var benchSizes = sizesFromEnv(os.Getenv("PYROBUILD_BENCH_SIZES"), []int{50, 500})

// sizesFromEnv reads a space-separated list of positive counts, or returns
// def when s is empty or not such a list.
func sizesFromEnv(s string, def []int) []int {
	var sizes []int
	for _, f := range strings.Fields(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return def
		}
		sizes = append(sizes, n)
	}
	if len(sizes) == 0 {
		return def
	}
	return sizes
}

// benchRepo writes n generated dashboards into a fresh temporary folder
// with write (benchgen.WriteCUE or benchgen.WriteYAML) and returns it.
func benchRepo(b *testing.B, n int, write func(string, int) error) string {
	b.Helper()
	dir := b.TempDir()
	if err := write(dir, n); err != nil {
		b.Fatalf("generating %d dashboards: %v", n, err)
	}
	return dir
}

// checkBenchResult fails the benchmark unless res holds no error
// diagnostics and exactly the resources of n generated dashboards: n
// dashboards, and a project and a datasource per team.
func checkBenchResult(b *testing.B, res *compiler.Result, err error, n int) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		for i, d := range res.Diagnostics {
			if i == 10 {
				b.Logf("… %d more", len(res.Diagnostics)-i)
				break
			}
			b.Log(d)
		}
		b.Fatalf("compile failed: %s", res.Diagnostics.Summary())
	}
	if want := benchgen.Resources(n); len(res.Resources) != want {
		b.Fatalf("compiled %d resources, want %d", len(res.Resources), want)
	}
	kinds := map[string]int{}
	for _, r := range res.Resources {
		kinds[r.Kind]++
	}
	teams := benchgen.Teams(n)
	if kinds["Dashboard"] != n || kinds["Project"] != teams || kinds["Datasource"] != teams {
		b.Fatalf("compiled %v, want %d Dashboard, %d Project, %d Datasource", kinds, n, teams, teams)
	}
}
