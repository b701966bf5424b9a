package initkit

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dns1123Label is Kubernetes's rule for a namespace, which the Perses
// operator makes of a project's name.
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func TestProjectName(t *testing.T) {
	long := strings.Repeat("a", 62) + "_b" + strings.Repeat("c", 20)
	for dir, want := range map[string]string{
		"My Dash_boards":    "my-dash-boards",
		"My Dashboards!":    "my-dashboards",
		"shop-dashboards":   "shop-dashboards",
		"Shop.Dashboards":   "shop-dashboards",
		"__x__":             "x",
		"--a  --  b--":      "a-b",
		"tableaux-été":      "tableaux-ete",
		"Ünïcødé Dash":      "unicode-dash",
		"Smørrebrød Straße": "smorrebrod-strasse",
		"Łódź Œuvre Æsir":   "lodz-oeuvre-aesir",
		"naïve—café":        "naive-cafe",
		"!!!":               "dashboards",
		"日本":                "dashboards",
		long:                strings.Repeat("a", 62),
		"v2":                "v2",
		"a/b/Projet Final":  "projet-final",
	} {
		got := ProjectName(filepath.FromSlash(filepath.Join(t.TempDir(), dir)))
		if got != want {
			t.Errorf("ProjectName(%q) = %q, want %q", dir, got, want)
		}
		if !dns1123Label.MatchString(got) || len(got) > 63 || !ValidName(got) {
			t.Errorf("ProjectName(%q) = %q: not a Kubernetes namespace and a Perses name", dir, got)
		}
	}
}
