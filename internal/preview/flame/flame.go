// Package flame decodes the flame graphs Grafana Pyroscope answers on
// GET /pyroscope/render (the "flamebearer" JSON) and checks them, so the
// preview never draws from, or trusts, a malformed or hostile answer: the
// preview server's datasource proxy (package proxy) checks every 200
// answer of /pyroscope/render with Decode before passing it on, and answers
// 502 "invalid answer from Pyroscope" otherwise.
//
// The wire format is a table of names and, per depth, a flat list of
// quadruples [offset, total, self, nameIndex] whose offsets are relative to
// the end of the previous frame of the same row. Frames turns that into
// absolute positions.
package flame

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
)

// Profile is one decoded /pyroscope/render answer.
type Profile struct {
	// Version is the flamebearer format version; Pyroscope writes 1.
	Version     int         `json:"version"`
	Flamebearer Flamebearer `json:"flamebearer"`
	Metadata    Metadata    `json:"metadata"`
	// Timeline is the sum of the selected series over the queried range;
	// nil when the server sent none.
	Timeline *Timeline `json:"timeline"`
	// Groups holds one timeline per value of the groupBy label, when the
	// query asked for one ("*" gathers series without the label).
	Groups map[string]*Timeline `json:"groups"`

	frames []Frame
}

// Flamebearer is the flame graph itself.
type Flamebearer struct {
	// Names are the function names; frames refer to them by index.
	Names []string `json:"names"`
	// Levels holds one row per stack depth, each a flat list of
	// [offset, total, self, nameIndex] quadruples.
	Levels [][]int64 `json:"levels"`
	// NumTicks is the total of the root frame: the whole profile's value.
	NumTicks int64 `json:"numTicks"`
	// MaxSelf is the largest self value of any frame.
	MaxSelf int64 `json:"maxSelf"`
}

// Metadata says what the values measure.
type Metadata struct {
	// Format is "single" for a profile; "double" (a diff of two) is
	// rejected by Decode.
	Format string `json:"format"`
	// SpyName is the agent that sent the data; current Pyroscope leaves it
	// empty.
	SpyName string `json:"spyName"`
	// SampleRate divides values to get seconds when Units is "samples"
	// (1e9 for CPU time: values are nanoseconds).
	SampleRate int64 `json:"sampleRate"`
	// Units is "samples", "objects", "bytes", "nanoseconds" or the profile
	// type's sample unit.
	Units string `json:"units"`
	// Name is the sample type, e.g. "cpu" or "alloc_space".
	Name string `json:"name"`
}

// Timeline is a series of values over the queried range.
type Timeline struct {
	// StartTime is the first point, in unix seconds.
	StartTime int64 `json:"startTime"`
	// Samples holds one value per step.
	Samples []int64 `json:"samples"`
	// DurationDelta is the step, in seconds.
	DurationDelta int64 `json:"durationDelta"`
}

// Frame is one bar of the flame graph, at an absolute position: its
// children lie within [Start, Start+Total) on the next level.
type Frame struct {
	// Level is the depth; level 0 is the root ("total").
	Level int
	// Start is where the frame begins, in the profile's units from the
	// left edge.
	Start int64
	// Total is the frame's value including its callees.
	Total int64
	// Self is the value spent in the function itself.
	Self int64
	// Name is the function name.
	Name string
}

// ErrTooLarge is returned when the input is longer than Decode's limit.
var ErrTooLarge = errors.New("flame graph answer is larger than the limit")

// ErrDiffFormat is returned for a "double" (diff) flamebearer, whose levels
// hold 7-tuples: the FlameChart panel shows single profiles only, and a
// diff drawn as a single profile would mislead.
var ErrDiffFormat = errors.New(`flame graph is a diff ("double" format): only single profiles are supported`)

