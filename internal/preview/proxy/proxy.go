// Package proxy is the preview's server-side proxy to Pyroscope
// datasources. The dashboard previews of `pyrobuild serve` fetch flame
// graphs through it, as the Perses UI does through the Perses server: the
// browser never holds a secret, never talks to another origin, and reaches
// only the endpoints a datasource allows.
//
// Routes, relative to where the handler is mounted (serve strips its own
// prefix with http.StripPrefix):
//
//	/{project}/{datasource}/{endpoint...}              a project Datasource
//	/_global/{datasource}/{endpoint...}                a GlobalDatasource
//	/{project}/@{dashboard}/{key}/{endpoint...}        a dashboard's own datasource
//
// Package proxyroute builds them.
package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/preview/flame"
	"github.com/pyrobuild/pyrobuild/internal/proxyroute"
)

// Defaults of Options.
const (
	DefaultTimeout         = 15 * time.Second
	DefaultMaxRequestBody  = 1 << 20  // 1 MiB: Connect queries are a few hundred bytes
	DefaultMaxResponseBody = 32 << 20 // 32 MiB: a flame graph at maxNodes 8192 is well under 1 MiB
)

const globalSegment = proxyroute.GlobalSegment

// Options tune a Handler. The zero value is ready to use.
type Options struct {
	// Timeout bounds each upstream request, body included (default
	// DefaultTimeout).
	Timeout time.Duration
	// MaxRequestBody bounds the browser's request body (default
	// DefaultMaxRequestBody).
	MaxRequestBody int64
	// MaxResponseBody bounds the upstream answer (default
	// DefaultMaxResponseBody). The answer is read whole before it is sent
	// on, so an oversized one becomes a clear 502 instead of a cut body.
	MaxResponseBody int64
	// Transport sends the upstream requests. Nil means a transport of the
	// proxy's own, one per datasource so a Secret's tlsConfig applies;
	// when set, it is used for every datasource and tlsConfig is ignored.
	Transport http.RoundTripper
	// Logger receives one line per request (never a header or a secret
	// value). Nil discards.
	Logger *slog.Logger
	// Token is the preview server's token (NewToken): requests without it
	// in TokenHeader are refused. "" checks only Sec-Fetch-Site and Origin.
	Token string
}

// Endpoint is one method and path pattern the proxy forwards.
type Endpoint struct {
	Method string
	// Pattern is matched against the endpoint path the way the Perses
	// proxy does: unanchored unless it has ^ or $ itself.
	Pattern *regexp.Regexp
}

func (e Endpoint) String() string { return e.Method + " " + e.Pattern.String() }

// ReadEndpoints are the read-only calls of the Pyroscope plugin and of the
// preview: the flame graph, and the Connect queries for profile types,
// labels and series. They are what a direct-URL datasource, or a proxy
// without allowedEndpoints, may be asked for.
func ReadEndpoints() []Endpoint {
	return []Endpoint{
		{http.MethodGet, regexp.MustCompile(`^/pyroscope/render$`)},
		{http.MethodPost, regexp.MustCompile(`^/querier\.v1\.QuerierService/(ProfileTypes|LabelNames|LabelValues|Series|SelectMergeStacktraces|SelectSeries)$`)},
	}
}

// PathFor returns where h serves a datasource, given the scope a query's
// selector resolved to ("project", "global" or "dashboard", the values of
// compiler.ResolvedDatasource.Scope), its project, the dashboard (for the
// dashboard scope) and its name. It is false when h does not proxy it: a
// datasource of another plugin, or one that exists only on the server.
func (h *Handler) PathFor(scope, project, dashboard, name string) (string, bool) {
	switch scope {
	case "project":
		if h.project[project][name] != nil {
			return proxyroute.Project(project, name), true
		}
	case "global":
		if h.global[name] != nil {
			return proxyroute.Global(name), true
		}
	case "dashboard":
		if h.dashboard[project][dashboard][name] != nil {
			return proxyroute.Dashboard(project, dashboard, name), true
		}
	}
	return "", false
}

// Handler proxies preview requests to Pyroscope datasources. It is built
// once per compilation and never changes, so it is safe for concurrent use;
// serve swaps in a new one after a rebuild.
type Handler struct {
	opts      Options
	log       *slog.Logger
	project   map[string]map[string]*datasource
	global    map[string]*datasource
	dashboard map[string]map[string]map[string]*datasource // project → dashboard → key
	// others are datasources of other plugins, by route key, so a request
	// for one says what it is rather than "unknown".
	others map[string]string
}

