package check

import "testing"

func TestClosest(t *testing.T) {
	known := []string{"PyroscopeMain", "PyroscopeProxied"}
	for in, want := range map[string]string{"pyroscopemain": "PyroscopeMain", "PyroscopeProxyed": "PyroscopeProxied", "loki": "", "": ""} {
		if got := Closest(in, known); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}
