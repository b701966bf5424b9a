package cli

import "testing"

func TestGCTuningLeavesTheUsersSettings(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, true},
		{map[string]string{"GOGC": "off"}, false},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, false},
		{map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, false},
	} {
		percent, limit, ok := gcTuning(func(k string) string { return tc.env[k] })
		if ok != tc.want {
			t.Errorf("%v: tuned %v, want %v", tc.env, ok, tc.want)
		}
		if ok && (percent != gcPercent || limit != gcMemoryLimit) {
			t.Errorf("%v: GOGC=%d, limit %d", tc.env, percent, limit)
		}
	}
}
