package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSchemaCommand(t *testing.T) {
	code, stdout, stderr := run(t, "schema")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if doc["$defs"] == nil || !strings.Contains(doc["title"].(string), "authoring") {
		t.Errorf("title %v, %d keys", doc["title"], len(doc))
	}

	out := filepath.Join(t.TempDir(), "wire.json")
	if code, stdout, stderr := run(t, "schema", "--form", "wire", "-o", out); code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"title": "pyrobuild sources (wire form)"`) || strings.Contains(string(b), `"query"`) {
		t.Errorf("-o %s does not hold the wire form", out)
	}

	if code, _, stderr := run(t, "schema", "--form", "perses"); code != 2 || !strings.Contains(stderr, `unknown form "perses"`) {
		t.Errorf("bad --form: exit %d: %s", code, stderr)
	}
	if code, _, _ := run(t, "schema", "extra"); code != 2 {
		t.Errorf("an argument: exit %d, want 2", code)
	}
}
