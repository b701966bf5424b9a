package compiler_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// BenchmarkCompileCUE compiles N generated CUE dashboards, one package per
// folder (team-TT/svc-NNNNN/dashboard.cue), each importing the schema
// package, plus a project and its default datasource per team of 50
// (team-TT/project.cue): N+N/50 units evaluated in parallel.
// scripts/bench-compile.sh compares the same sources against `cue export`
// once per file.
func BenchmarkCompileCUE(b *testing.B) {
	benchCompile(b, benchgen.WriteCUE)
}

// BenchmarkCompileCUECached recompiles the same N CUE dashboards with a
// Cache that holds them all, as serve and compile --watch do after an edit
// of one file elsewhere: validation and the checks across resources run,
// nothing is evaluated. Compare with BenchmarkCompileCUE.
func BenchmarkCompileCUECached(b *testing.B) {
	benchRecompile(b, func(b *testing.B, dir string) compiler.Options {
		return compiler.Options{Paths: []string{dir}, Cache: compiler.NewCache()}
	}, func(r *compiler.Result) int { return r.Reused })
}

// BenchmarkCompileCUEStored compiles the same N CUE dashboards in a new
// process's way (no Cache in memory) with a unit store that holds them
// all: `pyrobuild compile` run again on an unchanged repository.
func BenchmarkCompileCUEStored(b *testing.B) {
	benchRecompile(b, func(b *testing.B, dir string) compiler.Options {
		return compiler.Options{Paths: []string{dir}, UnitStore: b.TempDir()}
	}, func(r *compiler.Result) int { return r.Stored })
}

// benchRecompile compiles N CUE dashboards once with options, then times
// compiling them again, every unit coming from where reused says.
func benchRecompile(b *testing.B, options func(*testing.B, string) compiler.Options, reused func(*compiler.Result) int) {
	if _, err := compiler.LoadSchema(); err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes {
		if testing.Short() && n > benchSizes[0] {
			continue
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			opts := options(b, benchRepo(b, n, benchgen.WriteCUE))
			res, err := compiler.Compile(context.Background(), opts)
			checkBenchResult(b, res, err, n)
			b.ReportAllocs()
			for b.Loop() {
				res, err := compiler.Compile(context.Background(), opts)
				checkBenchResult(b, res, err, n)
				if reused(res) != res.Units {
					b.Fatalf("%d of %d units reused", reused(res), res.Units)
				}
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perOp*1e3/float64(n), "ms/dashboard")
		})
	}
}

// BenchmarkCompileYAML compiles the same N dashboards written as YAML.
func BenchmarkCompileYAML(b *testing.B) {
	benchCompile(b, benchgen.WriteYAML)
}

func benchCompile(b *testing.B, write func(string, int) error) {
	// The schema is compiled once per process; keep that out of the timings.
	if _, err := compiler.LoadSchema(); err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes {
		if testing.Short() && n > benchSizes[0] {
			continue
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := benchRepo(b, n, write)
			b.ReportAllocs()
			for b.Loop() {
				res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
				checkBenchResult(b, res, err, n)
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(n)/perOp, "dashboards/s")
			b.ReportMetric(perOp*1e3/float64(n), "ms/dashboard")
		})
	}
}
