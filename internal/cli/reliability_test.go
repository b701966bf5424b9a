package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestReliability runs the reliability suite of issue 7 against the real
// pyrobuild binary, built once for all of its parts: a SIGKILL needs a
// process of its own, GOMAXPROCS is read at start-up, and a runaway CUE
// evaluation must not keep running inside the test binary.
//
// The heavier parts (SIGKILL at many points, the big generated inputs) skip
// under -short.
func TestReliability(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses SIGKILL, file modes and symbolic links")
	}
	bin := buildPyrobuild(t)
	t.Run("kill/compile", func(t *testing.T) { testKillCompile(t, bin) })
	t.Run("kill/build", func(t *testing.T) { testKillBuild(t, bin) })
	t.Run("hostile", func(t *testing.T) { testHostileInputs(t, bin) })
	t.Run("determinism", func(t *testing.T) { testDeterminism(t, bin) })
	t.Run("secrets", func(t *testing.T) { testSecretsNeverLeak(t, bin) })
	t.Run("serve/sigterm", func(t *testing.T) { testServeStopsOnSIGTERM(t, bin) })
	t.Run("serve/early-sigterm", func(t *testing.T) { testServeEarlySIGTERM(t, bin) })
	t.Run("compile/sigterm", func(t *testing.T) { testCompileSIGTERM(t, bin) })
	t.Run("cache-folder", func(t *testing.T) { testCacheFolder(t, bin) })
}

// testServeStopsOnSIGTERM: serve shuts down cleanly (exit 0, "stopped")
// on SIGTERM, as a container runtime or systemd stops it. SIGINT is
// tested with the secrets.
func testServeStopsOnSIGTERM(t *testing.T, bin string) {
	dir := t.TempDir()
	putFile(t, filepath.Join(dir, "content", "index.md"), []byte("# Home\n"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--root", dir, "--cache-dir", "off", "--port", "0")
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(stdout.String(), "Serving") {
		if ctx.Err() != nil {
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || ctx.Err() != nil {
		t.Fatalf("serve after SIGTERM: %v (%v)\n%s", err, ctx.Err(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("serve did not say it stopped:\n%s", stderr.String())
	}
}

// buildPyrobuild builds the command into a temporary folder.
func buildPyrobuild(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "pyrobuild")
	out, err := exec.Command(goCmd, "build", "-o", bin, "github.com/pyrobuild/pyrobuild/cmd/pyrobuild").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binResult is what one run of the binary did.
type binResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runBin runs the binary in dir with extra environment variables and
// fails the test if it does not end within limit.
func runBin(t *testing.T, bin, dir string, env []string, limit time.Duration, args ...string) binResult {
	t.Helper()
	return runBinWith(t, nil, bin, dir, env, limit, args...)
}

// runBinWith is runBin with a last say on the command (its user, say).
func runBinWith(t *testing.T, prepare func(*exec.Cmd), bin, dir string, env []string, limit time.Duration, args ...string) binResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "PYROBUILD_CACHE="+filepath.Join(t.TempDir(), "cache"))
	cmd.Env = append(cmd.Env, env...)
	if prepare != nil {
		prepare(cmd)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := binResult{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("pyrobuild %s did not end within %s\nstderr: %s", strings.Join(args, " "), limit, lastLines(r.stderr))
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return r
}

// lastLines keeps the end of a long output for failure messages.
func lastLines(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// treeHashes maps every file under dir (slash paths) to the hash of its
// bytes; nil when dir does not exist.
func treeHashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	m := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameTree reports whether two snapshots are equal, and if not, a few of
// the differences.
func sameTree(a, b map[string][32]byte) (bool, string) {
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diffs = append(diffs, "only in the first: "+k)
		} else if v != w {
			diffs = append(diffs, "differs: "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, "only in the second: "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], "…")
	}
	return len(diffs) == 0 && (a == nil) == (b == nil), strings.Join(diffs, "\n")
}

// tempLitter lists the temporary folders of pyrobuild's atomic output that
// sit in parent.
func tempLitter(t *testing.T, parent string) []string {
	t.Helper()
	ents, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// lockedBuffer is a bytes.Buffer that a process and the test may use at
// once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
