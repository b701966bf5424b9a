package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testServeEarlySIGTERM: serve stops cleanly (exit 0, "stopped") on a
// SIGTERM that arrives at any moment of its start, as when a supervisor
// stops it at once: while it initialises, parses its flags, builds the
// site or starts listening.
//
// No program can handle a signal that arrives before its first package
// initialisation runs: the kernel, or the Go runtime, kills it. Each run
// therefore traces the initialisation (GODEBUG=inittrace=1), and a run
// killed before package cli was initialised is counted, not failed; one
// killed later is a failure.
func testServeEarlySIGTERM(t *testing.T, bin string) {
	dir := t.TempDir()
	putFile(t, filepath.Join(dir, "content", "index.md"), []byte("# Home\n"))
	const tries = 20
	beforeInit := 0
	for i := range tries {
		delay := time.Duration(i) * 200 * time.Millisecond / (tries - 1) // 0 to 200ms
		cmd := exec.Command(bin, "serve", "--root", dir, "--cache-dir", "off", "--port", "0")
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "GODEBUG=inittrace=1", "PYROBUILD_CACHE="+filepath.Join(t.TempDir(), "cache"))
		var stdout, stderr lockedBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err := waitExit(cmd, 30*time.Second)
		initialised := strings.Contains(stderr.String(), "init github.com/pyrobuild/pyrobuild/internal/cli @")
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit) && exit.ExitCode() == -1 && !initialised:
			beforeInit++ // killed before any of pyrobuild's code ran
		case err != nil:
			t.Errorf("SIGTERM %s after the start: %v\n%s", delay, err, lastLines(withoutInitTrace(stderr.String())))
		case !strings.Contains(stderr.String(), "stopped"):
			t.Errorf("SIGTERM %s after the start: serve did not say it stopped:\n%s", delay, lastLines(withoutInitTrace(stderr.String())))
		}
	}
	if beforeInit > tries/2 {
		t.Fatalf("%d of %d runs were killed before pyrobuild initialised: the machine is too slow for this test", beforeInit, tries)
	}
	t.Logf("%d of %d runs killed before pyrobuild initialised", beforeInit, tries)
}

// withoutInitTrace leaves GODEBUG=inittrace's lines out of a run's
// standard error.
func withoutInitTrace(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "init ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// waitExit waits for cmd to end, killing it after limit.
func waitExit(cmd *exec.Cmd, limit time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		return errors.New("did not end within " + limit.String())
	}
}

// hangingProgram is the compiler's test program that starts a child,
// writes both their process ids to $PYROBUILD_TEST_PIDS, and hangs.
func hangingProgram(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "compiler", "testdata", "go", "hanging", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testCompileSIGTERM: a SIGTERM stops compile within a second, with exit
// code 130, while a Go dashboards program runs or while the go command
// builds it; the program, what it started, and the go command's
// processes are killed, not left running; the output folder keeps the
// previous output.
func testCompileSIGTERM(t *testing.T, bin string) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("reads processes from /proc")
	}
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("the program starts sleep")
	}
	// The previous output, of YAML sources.
	work := t.TempDir()
	src := filepath.Join(work, "src")
	for _, f := range []string{"project.yaml", "datasources.yaml", "memory.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "profiling", f))
		if err != nil {
			t.Fatal(err)
		}
		putFile(t, filepath.Join(src, f), b)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	env := []string{"PYROBUILD_CACHE=" + cache}
	if r := runBin(t, bin, work, env, 2*time.Minute, "compile", "src", "-o", "out"); r.code != 0 {
		t.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
	}
	prev := treeHashes(t, filepath.Join(work, "out"))

	t.Run("program", func(t *testing.T) {
		prog := filepath.Join(work, "prog")
		putFile(t, filepath.Join(prog, "main.go"), []byte(hangingProgram(t)))
		pidFile := filepath.Join(t.TempDir(), "pids")
		cmd := compileCmd(bin, work, append(env, "PYROBUILD_TEST_PIDS="+pidFile), "prog")
		var pids []int
		interruptCompile(t, cmd, func() bool {
			b, err := os.ReadFile(pidFile)
			if err != nil {
				return false
			}
			for _, f := range strings.Fields(string(b)) {
				pid, _ := strconv.Atoi(f)
				pids = append(pids, pid)
			}
			return true
		})
		for _, pid := range pids {
			if !processGone(pid, time.Second) {
				t.Errorf("process %d of the program still runs", pid)
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
				}
			}
		}
		if same, diff := sameTree(treeHashes(t, filepath.Join(work, "out")), prev); !same {
			t.Errorf("the output changed:\n%s", diff)
		}
	})

	t.Run("go build", func(t *testing.T) {
		// A program the go build cache has not seen (a comment of this
		// run), big enough that its compilation takes a while, stopped
		// while the go command compiles it.
		var b strings.Builder
		b.WriteString(hangingProgram(t))
		fmt.Fprintf(&b, "\n// %d\n", time.Now().UnixNano())
		for i := range 1500 {
			fmt.Fprintf(&b, "func f%d(a, b int) int {\n\tif a > b {\n\t\treturn a*%d - b\n\t}\n\treturn b + %d\n}\n", i, i, i)
		}
		putFile(t, filepath.Join(work, "prog2", "main.go"), []byte(b.String()))
		env := []string{"PYROBUILD_CACHE=" + filepath.Join(t.TempDir(), "cache"), "PYROBUILD_TEST_PIDS=" + filepath.Join(t.TempDir(), "pids")}
		cmd := compileCmd(bin, work, env, "prog2")
		var goPid, compilePid int
		interruptCompile(t, cmd, func() bool {
			goPid, compilePid = goBuildOf(cmd.Process.Pid)
			return compilePid != 0
		})
		// Killed, they end at once; left running, they would go on
		// compiling for a while.
		for _, pid := range []int{goPid, compilePid} {
			if !processGone(pid, 200*time.Millisecond) {
				t.Errorf("process %d of the go command still runs", pid)
			}
		}
		if left := processesInGroup(goPid, 200*time.Millisecond); len(left) > 0 {
			t.Errorf("processes of the go command still run: %v", left)
		}
		if same, diff := sameTree(treeHashes(t, filepath.Join(work, "out")), prev); !same {
			t.Errorf("the output changed:\n%s", diff)
		}
	})
}

