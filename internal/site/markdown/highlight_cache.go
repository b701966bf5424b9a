package markdown

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
)

// The highlight cache can outlive the process: `pyrobuild build` saves it
// and the next build loads it, so a rebuild highlights only the code that
// changed. A file written by another chroma version is ignored, since its
// tokenization may differ.

type savedHighlights struct {
	Version string
	Entries []savedHighlight
}

type savedHighlight struct {
	Lang string
	Sum  [sha256.Size]byte
	HTML []byte
}

// cacheVersion names what a saved highlight depends on: this format, the
// chroma release when the binary records it, and a fingerprint of the
// output on a probe, which changes when the lexers or chroma's HTML do
// (test binaries carry no module versions). Entries also carry their
// lexer's version in their key (nativeLexerVersion).
func cacheVersion() string {
	versionOnce.Do(func() {
		v := "pyrobuild-highlight-1"
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, d := range info.Deps {
				if d.Path == "github.com/alecthomas/chroma/v2" {
					if d.Replace != nil {
						d = d.Replace
					}
					v += " chroma " + d.Version
				}
			}
		}
		probe := NewHighlighter("", "")
		h := sha256.New()
		for _, c := range [][2]string{{"go", "package main\n\nfunc f() string { return `x` } // c\n"}, {"yaml", "a: [1, 'b']\n# c\n"}, {"cue", "#A: {x!: int & >0}\n"}} {
			out, _ := probe.highlight(c[0], []byte(c[1]))
			h.Write(out)
		}
		version = fmt.Sprintf("%s probe %x", v, h.Sum(nil)[:8])
	})
	return version
}

var (
	versionOnce sync.Once
	version     string
)

// errCacheVersion means a saved cache was written by another version.
var errCacheVersion = errors.New("highlight cache written by another version")

// Save writes the cached highlights to w.
func (h *Highlighter) Save(w io.Writer) error {
	v := cacheVersion()
	if v == "" {
		return errCacheVersion
	}
	h.mu.Lock()
	out := savedHighlights{Version: v}
	for _, gen := range []map[highlightKey][]byte{h.old, h.cur} {
		for k, html := range gen {
			out.Entries = append(out.Entries, savedHighlight{Lang: k.lang, Sum: k.sum, HTML: html})
		}
	}
	h.mu.Unlock()
	bw := bufio.NewWriter(w)
	if err := gob.NewEncoder(bw).Encode(&out); err != nil {
		return err
	}
	return bw.Flush()
}

// Load adds highlights saved by Save. A cache from another version is
// ignored (errCacheVersion), a damaged one is an error; either way the
// Highlighter stays usable.
func (h *Highlighter) Load(r io.Reader) error {
	var in savedHighlights
	if err := gob.NewDecoder(bufio.NewReader(r)).Decode(&in); err != nil {
		return err
	}
	if v := cacheVersion(); v == "" || in.Version != v {
		return errCacheVersion
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range in.Entries {
		h.put(highlightKey{lang: e.Lang, sum: e.Sum}, e.HTML)
	}
	return nil
}
