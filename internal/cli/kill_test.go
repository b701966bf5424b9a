package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

// killScenario is a command whose output folder must survive a SIGKILL at
// any moment: either the previous output stays as it was, or (a kill after
// the atomic swap) the new one is there whole; never a mix, never a gap.
type killScenario struct {
	bin    string
	parent string   // holds the output folder and nothing else
	args   []string // the killed run: new sources, output parent/out
	prev   []string // a quick run writing a different, previous output
}

func (k *killScenario) out() string { return filepath.Join(k.parent, "out") }

// testKillCompile: compile of 700 generated dashboards, killed.
func testKillCompile(t *testing.T, bin string) {
	if testing.Short() {
		t.Skip("generates 700 dashboards and runs pyrobuild a dozen times")
	}
	src := t.TempDir()
	prevSrc := t.TempDir()
	if err := benchgen.WriteYAML(src, 700); err != nil {
		t.Fatal(err)
	}
	if err := benchgen.WriteYAML(prevSrc, 60); err != nil {
		t.Fatal(err)
	}
	k := &killScenario{bin: bin, parent: t.TempDir()}
	// A file per resource: a tree of hundreds of files to be caught
	// writing.
	k.args = []string{"compile", src, "--resource-files", "-o", k.out()}
	k.prev = []string{"compile", prevSrc, "--resource-files", "-o", k.out()}
	k.run(t)
}

// testKillBuild: the docs site of 400 generated pages, killed.
func testKillBuild(t *testing.T, bin string) {
	if testing.Short() {
		t.Skip("generates 400 pages and runs pyrobuild a dozen times")
	}
	root := t.TempDir()
	prevRoot := t.TempDir()
	if err := benchgen.WritePages(root, 400); err != nil {
		t.Fatal(err)
	}
	if err := benchgen.WritePages(prevRoot, 30); err != nil {
		t.Fatal(err)
	}
	k := &killScenario{bin: bin, parent: t.TempDir()}
	k.args = []string{"build", "--root", root, "--cache-dir", "off", "-o", k.out()}
	k.prev = []string{"build", "--root", prevRoot, "--cache-dir", "off", "-o", k.out()}
	k.run(t)
}