// New builds a Handler from compiled resources: Datasource and
// GlobalDatasource resources (and dashboards' own datasources) of plugin
// kind PyroscopeDatasource, and the Secret and GlobalSecret resources their
// proxies name. Problems with one datasource (a secret missing from the
// sources, an unsupported OAuth secret) do not stop the others: they are
// answered as a 502 explaining them when that datasource is used.
func New(rs []*model.Resource, opts Options) *Handler {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRequestBody <= 0 {
		opts.MaxRequestBody = DefaultMaxRequestBody
	}
	if opts.MaxResponseBody <= 0 {
		opts.MaxResponseBody = DefaultMaxResponseBody
	}
	h := &Handler{opts: opts, log: opts.Logger,
		project: map[string]map[string]*datasource{}, global: map[string]*datasource{},
		dashboard: map[string]map[string]map[string]*datasource{}, others: map[string]string{}}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}

	projectSecrets := map[string]map[string]*model.Node{}
	globalSecrets := map[string]*model.Node{}
	for _, r := range rs {
		switch r.Kind {
		case "Secret":
			if projectSecrets[r.Project] == nil {
				projectSecrets[r.Project] = map[string]*model.Node{}
			}
			projectSecrets[r.Project][r.Name] = r.Node.Get("spec")
		case "GlobalSecret":
			globalSecrets[r.Name] = r.Node.Get("spec")
		}
	}
	for _, r := range rs {
		switch r.Kind {
		case "Datasource":
			if d := h.add(r.Project+"/"+r.Name, r.Node.Get("spec"), projectSecrets[r.Project]); d != nil {
				if h.project[r.Project] == nil {
					h.project[r.Project] = map[string]*datasource{}
				}
				h.project[r.Project][r.Name] = d
			}
			if r.Project == globalSegment {
				h.log.Warn("preview proxy: a project named _global cannot be reached; its datasources are not proxied", "datasource", r.Name)
			}
		case "GlobalDatasource":
			if d := h.add(globalSegment+"/"+r.Name, r.Node.Get("spec"), globalSecrets); d != nil {
				h.global[r.Name] = d
			}
		case "Dashboard":
			dss := r.Node.Get("spec").Get("datasources")
			if dss == nil || dss.Kind != model.MapKind {
				continue
			}
			for i, key := range dss.Keys {
				d := h.add(r.Project+"/@"+r.Name+"/"+key, dss.Vals[i], projectSecrets[r.Project])
				if d == nil {
					continue
				}
				byDash := h.dashboard[r.Project]
				if byDash == nil {
					byDash = map[string]map[string]*datasource{}
					h.dashboard[r.Project] = byDash
				}
				if byDash[r.Name] == nil {
					byDash[r.Name] = map[string]*datasource{}
				}
				byDash[r.Name][key] = d
			}
		}
	}
	return h
}

// add reads one datasource spec; it returns nil for other plugins, which
// it remembers for error messages.
func (h *Handler) add(id string, spec *model.Node, secrets map[string]*model.Node) *datasource {
	plugin := spec.Get("plugin")
	kind, _ := plugin.Str("kind")
	if kind != "PyroscopeDatasource" {
		h.others[id] = kind
		return nil
	}
	d := newDatasource(id, plugin.Get("spec"), secrets)
	if d.transport == nil {
		if h.opts.Transport != nil {
			d.transport = h.opts.Transport
		} else {
			d.transport = newTransport(d.tls)
		}
	}
	return d
}

// apiError is the body of every answer the proxy makes itself. Pyroscope's
// own error bodies ({"code", "message"}) pass through unchanged, so the
// page can tell the two apart.
type apiError struct {
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
}

// ErrorHeader is set on answers the proxy makes itself (its value is
// "proxy"), so a client can tell them from the datasource's own errors
// without parsing the body.
const ErrorHeader = "X-Pyrobuild-Error"

// InvalidAnswer is ErrorHeader's value when the upstream answered 200 with
// something that is not a valid flame graph (checked by package flame);
// it is "proxy" for the proxy's other errors.
const InvalidAnswer = "invalid-answer"

// UIHeader is set on every answer the datasource itself made: its value
// is where the datasource's Pyroscope serves its own UI (the URL as the
// user configured it, without user information or query), so the page
// can link a panel to it. Answers the proxy makes itself never carry it:
// a page without it shows no link.
const UIHeader = "X-Pyrobuild-Pyroscope-Ui"

// renderPath is the endpoint whose answers the preview draws.
const renderPath = "/pyroscope/render"

