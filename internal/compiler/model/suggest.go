package model

import "fmt"

// Closest returns the candidate nearest to s, ignoring ASCII case, when it
// is a likely typo of s (at most about a third of the letters wrong), or
// "". Every "did you mean" of pyrobuild (compiler, loaders, docs site,
// preview proxy) uses it, so they agree on what is close.
func Closest(s string, candidates []string) string {
	best, bestD := "", max(2, len([]rune(s))/3)+1
	for _, c := range candidates {
		if d := editDistance(lower(s), lower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean suggests the closest of candidates to s, as "did you mean
// "x"?", or "" when none is close.
func DidYouMean(s string, candidates []string) string {
	best := Closest(s, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
