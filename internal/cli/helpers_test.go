package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain keeps the caches of the commands the tests run out of the
// user's cache folder: each run reads $PYROBUILD_CACHE, set here to a
// folder of this test binary (a test may set its own).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pyrobuild-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("PYROBUILD_CACHE", dir)
	// The commands run here must not find this repository's own
	// pyrobuild.yaml above the package's folder.
	if wd, err := os.Getwd(); err == nil {
		configCeiling = filepath.Dir(wd)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer that a command running in a goroutine can
// write while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// background runs pyrobuild with args until the returned stop is called,
// as Ctrl-C would stop it, and returns its output streams. stop returns
// the command's error.
func background(t *testing.T, args ...string) (stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	root := newRoot(readEnv(os.Getenv), stdout, stderr)
	root.SetArgs(args)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	stopped := false
	var result error
	stop = func() error {
		if stopped {
			return result
		}
		stopped = true
		cancel()
		select {
		case result = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("pyrobuild %s did not stop\nstdout: %s\nstderr: %s", strings.Join(args, " "), stdout, stderr)
		}
		return result
	}
	t.Cleanup(func() { stop() })
	return stdout, stderr, stop
}

// waitFor polls cond until it holds, failing the test after a while.
func waitFor(t *testing.T, what string, cond func() bool, logs ...*syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, l := range logs {
				b.WriteString(l.String())
			}
			t.Fatalf("timed out waiting for %s\n%s", what, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noDatasourceDashboard compiles only with --server-datasource default,
// and then with a warning (its query names no service): strict decides.
const noDatasourceDashboard = `kind: Dashboard
metadata: {name: d, project: p}
spec:
  panels:
    a:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec:
              plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, query: '{env="prod"}'}}
  layouts:
    - kind: Grid
      spec: {items: [{x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/a"}}]}
`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