func (k *killScenario) run(t *testing.T) {
	// A normal run elsewhere gives the new output, the run's duration and
	// when its temp folder appears (the start of the writing phase).
	ref := &killScenario{bin: k.bin, parent: t.TempDir()}
	refArgs := append([]string{}, k.args...)
	refArgs[len(refArgs)-1] = ref.out()
	took, writeAt, ok := ref.start(t, refArgs, -1, false)
	if !ok {
		t.Fatal("the reference run failed")
	}
	want := treeHashes(t, ref.out())
	if len(want) < 100 {
		t.Fatalf("reference output has only %d files", len(want))
	}

	// Kill points: spread over the whole run (loading, checking, and most
	// likely writing near the end), and some timed from the moment the
	// temp folder appears, so that kills surely land while the new tree is
	// being written and swapped.
	type point struct {
		delay     time.Duration
		fromWrite bool
	}
	var points []point
	for _, f := range []float64{0.1, 0.5, 0.9} {
		points = append(points, point{time.Duration(f * float64(took)), false})
	}
	writing := max(took-writeAt, time.Millisecond)
	for _, f := range []float64{0, 0.4, 0.8} {
		points = append(points, point{time.Duration(f * float64(writing)), true})
	}

	var prev map[string][32]byte
	landed, landedWriting := 0, 0
	for i, p := range points {
		if i == 0 || !sameSnapshot(treeHashes(t, k.out()), prev) {
			// The previous kill came after the swap: lay down the previous
			// output again.
			if r := runBin(t, k.bin, k.parent, nil, 2*time.Minute, k.prev...); r.code != 0 {
				t.Fatalf("previous run: exit %d\n%s", r.code, lastLines(r.stderr))
			}
			prev = treeHashes(t, k.out())
		}
		_, _, killed := k.start(t, k.args, p.delay, p.fromWrite)
		if killed {
			landed++
			if p.fromWrite {
				landedWriting++
			}
		}
		got := treeHashes(t, k.out())
		same, diff := sameTree(got, prev)
		if !same {
			// Only a kill after the swap may leave the new output, whole.
			if newSame, newDiff := sameTree(got, want); !newSame {
				t.Fatalf("kill after %s (from writing: %v) left an output that is neither the previous one nor the new one:\nagainst the previous:\n%s\nagainst the new:\n%s",
					p.delay, p.fromWrite, diff, newDiff)
			}
		}
		// Litter of killed runs may sit there until the next run reaches
		// its output; it must not pile up.
		if l := tempLitter(t, k.parent); len(l) > 1 {
			t.Errorf("after kill %d: %d temp folders: %v", i, len(l), l)
		}
	}
	if landed < 3 || landedWriting < 1 {
		t.Fatalf("only %d kills landed during a run (%d while writing); the machine is too fast for this input", landed, landedWriting)
	}
	t.Logf("%d kills landed (%d while writing) in runs of %s (writing from %s)", landed, landedWriting, took.Round(time.Millisecond), writeAt.Round(time.Millisecond))

	// A normal run afterwards is not disturbed by the litter, and leaves
	// none.
	if r := runBin(t, k.bin, k.parent, nil, 2*time.Minute, k.args...); r.code != 0 {
		t.Fatalf("run after the kills: exit %d\n%s", r.code, lastLines(r.stderr))
	}
	if same, diff := sameTree(treeHashes(t, k.out()), want); !same {
		t.Errorf("the run after the kills wrote another output:\n%s", diff)
	}
	if l := tempLitter(t, k.parent); len(l) > 0 {
		t.Errorf("temp folders left after a normal run: %v", l)
	}
}

func sameSnapshot(a, b map[string][32]byte) bool {
	same, _ := sameTree(a, b)
	return same
}

// start runs args. With delay < 0 it waits for the end; otherwise it
// kills the process delay after its start, or after its temp folder
// appears when fromWrite is set. It returns how long the run took, when
// the temp folder appeared, and whether the process ended by the kill
// (else it finished first, successfully).
func (k *killScenario) start(t *testing.T, args []string, delay time.Duration, fromWrite bool) (took, writeAt time.Duration, ok bool) {
	t.Helper()
	cmd := exec.Command(k.bin, args...)
	cmd.Dir = k.parent
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	var killAt <-chan time.Time
	if delay >= 0 && !fromWrite {
		killAt = time.After(delay)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			took = time.Since(start)
			if delay < 0 {
				if err != nil {
					t.Fatalf("%v: %v\n%s", args, err, lastLines(stderr.String()))
				}
				return took, writeAt, true
			}
			if err == nil {
				return took, writeAt, false // finished before the kill
			}
			if cmd.ProcessState.ExitCode() != -1 {
				t.Fatalf("%v ended with exit %d before the kill\n%s", args, cmd.ProcessState.ExitCode(), lastLines(stderr.String()))
			}
			return took, writeAt, true
		case <-tick.C:
			if writeAt == 0 && len(tempLitter(t, k.parent)) > 0 && tempOfThisRun(t, k.parent, start) {
				writeAt = time.Since(start)
				if fromWrite {
					killAt = time.After(delay)
				}
			}
		case <-killAt:
			cmd.Process.Kill()
			killAt = nil
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("%v did not end within 2 minutes", args)
		}
	}
}

// tempOfThisRun reports whether a temp folder in parent was made after
// start, not left by an earlier killed run.
func tempOfThisRun(t *testing.T, parent string, start time.Time) bool {
	for _, n := range tempLitter(t, parent) {
		if fi, err := os.Stat(filepath.Join(parent, n)); err == nil && !fi.ModTime().Before(start.Add(-10*time.Millisecond)) {
			return true
		}
	}
	return false
}
