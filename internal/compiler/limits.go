package compiler

import "time"

// CUE evaluation cannot be interrupted: each package is evaluated on
// another goroutine within a time and a memory limit (see load.CUERunner).

// DefaultCUETimeout bounds the evaluation of one CUE package, unless
// Options.CUETimeout ($PYROBUILD_CUE_TIMEOUT for the command) says
// otherwise.
const DefaultCUETimeout = time.Minute

// cueTimeout is the evaluation time limit of a compilation.
func cueTimeout(opts Options) time.Duration {
	if opts.CUETimeout > 0 {
		return opts.CUETimeout
	}
	return DefaultCUETimeout
}
