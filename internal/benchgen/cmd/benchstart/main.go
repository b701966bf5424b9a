// Command benchstart times the start of short-lived commands: it runs each
// binary with the same arguments n times, interleaved in a new random order
// each round so that every binary sees the same machine, and prints for
// each the median, 10th and 90th percentile of the wall time of one run,
// the median CPU time (user + system) and the median of its minor page
// faults. Single runs are timed with the clock's resolution, where
// /usr/bin/time counts in 10 ms steps.
//
//	benchstart -n 100 OLD NEW -- --version
//
// Each line of the output is: binary, wall median, p10, p90, CPU median
// (milliseconds), minor page faults.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	n := flag.Int("n", 100, "runs of each binary")
	flag.Parse()
	args := flag.Args()
	i := slices.Index(args, "--")
	if i < 1 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: benchstart [-n N] BINARY... -- ARGS...")
		os.Exit(2)
	}
	bins, cmdArgs := args[:i], args[i+1:]
	wall := make([][]float64, len(bins))
	cpu := make([][]float64, len(bins))
	faults := make([][]float64, len(bins))
	order := make([]int, len(bins))
	for j := range order {
		order[j] = j
	}
	for range *n {
		rand.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, j := range order {
			w, c, f, err := run(bins[j], cmdArgs)
			if err != nil {
				fmt.Fprintf(os.Stderr, "benchstart: %s: %v\n", bins[j], err)
				os.Exit(1)
			}
			wall[j], cpu[j], faults[j] = append(wall[j], w), append(cpu[j], c), append(faults[j], f)
		}
	}
	for j, b := range bins {
		fmt.Printf("%s %.2f %.2f %.2f %.2f %.0f\n", b, quantile(wall[j], .5), quantile(wall[j], .1), quantile(wall[j], .9), quantile(cpu[j], .5), quantile(faults[j], .5))
	}
}

// run runs bin once with its output discarded, and returns its wall and
// CPU milliseconds and its minor page faults.
func run(bin string, args []string) (wall, cpu, faults float64, err error) {
	cmd := exec.Command(bin, args...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, err
	}
	wall = float64(time.Since(start).Microseconds()) / 1e3
	cpu, faults = usage(cmd.ProcessState)
	return wall, cpu, faults, nil
}

// quantile is the q-quantile of xs (nearest rank); it sorts xs.
func quantile(xs []float64, q float64) float64 {
	slices.Sort(xs)
	return xs[int(q*float64(len(xs)-1)+0.5)]
}