// fail answers with the proxy's own JSON error and logs it. Messages are
// built from names, hosts and paths only, never from a header or a secret.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, start time.Time, ds string, status int, msg, hint string) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	if hd.Get(ErrorHeader) == "" {
		hd.Set(ErrorHeader, "proxy")
	}
	if status == http.StatusMethodNotAllowed {
		hd.Set("Allow", "GET, POST")
	}
	w.WriteHeader(status)
	b, _ := json.Marshal(apiError{Error: msg, Hint: hint})
	_, _ = w.Write(append(b, '\n'))
	h.log.Warn("preview proxy", "method", r.Method, "path", r.URL.EscapedPath(), "datasource", ds, "status", status, "error", msg, "duration", time.Since(start).Round(time.Millisecond))
}

// ServeHTTP checks a preview request against its datasource and forwards it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if h.refuseEarly(w, r, start) {
		return
	}
	rt, status, msg, hint := h.route(r.URL.EscapedPath())
	if status != 0 {
		h.fail(w, r, start, rt.id, status, msg, hint)
		return
	}
	d := rt.ds
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		h.fail(w, r, start, d.id, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not proxied", r.Method), "the preview proxy forwards GET and POST only")
		return
	}
	if !d.allowed(r.Method, rt.path) {
		h.fail(w, r, start, d.id, http.StatusForbidden,
			fmt.Sprintf("%s %s is not allowed by datasource %s", r.Method, rt.path, d.id), d.allowHint())
		return
	}
	if d.err != "" {
		h.fail(w, r, start, d.id, http.StatusBadGateway, d.err, d.errHint)
		return
	}

	var body []byte
	if r.Method == http.MethodPost && r.Body != nil {
		if r.ContentLength > h.opts.MaxRequestBody {
			h.fail(w, r, start, d.id, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes is over the limit of %s", r.ContentLength, size(h.opts.MaxRequestBody)), "")
			return
		}
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxRequestBody))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				h.fail(w, r, start, d.id, http.StatusRequestEntityTooLarge, "request body is over the limit of "+size(h.opts.MaxRequestBody), "")
			} else {
				h.fail(w, r, start, d.id, http.StatusBadRequest, "reading the request body failed", "")
			}
			return
		}
	}

	target, err := d.target(rt.path, r.URL.RawQuery)
	if err != nil {
		h.fail(w, r, start, d.id, http.StatusBadRequest, err.Error(), "")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.Timeout)
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, r.Method, target.String(), bytes.NewReader(body))
	if err != nil {
		h.fail(w, r, start, d.id, http.StatusBadRequest, "the request cannot be forwarded: bad path or query", "")
		return
	}
	if r.Method == http.MethodGet {
		out.Body, out.ContentLength = nil, 0 // a GET body is never forwarded
	}
	copyRequestHeaders(out.Header, r.Header)
	if msg, hint := d.authorize(out, h.log); msg != "" {
		h.fail(w, r, start, d.id, http.StatusBadGateway, msg, hint)
		return
	}

	// RoundTrip, not a Client: redirects are not followed, so the request
	// cannot be sent on to a host the datasource does not name.
	resp, err := d.transport.RoundTrip(out)
	if err != nil {
		status, msg, hint := upstreamFailure(ctx, d, err, h.opts.Timeout)
		h.fail(w, r, start, d.id, status, msg, hint)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "" {
		h.fail(w, r, start, d.id, http.StatusBadGateway,
			fmt.Sprintf("%s answered %d, a redirect to %s: the preview proxy follows no redirects", d.base.Host, resp.StatusCode, redactLocation(resp.Header.Get("Location"), target)),
			"set the datasource URL to where the server really answers")
		return
	}
	limit := h.opts.MaxResponseBody
	tooLarge := fmt.Sprintf("the answer of %s is larger than %s", d.base.Host, size(limit))
	const tooLargeHint = "narrow the query or lower maxNodes"
	if resp.ContentLength > limit {
		h.fail(w, r, start, d.id, http.StatusBadGateway, tooLarge, tooLargeHint)
		return
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		status, msg, hint := upstreamFailure(ctx, d, err, h.opts.Timeout)
		h.fail(w, r, start, d.id, status, msg, hint)
		return
	}
	if int64(len(data)) > limit {
		h.fail(w, r, start, d.id, http.StatusBadGateway, tooLarge, tooLargeHint)
		return
	}

	if rt.path == renderPath && resp.StatusCode == http.StatusOK {
		// The preview draws this answer: check it is a flame graph first,
		// so a wrong URL (another service answering 200) or a broken
		// answer says so instead of drawing garbage.
		if _, err := flame.Decode(bytes.NewReader(data), 0); err != nil {
			w.Header().Set(ErrorHeader, InvalidAnswer)
			h.fail(w, r, start, d.id, http.StatusBadGateway, fmt.Sprintf("invalid answer from Pyroscope at %s: %v", d.base.Host, err),
				"check that the datasource's URL is Pyroscope's (the answer to /pyroscope/render must be a flame graph)")
			return
		}
	}
	copyResponseHeaders(w.Header(), resp.Header)
	w.Header().Set(UIHeader, d.uiURL())
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(data)
	h.log.Info("preview proxy", "method", r.Method, "datasource", d.id, "path", rt.path, "status", resp.StatusCode,
		"bytes", len(data), "duration", time.Since(start).Round(time.Millisecond))
}

