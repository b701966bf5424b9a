package check

import "cuelang.org/go/cue"

// Scalar kinds, named for brevity in the validator.
const (
	cueString = cue.StringKind
	cueInt    = cue.IntKind
	cueFloat  = cue.FloatKind
	cueBool   = cue.BoolKind
	cueNull   = cue.NullKind
)
