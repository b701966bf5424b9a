package diag

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// CodeInfo documents one diagnostic code. The diagnostics reference
// (docs/diagnostics.md) is generated from it and from the broken-source
// corpora, whose cases show each code on a small source and, in a
// <case>.fixed file beside it, the source corrected.
type CodeInfo struct {
	Code    Code
	Title   string
	Summary string // what it means
	// Fix says how to correct the problem, in markdown. Every code has one.
	Fix string
	// NoExample, for a code no small source can produce (an I/O error, a
	// missing toolchain, a time-out, an answer of a live server), says
	// what causes it instead; the other codes have a broken source in a
	// corpus.
	NoExample string
}

// Registry is a catalogue of diagnostic codes. Each domain registers the
// codes it reports (the compiler its PB0xxx and PB1xxx codes, say), so
// the catalogue has one entry per code whoever reports it.
type Registry struct {
	mu    sync.Mutex
	codes map[Code]CodeInfo
}

// Register adds codes to the catalogue. A code registered twice is a
// programming error: Register panics.
func (r *Registry) Register(infos ...CodeInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.codes == nil {
		r.codes = make(map[Code]CodeInfo)
	}
	for _, info := range infos {
		if _, dup := r.codes[info.Code]; dup {
			panic(fmt.Sprintf("diag: code %s registered twice", info.Code))
		}
		r.codes[info.Code] = info
	}
}

// Lookup returns the documentation of code c, and whether it is registered.
func (r *Registry) Lookup(c Code) (CodeInfo, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	info, ok := r.codes[c]
	return info, ok
}

// All returns every registered code, in code order.
func (r *Registry) All() []CodeInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]CodeInfo, 0, len(r.codes))
	for _, info := range r.codes {
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b CodeInfo) int { return strings.Compare(string(a.Code), string(b.Code)) })
	return out
}

// Codes is the catalogue of every code pyrobuild reports. Domains register
// their codes in it when their package is initialised.
var Codes Registry
