//go:build unix

package compiler_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// TestGoProgramCancelled: when the compilation's context ends while a Go
// program runs, Compile returns at once, and the program and what it
// started are killed, not left to run until the time-out.
func TestGoProgramCancelled(t *testing.T) {
	needGo(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.go"), hangingProgram(t))
	pidFile := filepath.Join(t.TempDir(), "pids")
	t.Setenv("PYROBUILD_TEST_PIDS", pidFile)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		res, err := compiler.Compile(ctx, compiler.Options{Paths: []string{dir}, GoTimeout: time.Hour})
		done <- outcome{res, err}
	}()
	pids := waitForPids(t, pidFile, done)
	cancel()
	stoppedAt := time.Now()
	select {
	case o := <-done:
		if !errors.Is(o.err, context.Canceled) || o.res != nil {
			t.Errorf("got %v, %v; want an error wrapping context.Canceled", o.res, o.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Compile did not return within 5s of the cancellation")
	}
	if took := time.Since(stoppedAt); took > time.Second {
		t.Errorf("Compile returned %s after the cancellation", took)
	}
	for _, pid := range pids {
		if !gone(pid, time.Second) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("process %d of the program still runs", pid)
		}
	}
}

type outcome struct {
	res *compiler.Result
	err error
}

// waitForPids waits for the program to write its process ids, failing the
// test if the compilation ends first.
func waitForPids(t *testing.T, file string, done <-chan outcome) []int {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		if b, err := os.ReadFile(file); err == nil {
			var pids []int
			for _, f := range strings.Fields(string(b)) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("bad pid file %q", b)
				}
				pids = append(pids, pid)
			}
			return pids
		}
		select {
		case o := <-done:
			t.Fatalf("the compilation ended before the program ran: %v %v", o.err, o.res.Diagnostics)
		case <-deadline:
			t.Fatal("the program did not start within 2 minutes")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// gone reports whether process pid ends (or is a zombie) within limit.
func gone(pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			return true
		}
		// The state follows the command name in parentheses.
		if i := strings.LastIndexByte(string(b), ')'); err == nil && i >= 0 && strings.HasPrefix(string(b[i:]), ") Z") {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hangingProgram is testdata/go/hanging/main.go: a program that starts a
// child, writes both their process ids to $PYROBUILD_TEST_PIDS, and hangs.
func hangingProgram(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "go", "hanging", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