// Decode reads one /pyroscope/render answer of at most limit bytes and
// checks its structure: every quadruple complete, name indices in range,
// no negative values, every frame inside a frame of the level above, and
// self plus children never more than a frame's total. A limit of 0 or less
// means no limit.
func Decode(r io.Reader, limit int64) (*Profile, error) {
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading flame graph: %w", err)
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("flame graph is not valid JSON: %w", err)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// check validates the structure and computes the absolute frames.
func (p *Profile) check() error {
	if p.Version > 1 || p.Version < 0 {
		return fmt.Errorf("flame graph version %d is not supported (Pyroscope writes 1)", p.Version)
	}
	switch p.Metadata.Format {
	case "", "single":
	case "double":
		return ErrDiffFormat
	default:
		return fmt.Errorf("flame graph format %q is unknown (want \"single\")", p.Metadata.Format)
	}
	if p.Metadata.SampleRate < 0 {
		return fmt.Errorf("metadata.sampleRate %d is negative", p.Metadata.SampleRate)
	}
	fb := &p.Flamebearer
	if len(fb.Names) == 0 {
		return errors.New("flamebearer.names is empty: a flame graph has at least the root \"total\"")
	}
	if len(fb.Levels) == 0 {
		return errors.New("flamebearer.levels is empty: a flame graph has at least the root level")
	}
	if fb.NumTicks < 0 || fb.MaxSelf < 0 {
		return errors.New("flamebearer.numTicks and maxSelf must not be negative")
	}

	var frames []Frame
	var parents []Frame // the previous level's frames
	for l, row := range fb.Levels {
		if len(row)%4 != 0 {
			if len(row)%7 == 0 {
				return fmt.Errorf("levels[%d] has %d values, a multiple of 7 as in a diff flame graph: %w", l, len(row), ErrDiffFormat)
			}
			return fmt.Errorf("levels[%d] has %d values: a level is a list of [offset, total, self, nameIndex] quadruples", l, len(row))
		}
		if l == 0 && len(row) != 4 {
			return fmt.Errorf("levels[0] has %d frames: the root level holds exactly one frame", len(row)/4)
		}
		if l > 0 && len(row) > 0 && len(parents) == 0 {
			return fmt.Errorf("levels[%d] has frames but levels[%d] has none: every frame needs a caller", l, l-1)
		}
		first := len(frames)
		var cursor int64
		pi := 0                             // index into parents
		room := make([]int64, len(parents)) // what each parent has left for children
		for i := range parents {
			room[i] = parents[i].Total - parents[i].Self
		}
		for i := 0; i < len(row); i += 4 {
			offset, total, self, name := row[i], row[i+1], row[i+2], row[i+3]
			at := func(what string) error {
				return fmt.Errorf("levels[%d] frame %d (values %d..%d): %s", l, i/4, i, i+3, what)
			}
			if offset < 0 || total < 0 || self < 0 {
				return at(fmt.Sprintf("offset %d, total %d and self %d must not be negative", offset, total, self))
			}
			if self > total {
				return at(fmt.Sprintf("self %d is more than total %d", self, total))
			}
			if name >= int64(len(fb.Names)) || name < 0 {
				return at(fmt.Sprintf("name index %d is out of range (%d names)", name, len(fb.Names)))
			}
			if offset > math.MaxInt64-cursor {
				return at("offset overflows")
			}
			start := cursor + offset
			if total > math.MaxInt64-start {
				return at("total overflows")
			}
			cursor = start + total
			if l > 0 {
				// Frames and parents are both sorted and disjoint, so one
				// pass finds each frame's parent: skip parents that end
				// before this frame does.
				for pi < len(parents) && parents[pi].Start+parents[pi].Total < cursor {
					pi++
				}
				if pi == len(parents) || parents[pi].Start > start {
					return at(fmt.Sprintf("[%d, %d) is not inside any frame of levels[%d]", start, cursor, l-1))
				}
				if total > room[pi] {
					return at(fmt.Sprintf("the callees of %q add up to more than its total minus its self", parents[pi].Name))
				}
				room[pi] -= total
			}
			frames = append(frames, Frame{Level: l, Start: start, Total: total, Self: self, Name: fb.Names[name]})
		}
		if l == 0 && frames[0].Total != fb.NumTicks {
			return fmt.Errorf("flamebearer.numTicks %d differs from the root frame's total %d", fb.NumTicks, frames[0].Total)
		}
		parents = frames[first:]
	}
	p.frames = frames
	return nil
}

// Frames yields every frame, level by level, left to right.
func (p *Profile) Frames() iter.Seq[Frame] {
	return func(yield func(Frame) bool) {
		for _, f := range p.frames {
			if !yield(f) {
				return
			}
		}
	}
}

// NumFrames is how many frames Frames yields.
func (p *Profile) NumFrames() int { return len(p.frames) }

// Empty reports whether the profile holds no data: Pyroscope answers 200
// with a lone zero "total" frame for a query that matches nothing.
func (p *Profile) Empty() bool { return p.Flamebearer.NumTicks == 0 }
