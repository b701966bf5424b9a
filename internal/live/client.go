package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// facts is what one server answered.
type facts struct {
	// err is why the server could not be asked (or stopped answering).
	err error
	// start and end are the range asked; clamped is set when the server's
	// max_query_length made it shorter than Options.Range.
	start, end time.Time
	clamped    bool
	services   map[string]bool
	types      map[string][]string        // service → its profile type IDs
	labels     map[string]map[string]bool // service → its label names
	values     map[[2]string][]string     // service, label → the label's values
}

// needs is what the queries of one server ask about.
type needs struct {
	services []string
	labels   map[string][]string // service → label names the filters use
}

// statusError is an error answer of the server.
type statusError struct {
	status  string
	message string
}

func (e *statusError) Error() string {
	if e.message == "" {
		return e.status
	}
	return e.status + ": " + e.message
}

// limitRe finds the limit in Pyroscope's answer to a range over
// max_query_length: "the query time range exceeds the limit
// (max_query_length, actual: 48h0m0s, limit: 1d)".
var limitRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`max_query_length.*limit: ([0-9a-z]+)\)`) })

// fetch asks s everything the queries need, within ctx.
func (s *server) fetch(ctx context.Context, opts Options, n needs) {
	s.end = opts.Now()
	s.start = s.end.Add(-opts.Range)
	s.types = map[string][]string{}
	s.labels = map[string]map[string]bool{}
	s.values = map[[2]string][]string{}
	names, err := s.labelValues(ctx, opts, "service_name", "")
	var se *statusError
	if errors.As(err, &se) {
		if m := limitRe().FindStringSubmatch(se.message); m != nil {
			if limit, perr := parseDuration(m[1]); perr == nil && limit > 0 && limit < opts.Range {
				s.start, s.clamped = s.end.Add(-limit), true
				names, err = s.labelValues(ctx, opts, "service_name", "")
			}
		}
	}
	if err != nil {
		s.err = err
		return
	}
	s.services = set(names)
	for _, svc := range n.services {
		if !s.services[svc] {
			continue
		}
		matcher := "{service_name=" + strconv.Quote(svc) + "}"
		if s.types[svc], err = s.labelValues(ctx, opts, "__profile_type__", matcher); err != nil {
			s.err = err
			return
		}
		if len(n.labels[svc]) == 0 {
			continue
		}
		var ln struct {
			Names []string `json:"names"`
		}
		if err := s.call(ctx, "LabelNames", map[string]any{"matchers": []string{matcher}}, &ln); err != nil {
			s.err = err
			return
		}
		s.labels[svc] = set(ln.Names)
		for _, l := range n.labels[svc] {
			if !s.labels[svc][l] {
				continue
			}
			if s.values[[2]string{svc, l}], err = s.labelValues(ctx, opts, l, matcher); err != nil {
				s.err = err
				return
			}
		}
	}
}

// labelValues is LabelValues of label, under matcher when it is not "".
func (s *server) labelValues(ctx context.Context, _ Options, label, matcher string) ([]string, error) {
	body := map[string]any{"name": label}
	if matcher != "" {
		body["matchers"] = []string{matcher}
	}
	var out struct {
		Names []string `json:"names"`
	}
	err := s.call(ctx, "LabelValues", body, &out)
	slices.Sort(out.Names)
	return out.Names, err
}

// call makes one Connect (JSON) unary call of the QuerierService, the API
// the Perses plugin uses, over the server's range.
func (s *server) call(ctx context.Context, method string, body map[string]any, out any) error {
	body["start"], body["end"] = s.start.UnixMilli(), s.end.UnixMilli()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/querier.v1.QuerierService/"+method, bytes.NewReader(b))
	if err != nil {
		return errors.New("the URL is not usable")
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client(ctx).Do(req)
	if err != nil {
		// The client's error repeats the URL, credentials and all: say
		// what happened without it.
		return transportError(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return transportError(ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		return &statusError{status: resp.Status, message: e.Message}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the answer to %s is not Connect JSON", method)
	}
	return nil
}

// clientKey carries Options.Client in the context of one Check.
type clientKey struct{}

func client(ctx context.Context) *http.Client {
	if c, ok := ctx.Value(clientKey{}).(*http.Client); ok {
		return c
	}
	return http.DefaultClient
}

// transportError says why a request failed, without its URL.
func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), errDeadline) {
			return errDeadline
		}
		return ctx.Err()
	}
	var inner interface{ Unwrap() error }
	if errors.As(err, &inner) {
		if e := inner.Unwrap(); e != nil {
			return e
		}
	}
	return err
}

// durationRe is one number and unit of a Prometheus duration ("1d",
// "12h30m"), the form Pyroscope prints its limits in.
var durationRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+)(ms|y|w|d|h|m|s)`) })

// parseDuration reads a Prometheus duration.
func parseDuration(s string) (time.Duration, error) {
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour}
	var total time.Duration
	if s == "" {
		return 0, errors.New("empty duration")
	}
	for s != "" {
		m := durationRe().FindStringSubmatch(s)
		if m == nil {
			return 0, fmt.Errorf("not a duration: %q", s)
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return 0, err
		}
		total += time.Duration(n) * units[m[2]]
		s = s[len(m[0]):]
	}
	return total, nil
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// keys returns the members of a set, sorted.
func keys(m map[string]bool) []string { return sortedKeys(m) }

// joinLimited lists up to max items, then how many more.
func joinLimited(list []string, max int) string {
	if len(list) <= max {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:max], ", ") + fmt.Sprintf(", … (%d more)", len(list)-max)
}
