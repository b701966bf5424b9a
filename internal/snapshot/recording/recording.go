// Package recording is the file pyrobuild snapshot writes and build and
// serve read: what a live Pyroscope answered, at one time and over one
// range, for every query of one dashboard's panels.
//
// A dashboard's recording lives beside its source, in
// .pyrobuild/recordings/<project>/<dashboard>.json: the loader skips
// folders whose name starts with a dot, so a recording is never read as a
// dashboard source. The file is JSON with its keys sorted, written whole
// or not at all.
package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// Version is the version of the format Encode writes and Read accepts.
const Version = 1

// Dir is the folder, beside a dashboard's source, that holds recordings.
const Dir = ".pyrobuild/recordings"

// A File is the recording of one dashboard. Its fields are declared in
// the order of their JSON names, so the encoding's keys are sorted.
type File struct {
	// Dashboard is project/name.
	Dashboard string `json:"dashboard"`
	// Panels maps each recorded panel's key to its queries' answers.
	Panels map[string]*Panel `json:"panels"`
	// Range is the range every query was asked over.
	Range Range `json:"range"`
	// Recorded is when the answers were asked for (RFC 3339, UTC).
	Recorded string `json:"recorded"`
	// Version is the format's version (Version).
	Version int `json:"version"`
}

// Range is a recording's time range: the relative range asked ("30m")
// and the absolute times it meant (RFC 3339, UTC).
type Range struct {
	From     string `json:"from"`
	Relative string `json:"relative"`
	Until    string `json:"until"`
}

// A Panel holds the answers to a panel's queries, in the panel's order.
type Panel struct {
	Queries []*Query `json:"queries"`
}

// A Query is one query of a panel and the server's answer to it.
type Query struct {
	// Answer is the /pyroscope/render answer (flame graph, time series,
	// metadata), as the preview's panels fetch it, with sorted keys.
	Answer json.RawMessage `json:"answer"`
	// Datasource is the name of the query's datasource.
	Datasource string `json:"datasource"`
	// MaxNodes is the maxNodes asked (0: the server's default, as the
	// Perses plugin sends none).
	MaxNodes int `json:"maxNodes,omitempty"`
	// Query is the render query (profile type and label matchers).
	Query string `json:"query"`
	// Server is the URL asked, credentials written in it redacted.
	Server string `json:"server"`
}

// Path is where the recording of dashboard project/name, whose source is
// the file source, lives.
func Path(source, project, name string) string {
	return filepath.Join(filepath.Dir(source), filepath.FromSlash(Dir), project, name+".json")
}

// Normalize re-encodes a JSON answer with sorted keys and no spaces, so
// that the same answer always gives the same bytes. Numbers are kept as
// written.
func Normalize(answer []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(answer))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return json.Marshal(v)
}

// Encode is the file's bytes: compact JSON, sorted keys, one final
// newline.
func Encode(f *File) ([]byte, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Read reads and checks a recording. A missing file is an error that
// errors.Is(err, fs.ErrNotExist) recognizes.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// Decode parses a recording's bytes.
func Decode(b []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("not a recording: %v", err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("recording version %d, this pyrobuild reads version %d", f.Version, Version)
	}
	return &f, nil
}

// Lookup returns the recorded answer to query (a render query) as the
// index-th query of panel; nil when the recording does not hold it (the
// dashboard changed since).
func (f *File) Lookup(panel string, index int, query string) *Query {
	p := f.Panels[panel]
	if p == nil || index < 0 || index >= len(p.Queries) {
		return nil
	}
	if q := p.Queries[index]; q != nil && q.Query == query {
		return q
	}
	return nil
}

// WriteFile writes data to path atomically: to a temporary file beside
// it, renamed over it once whole. On error the old file stays.
func WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
	}
	return werr
}

// RenderQuery is the query the Perses plugin sends to /pyroscope/render
// for a lowered PyroscopeProfileQuery spec: the profile type, then
// service_name and the filters as matchers.
func RenderQuery(qs *model.Node) string {
	pt, _ := qs.Str("profileType")
	var m []string
	if svc, ok := qs.Str("service"); ok && svc != "" {
		m = append(m, "service_name="+strconv.Quote(svc))
	}
	m = append(m, FilterMatchers(qs)...)
	return pt + "{" + strings.Join(m, ",") + "}"
}

// FilterMatchers are a lowered query's filters as label matchers.
func FilterMatchers(qs *model.Node) []string {
	var m []string
	for _, f := range qs.Get("filters").List() {
		n, _ := f.Str("labelName")
		op, _ := f.Str("operator")
		v, _ := f.Str("labelValue")
		m = append(m, n+op+strconv.Quote(v))
	}
	return m
}

// MaxNodes is a query's maxNodes, 0 when it has none.
func MaxNodes(qs *model.Node) int {
	n := qs.Get("maxNodes")
	if n == nil {
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < 0 {
		return 0
	}
	return v
}