// routed is a request's datasource and endpoint path.
type routed struct {
	id   string // for messages when ds is nil
	ds   *datasource
	path string // the cleaned endpoint path, starting with "/"
}

// route finds the datasource of an escaped request path and checks the
// endpoint path that follows it. A non-zero status is an error to answer.
func (h *Handler) route(escaped string) (rt routed, status int, msg, hint string) {
	const layout = "paths are /{project}/{datasource}/{endpoint} or /_global/{datasource}/{endpoint}"
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	// The datasource part: each segment is unescaped on its own, so a name
	// may hold any character without changing the path's structure.
	n := 2
	if len(segs) >= 2 && strings.HasPrefix(segs[1], "@") {
		n = 3
	}
	if len(segs) < n || slices.Contains(segs[:n], "") {
		return rt, http.StatusNotFound, "no datasource in path " + strconv.Quote(escaped), layout
	}
	names := make([]string, n)
	for i, s := range segs[:n] {
		u, err := url.PathUnescape(s)
		if err != nil {
			return rt, http.StatusBadRequest, "bad escape in path " + strconv.Quote(escaped), ""
		}
		names[i] = u
	}
	switch {
	case names[0] == globalSegment:
		rt.id = globalSegment + "/" + names[1]
		rt.ds = h.global[names[1]]
	case n == 3:
		rt.id = names[0] + "/" + names[1] + "/" + names[2]
		rt.ds = h.dashboard[names[0]][names[1][1:]][names[2]]
	default:
		rt.id = names[0] + "/" + names[1]
		rt.ds = h.project[names[0]][names[1]]
	}
	if rt.ds == nil {
		msg, hint := h.unknown(names)
		return rt, http.StatusNotFound, msg, hint
	}
	p, err := endpointPath(segs[n:])
	if err != nil {
		return rt, http.StatusBadRequest, fmt.Sprintf("endpoint path rejected: %v", err), "request a plain path such as /pyroscope/render"
	}
	rt.path = p
	return rt, 0, "", ""
}

