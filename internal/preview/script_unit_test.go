package preview

import (
	"os"
	"os/exec"
	"testing"
)

// TestPreviewJSUnit runs preview.js's pure functions (ranges, axes, the
// link to Pyroscope's UI) under Node, in a time zone half an hour off UTC
// so rounding to local times is checked. Like the browser tests, it may
// skip on a developer's machine without Node, but not where the browser
// tests are required.
func TestPreviewJSUnit(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("PYROBUILD_BROWSER_TESTS") != "" {
			t.Fatal("node is not installed: with PYROBUILD_BROWSER_TESTS set it is required (.ci/run installs it)")
		}
		t.Skip("node is not installed")
	}
	cmd := exec.Command(node, "testdata/preview_unit.js", "../../templates/assets/js/preview.js")
	cmd.Env = append(os.Environ(), "TZ=Asia/Kolkata")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}