// compileCmd is pyrobuild compile of src and prog into out, in work.
func compileCmd(bin, work string, env []string, prog string) *exec.Cmd {
	cmd := exec.Command(bin, "compile", "src", prog, "-o", "out", "--go-timeout", "10m")
	cmd.Dir = work
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	return cmd
}

// interruptCompile starts cmd, sends it SIGTERM as soon as ready reports
// true, and checks that it exits within a second with code 130, saying
// that the output is unchanged.
func interruptCompile(t *testing.T, cmd *exec.Cmd, ready func() bool) {
	t.Helper()
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for !ready() {
		if ctx.Err() != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("not ready within 2 minutes:\n%s", stderr.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := waitExit(cmd, 10*time.Second)
	took := time.Since(start)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("after SIGTERM: %v, want exit %d\n%s", err, exitInterrupted, stderr.String())
	}
	if took > time.Second {
		t.Errorf("compile took %s to stop", took)
	}
	if !strings.Contains(stderr.String(), "out left unchanged") {
		t.Errorf("compile did not say the output is unchanged:\n%s", stderr.String())
	}
}

// procStat is what the test reads of /proc/PID/stat.
type procStat struct {
	pid, ppid, pgrp int
	comm, state     string
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:]) // state ppid pgrp …
	if len(f) < 3 {
		return procStat{}, false
	}
	st := procStat{pid: pid, comm: s[open+1 : end], state: f[0]}
	st.ppid, _ = strconv.Atoi(f[1])
	st.pgrp, _ = strconv.Atoi(f[2])
	return st, true
}

// allProcesses lists the processes of /proc that are not zombies.
func allProcesses() []procStat {
	ents, _ := os.ReadDir("/proc")
	var out []procStat
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok && st.state != "Z" {
			out = append(out, st)
		}
	}
	return out
}

// goBuildOf returns the process ids of a `go build` that process parent
// runs, and of the compiler it runs, once it does.
func goBuildOf(parent int) (goPid, compilePid int) {
	procs := allProcesses()
	for _, p := range procs {
		if p.ppid != parent || p.comm != "go" {
			continue
		}
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/cmdline"); err == nil && strings.Contains(string(b), "\x00build\x00") {
			goPid = p.pid
		}
	}
	for _, p := range procs {
		if goPid != 0 && p.ppid == goPid && p.comm == "compile" {
			compilePid = p.pid
		}
	}
	return goPid, compilePid
}

// processGone reports whether process pid ends (or is a zombie) within
// limit.
func processGone(pid int, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); ; time.Sleep(10 * time.Millisecond) {
		if st, ok := readStat(pid); !ok || st.state == "Z" {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// processesInGroup returns the processes of group pgrp still running
// after limit.
func processesInGroup(pgrp int, limit time.Duration) []int {
	for deadline := time.Now().Add(limit); ; time.Sleep(10 * time.Millisecond) {
		var left []int
		for _, p := range allProcesses() {
			if p.pgrp == pgrp {
				left = append(left, p.pid)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
	}
}

// TestInterruptedCommands: a command run with its context already done
// (an interrupt before it started its work) does nothing and says so:
// serve and compile --watch exit 0, the others 130, and no output folder
// is written.
func TestInterruptedCommands(t *testing.T) {
	dir := t.TempDir()
	putFile(t, filepath.Join(dir, "content", "index.md"), []byte("# Home\n"))
	against := filepath.Join(dir, "against")
	if code, _, stderr := run(t, "compile", "../../examples", "-o", against); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		args []string
		code int
		say  string // in stderr
	}{
		{[]string{"compile", "../../examples", "-o", out}, exitInterrupted, "left unchanged"},
		{[]string{"compile", "../../examples", "-o", out, "--watch"}, exitOK, "stopped"},
		{[]string{"check", "../../examples"}, exitInterrupted, "check"},
		{[]string{"diff", "../../examples", "--against", against}, exitInterrupted, "diff"},
		{[]string{"build", "--root", dir, "--cache-dir", "off", "-o", out}, exitInterrupted, "build"},
		{[]string{"serve", "--root", dir, "--cache-dir", "off", "--port", "0"}, exitOK, "stopped"},
	} {
		var stdout, stderr bytes.Buffer
		code := runContext(ctx, tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.say) {
			t.Errorf("%v: exit %d, want %d; stderr (want %q):\n%s", tc.args, code, tc.code, tc.say, stderr.String())
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v wrote its output: %v", tc.args, err)
		}
	}
}