// endpointPath checks the escaped segments after the datasource and
// returns the decoded path. Anything that could make the forwarded path
// differ from the one checked against allowedEndpoints, or leave the
// datasource's base path, is refused rather than normalised: "." and ".."
// segments (encoded too), empty segments ("//host"), encoded slashes and
// backslashes, control characters, and absolute URLs.
func endpointPath(segs []string) (string, error) {
	if len(segs) == 0 {
		return "/", nil
	}
	dec := make([]string, len(segs))
	for i, s := range segs {
		ls := strings.ToLower(s)
		if strings.Contains(ls, "%2f") || strings.Contains(ls, "%5c") {
			return "", errors.New("encoded slash or backslash")
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return "", errors.New("bad escape")
		}
		switch {
		case u == "":
			return "", errors.New("empty segment (// or a trailing slash)")
		case u == "." || u == "..":
			return "", errors.New("dot segment")
		case strings.ContainsAny(u, "\\"):
			return "", errors.New("backslash")
		case strings.ContainsFunc(u, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return "", errors.New("control character")
		}
		dec[i] = u
	}
	if strings.Contains(dec[0], ":") {
		return "", errors.New("absolute URL")
	}
	p := "/" + strings.Join(dec, "/")
	// Checked once more on the joined form: path.Clean must find nothing
	// to change.
	if path.Clean(p) != p || strings.Contains(p, "://") {
		return "", errors.New("path is not clean")
	}
	return p, nil
}

// unknown explains a request for a datasource the handler does not have.
func (h *Handler) unknown(names []string) (msg, hint string) {
	var scope map[string]*datasource
	var kind, where, name string
	switch {
	case names[0] == globalSegment:
		name, where, scope = names[1], "among global datasources", h.global
		kind = h.others[globalSegment+"/"+name]
	case len(names) == 3:
		name, scope = names[2], h.dashboard[names[0]][names[1][1:]]
		where = fmt.Sprintf("in dashboard %s/%s", names[0], names[1][1:])
		kind = h.others[names[0]+"/"+names[1]+"/"+name]
	default:
		name, where, scope = names[1], "in project "+strconv.Quote(names[0]), h.project[names[0]]
		kind = h.others[names[0]+"/"+name]
	}
	if kind != "" {
		return fmt.Sprintf("datasource %q %s is a %s datasource", name, where, kind), "the preview proxies PyroscopeDatasource datasources only"
	}
	msg = fmt.Sprintf("no Pyroscope datasource %q %s", name, where)
	var known []string
	for k := range scope {
		known = append(known, k)
	}
	slices.Sort(known)
	if s := compiler.Closest(name, known); s != "" {
		return msg, fmt.Sprintf("did you mean %q?", s)
	}
	if len(names) == 2 && names[0] != globalSegment && h.global[name] != nil {
		return msg, "it is a GlobalDatasource: request " + proxyroute.Global(name)
	}
	if len(known) > 0 {
		if len(known) > 10 {
			known = append(known[:10], "…")
		}
		return msg, "known: " + strings.Join(known, ", ")
	}
	return msg, "is it in the compiled sources? Datasources that exist only on the Perses server cannot be previewed"
}

// copyRequestHeaders copies what the browser sent, minus what belongs to
// the browser's own connection or identity: hop-by-hop headers, cookies,
// its Authorization (credentials come from the datasource's Secret only),
// and forwarding headers a client could spoof.
func copyRequestHeaders(dst, src http.Header) {
	drop := hopByHop(src)
	for k, vs := range src {
		ck := http.CanonicalHeaderKey(k)
		if drop[ck] || droppedRequest[ck] || strings.HasPrefix(ck, "X-Forwarded-") {
			continue
		}
		dst[ck] = slices.Clone(vs)
	}
}

var droppedRequest = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Host": true,
	// The transport asks for gzip itself and decompresses, so the size
	// limit applies to what is really sent on.
	"Accept-Encoding": true, "Content-Length": true,
	"Forwarded": true, "X-Real-Ip": true, "Origin": true, "Referer": true,
	// The preview's token is for the preview server only.
	TokenHeader: true,
}

// copyResponseHeaders copies the upstream's headers, minus hop-by-hop ones
// and cookies (which would land on the preview's origin), and marks the
// body as data: a hostile upstream's HTML must not run as the preview.
func copyResponseHeaders(dst, src http.Header) {
	drop := hopByHop(src)
	for k, vs := range src {
		ck := http.CanonicalHeaderKey(k)
		if drop[ck] || ck == "Set-Cookie" || ck == "Content-Length" || ck == "Alt-Svc" {
			continue
		}
		dst[ck] = slices.Clone(vs)
	}
	dst.Set("X-Content-Type-Options", "nosniff")
	dst.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
}

// hopByHop returns the hop-by-hop headers of h: the standard ones and those
// its Connection header names.
func hopByHop(h http.Header) map[string]bool {
	m := map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
		"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true}
	for _, v := range h.Values("Connection") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				m[http.CanonicalHeaderKey(f)] = true
			}
		}
	}
	return m
}

// upstreamFailure turns a transport error into an answer naming the host,
// never the full URL (which may carry user information) nor a header.
func upstreamFailure(ctx context.Context, d *datasource, err error, timeout time.Duration) (int, string, string) {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return http.StatusGatewayTimeout, fmt.Sprintf("%s did not answer within %s", d.base.Host, timeout),
			"the server is slow or unreachable; a narrower time range or a lower maxNodes makes queries cheaper"
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return http.StatusBadGateway, "the request was canceled", ""
	}
	cause := err
	if ue, ok := errors.AsType[*url.Error](err); ok {
		cause = ue.Err
	}
	hint := "check that the server is up and that this machine can reach it"
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		hint = "the host name does not resolve from this machine"
	}
	return http.StatusBadGateway, fmt.Sprintf("cannot reach %s://%s: %v", d.base.Scheme, d.base.Host, cause), hint
}

// redactLocation shows where a redirect points, without user information
// or query.
func redactLocation(loc string, base *url.URL) string {
	u, err := base.Parse(loc)
	if err != nil {
		return "an unparsable location"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// size formats a byte limit.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
