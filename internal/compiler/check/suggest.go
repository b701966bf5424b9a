package check

import "github.com/pyrobuild/pyrobuild/internal/compiler/model"

// didYouMean suggests the closest candidate to s, or "" when none is close.
func didYouMean(s string, candidates []string) string { return model.DidYouMean(s, candidates) }

// Closest returns the candidate nearest to s, ignoring ASCII case, when it
// is a likely typo of s (at most about a third of the letters wrong), or
// "". It is model.Closest, which every "did you mean" of pyrobuild uses
// (the loaders too), so they agree on what is close.
func Closest(s string, candidates []string) string { return model.Closest(s, candidates) }

// DidYouMean suggests the closest of candidates to s, as "did you mean
// "x"?", or "" when none is close. The command line uses it for its own
// settings, so they read like the compiler's hints.
func DidYouMean(s string, candidates []string) string { return didYouMean(s, candidates) }
