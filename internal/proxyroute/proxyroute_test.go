package proxyroute

import "testing"

func TestPaths(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Project("profiling", "pyro"), "/profiling/pyro"},
		{Project("a b", "c/d"), "/a%20b/c%2Fd"},
		{Global("main"), "/_global/main"},
		{Dashboard("profiling", "cpu", "local"), "/profiling/@cpu/local"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
