// Package preview is the live preview server of pyrobuild serve: it
// serves a site from memory, rebuilds it when a source changes, and tells
// the browsers which pages to reload.
package preview

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/preview/live"
	"github.com/pyrobuild/pyrobuild/internal/preview/proxy"
	"github.com/pyrobuild/pyrobuild/internal/site"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
	"github.com/pyrobuild/pyrobuild/internal/watch"
)

// ServeOptions configure the preview server.
type ServeOptions struct {
	// Poll watches by polling instead of file system events.
	Poll bool
	// Debounce is the quiet time after the last change before a rebuild
	// (default: the watcher's).
	Debounce time.Duration
	// Log receives one line per rebuild and the watcher's notices.
	Log io.Writer
	// ProxyTimeout bounds each preview request to a datasource.
	ProxyTimeout time.Duration
	// OnRebuild, when set, is called after each rebuild (tests, benchmarks).
	OnRebuild func(RebuildInfo, *site.Site)
}

// RebuildInfo describes one rebuild.
type RebuildInfo struct {
	Changed  []string      // input files that changed
	Pages    []string      // URL paths whose HTML changed
	Took     time.Duration // from the first file event to the message sent
	Errors   int
	Build    string
	Rendered int // pages rendered afresh (the rest came from the cache)
}

// Server is the live preview: it serves the site from memory, rebuilds it
// when a source changes, and tells the browsers which pages to reload.
type Server struct {
	b    *site.Builder
	opts ServeOptions
	hub  *live.Hub
	cur  atomic.Pointer[served]
	log  io.Writer

	// token is sent by the preview's pages with every proxy request; other
	// web sites cannot read it (see package proxy).
	token string

	// anyHost: the listener is not on loopback (--bind 0.0.0.0): any Host
	// header is accepted. Otherwise only loopback names are (DNS rebinding).
	anyHost bool

	mu      sync.Mutex // serializes rebuilds
	watcher *watch.Watcher
	// good is the last build whose pages could be laid out: while the
	// templates are broken the server keeps serving it, under the overlay.
	good *site.Site
}

// served is one build as the server holds it.
type served struct {
	site   *site.Site
	build  string
	hashes map[string][32]byte
	proxy  http.Handler
	// fallback: no build has laid pages out yet (broken templates from the
	// start); pages are the built-in error page until one does.
	fallback bool
}

// NewServer builds the site once and returns a server for it; b must be
// the server's own, as it is set to track changes. Problems in the sources
// do not stop the server: they show in the browser. ctx bounds the first
// build.
func NewServer(ctx context.Context, b *site.Builder, opts ServeOptions) (*Server, error) {
	b.TrackChanges()
	s := &Server{b: b, opts: opts, hub: live.NewHub(), log: opts.Log, token: proxy.NewToken()}
	if s.log == nil {
		s.log = io.Discard
	}
	if _, err := s.rebuild(ctx, nil, time.Now()); err != nil {
		return nil, err
	}
	return s, nil
}

// Site returns the site being served.
func (s *Server) Site() *site.Site { return s.cur.Load().site }

// Hub returns the server's live-reload hub.
func (s *Server) Hub() *live.Hub { return s.hub }

// rebuild builds the site, compares it with the one being served and
// tells the browsers what changed.
func (s *Server) rebuild(ctx context.Context, changed []string, first time.Time) (RebuildInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.b.Rendered()
	fresh, err := s.b.BuildPacked(ctx)
	if err != nil {
		return RebuildInfo{}, err
	}
	built, fallback := s.keepGood(fresh)
	names := built.Outputs()
	next := &served{site: built, hashes: make(map[string][32]byte, len(names)), fallback: fallback}
	h := sha256.New()
	prev := s.cur.Load()
	for _, n := range names {
		// Packed pages are hashed when packed, the search index by its
		// fragments.
		if sum, ok := built.Sum(n); ok {
			next.hashes[n] = sum
		}
		data := built.Files[n]
		// A file the builder reused is the same slice as before: no need
		// to hash it again.
		if _, ok := next.hashes[n]; !ok && prev != nil {
			if pd, ok := prev.site.Files[n]; ok && len(pd) == len(data) && (len(data) == 0 || &pd[0] == &data[0]) {
				next.hashes[n] = prev.hashes[n]
			}
		}
		if _, ok := next.hashes[n]; !ok {
			next.hashes[n] = sha256.Sum256(data)
		}
		sum := next.hashes[n]
		h.Write([]byte(n))
		h.Write(sum[:])
	}
	next.build = hex.EncodeToString(h.Sum(nil))[:12]
	var rs []*model.Resource
	if built.Dashboards != nil {
		rs = built.Dashboards.Resources
	}
	next.proxy = http.StripPrefix(site.ProxyPrefix, proxy.New(rs, proxy.Options{Timeout: s.opts.ProxyTimeout, Token: s.token,
		Logger: slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelWarn}))}))
	s.cur.Store(next)

	info := RebuildInfo{Changed: changed, Build: next.build, Errors: built.Diagnostics.Count(diag.Error),
		Rendered: int(s.b.Rendered() - before)}
	msg := live.Message{Type: "reload", Build: next.build}
	if prev != nil {
		for _, n := range names {
			old, ok := prev.hashes[n]
			if ok && old == next.hashes[n] {
				continue
			}
			switch {
			case strings.HasSuffix(n, ".html"):
				p := "/" + strings.TrimSuffix(n, "index.html")
				msg.Pages = append(msg.Pages, p)
			case strings.HasSuffix(n, ".css"):
				sum := next.hashes[n]
				msg.CSS = append(msg.CSS, "/"+n+"?v="+hex.EncodeToString(sum[:5]))
			case n == "search-index.json", n == "sitemap.xml", n == "robots.txt":
			default:
				msg.All = true // a script or an image: reload to be sure
			}
		}
		for n := range prev.hashes {
			if _, ok := next.hashes[n]; !ok && strings.HasSuffix(n, ".html") {
				msg.Pages = append(msg.Pages, "/"+strings.TrimSuffix(n, "index.html"))
			}
		}
		if len(msg.CSS) > 0 && !msg.All {
			msg.Pages = onlyContentChanges(msg.Pages, prev.site, built)
		}
		sort.Strings(msg.Pages)
		info.Pages = msg.Pages
		if len(msg.Pages) > 0 || len(msg.CSS) > 0 || msg.All {
			s.hub.Send(msg)
		}
	}
	s.hub.Send(stateMessage(built, next.build))
	info.Took = time.Since(first)
	if s.opts.OnRebuild != nil {
		s.opts.OnRebuild(info, built)
	}
	return info, nil
}

// keepGood decides what to serve after a build. A build whose templates
// fail lays out no page (or not all of them): the last good build stays
// served, with the new build's problems, so that the overlay shows over
// the last page built and the site recovers when the template is fixed.
// With no good build yet, the fallback is the built-in error page. A page
// that failed on its own (broken front matter) keeps its last good
// version likewise.
func (s *Server) keepGood(built *site.Site) (_ *site.Site, fallback bool) {
	if templateBroken(built) {
		if s.good == nil {
			return built, true
		}
		kept := *s.good
		kept.Diagnostics, kept.Sources = built.Diagnostics, built.Sources
		kept.Inputs = append(built.Inputs[:len(built.Inputs):len(built.Inputs)], s.good.Inputs...)
		return &kept, false
	}
	if s.good != nil && built.HasErrors() {
		failed := map[string]bool{}
		for _, d := range built.Diagnostics {
			if d.Severity == diag.Error {
				failed[d.Pos.File] = true
			}
		}
		for _, p := range s.good.Pages {
			if built.Has(p.Out) || !failed[p.File] {
				continue // laid out anew, or gone
			}
			built.Adopt(s.good, p)
		}
	}
	s.good = built
	return built, false
}

// templateBroken reports whether a build's templates failed, so that its
// pages are missing.
func templateBroken(built *site.Site) bool {
	for _, d := range built.Diagnostics {
		if d.Severity == diag.Error && d.Code == sitediag.CodeTemplate {
			return true
		}
	}
	return false
}

// stateMessage is the overlay's content: the build's errors and warnings,
// or "ok". Each problem is made from the diagnostic's data, its excerpts
// rendered alone from the sources.
func stateMessage(site *site.Site, build string) live.Message {
	if !site.HasErrors() {
		return live.Message{Type: "ok", Build: build}
	}
	m := live.Message{Type: "errors", Build: build}
	r := &compiler.TextRenderer{Sources: site.Sources}
	for _, d := range site.Diagnostics {
		if d.Severity == diag.Info {
			continue
		}
		p := live.Problem{Severity: d.Severity.String(), Code: string(d.Code), Where: where(d.Pos), Message: diag.RedactURLs(d.Message), Hint: diag.RedactURLs(d.Hint),
			Excerpt: excerpt(r, d)}
		for _, n := range d.Notes {
			// A note's line is about the same value: it is masked as the
			// diagnostic's is (Path).
			at := diag.Diagnostic{Severity: diag.Info, Pos: n.Pos, End: n.End, Path: d.Path}
			p.Notes = append(p.Notes, live.Note{Where: where(n.Pos), Message: diag.RedactURLs(n.Message), Excerpt: excerpt(r, at)})
		}
		m.Problems = append(m.Problems, p)
	}
	return m
}

// where is a position as the overlay shows it: "" when it names no file.
func where(p diag.Pos) string {
	if p.File == "" {
		return ""
	}
	return p.String()
}

// excerpt is d's source line with its caret, "" when its source is not
// known.
func excerpt(r *compiler.TextRenderer, d diag.Diagnostic) string {
	var b strings.Builder
	r.Excerpt(&b, d)
	return strings.TrimRight(b.String(), "\n")
}

// ServeHTTP serves the site from memory. Paths are looked up in the built
// file set, never on disk, so no request can read outside the site.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.anyHost && !loopbackHost(r.Host) {
		// A page of another site whose name resolves to 127.0.0.1 (DNS
		// rebinding) would otherwise read the preview, and the profiles
		// behind the datasource proxy with the datasource's credentials.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "pyrobuild serve: refused a request for host %q. The preview answers only to localhost, 127.0.0.1 and [::1]\n"+
			"(this keeps other web sites out, through DNS rebinding). Open it as http://localhost:PORT/, or pass\n"+
			"--bind with a network address to serve it under other names.\n", r.Host)
		return
	}
	cur := s.cur.Load()
	switch {
	case r.URL.Path == live.EventsPath:
		s.hub.ServeHTTP(w, r)
		return
	case r.URL.Path == live.ScriptPath:
		live.ServeScript(w, r)
		return
	case strings.HasPrefix(r.URL.Path, site.ProxyPrefix+"/"):
		cur.proxy.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, redirect, ok := s.lookup(cur, r.URL.Path)
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusMovedPermanently)
		return
	}
	status := http.StatusOK
	if !ok {
		name, status = "404.html", http.StatusNotFound
	}
	packed := cur.site.Packed(name)
	var data []byte
	exists := packed != nil
	if !exists {
		data, exists = cur.site.File(name)
	}
	if cur.fallback && (!ok || strings.HasSuffix(name, ".html")) {
		// No page could be built yet: the error page, which carries the
		// reload script, so that fixing the template reloads the browser.
		data, exists, status = errorPage(cur.site), true, http.StatusInternalServerError
		name, packed = "error.html", nil
	}
	if !exists {
		data, name = errorPage(cur.site), "404.html"
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	h := w.Header()
	switch {
	case packed != nil:
		// A packed page goes out as it is kept, compressed, to every
		// client that takes gzip (every browser); the rest get it unpacked.
		if ctype == "" {
			ctype = "text/html; charset=utf-8"
		}
		tail := live.Inject(proxy.InjectToken(packed.Tail(), s.token), cur.build)
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			data = packed.Gzip(tail)
			h.Set("Content-Encoding", "gzip")
		} else {
			data = packed.Bytes(tail)
		}
	case strings.HasSuffix(name, ".html"):
		data = live.Inject(proxy.InjectToken(data, s.token), cur.build)
	}
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if packed != nil {
		h.Set("Content-Length", strconv.Itoa(len(data)))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// acceptsGzip reports whether a request's Accept-Encoding takes gzip: by
// name, or by * when it does not name it; a q of 0 refuses.
func acceptsGzip(r *http.Request) bool {
	star := false
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			if coding != "*" {
				return q > 0
			}
			star = q > 0
		}
	}
	return star
}

// loopbackHost reports whether a Host header names this machine by a
// loopback name or address (any port): localhost, *.localhost (which
// resolve to loopback by RFC 6761), 127.0.0.0/8, [::1].
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errorPage is the built-in page served when the site has none to show:
// the problems in plain HTML (the overlay shows them too, with the live
// script).
func errorPage(site *site.Site) []byte {
	var b bytes.Buffer
	title := "Page not found"
	if site.HasErrors() {
		title = "The site could not be built"
	}
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\" data-pb-fallback=\"1\">\n<head><meta charset=\"utf-8\"><title>pyrobuild: %s</title></head>\n<body>\n<h1>%s</h1>\n", title, title)
	if site.HasErrors() {
		b.WriteString("<p>Fix the sources and save: this page reloads by itself.</p>\n<pre>")
		var text bytes.Buffer
		printDiagnostics(&text, site)
		b.WriteString(template.HTMLEscapeString(text.String()))
		b.WriteString("</pre>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}

// printDiagnostics writes a site's errors and warnings as the command line
// shows them.
func printDiagnostics(w io.Writer, site *site.Site) {
	r := &compiler.TextRenderer{Sources: site.Sources}
	for _, d := range site.Diagnostics {
		if d.Severity != diag.Info {
			r.Render(w, d)
		}
	}
}

// lookup maps a URL path to a built file. It cleans the path first, so
// "/../x", "/a/%2e%2e/x" and the like can only name files of the site.
func (s *Server) lookup(cur *served, urlPath string) (name, redirect string, ok bool) {
	p := path.Clean("/" + urlPath)
	if strings.Contains(p, "\x00") {
		return "", "", false
	}
	rel := strings.TrimPrefix(p, "/")
	if strings.HasSuffix(urlPath, "/") && rel != "" {
		rel += "/"
	}
	if rel == "" || strings.HasSuffix(rel, "/") {
		n := rel + "index.html"
		return n, "", cur.site.Has(n)
	}
	if cur.site.Has(rel) {
		return rel, "", true
	}
	if cur.site.Has(rel + "/index.html") {
		return "", "/" + rel + "/", false
	}
	return "", "", false
}

// Run serves on ln and rebuilds on every change of the site's inputs until
// ctx is done. It returns after the server has shut down.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	w, err := watch.New(s.b.WatchRoots(), watch.Options{Poll: s.opts.Poll, Debounce: s.opts.Debounce,
		Logf: func(format string, args ...any) { fmt.Fprintf(s.log, format+"\n", args...) }})
	if err != nil {
		return err
	}
	s.watcher = w
	s.watchInputs()
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		s.anyHost = true // the user opted in to the network (--bind)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := range w.Batches() {
			s.b.Invalidate(batch.Paths)
			info, err := s.rebuild(ctx, batch.Paths, batch.First)
			if ctx.Err() != nil {
				continue // shutting down: the build was cut short
			}
			if err != nil {
				fmt.Fprintf(s.log, "rebuild failed: %v\n", err)
				continue
			}
			fmt.Fprintf(s.log, "rebuilt in %s: %s changed, %s updated, %s\n", info.Took.Round(time.Millisecond),
				plural(len(info.Changed), "file"), plural(len(info.Pages), "page"), errorWord(info.Errors))
			s.watchInputs() // sources a rebuild started to use (a new include, a new import)
		}
	}()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	w.Close()
	<-done
	s.hub.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// watchInputs adds to the watcher every file the site was built from that
// the roots do not cover: a dashboard's include elsewhere, and everything
// the compiler read for the Go dashboards (the local packages they import,
// go.mod, go.sum, go.work), so that changing one rebuilds.
func (s *Server) watchInputs() {
	site := s.Site()
	for _, in := range site.Inputs {
		s.watcher.Add(in)
	}
	if site.Dashboards != nil {
		for _, in := range site.Dashboards.Inputs {
			s.watcher.Add(in) // may not exist (go.work, vendor/): then an error, ignored
		}
	}
}

func errorWord(n int) string {
	if n == 0 {
		return "no errors"
	}
	return plural(n, "error")
}

var assetVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\?v=[0-9a-f]{10}`) })

// onlyContentChanges drops the pages whose only change is the version of
// a stylesheet they link: the browser swaps the stylesheet instead of
// reloading them.
func onlyContentChanges(pages []string, prev, next *site.Site) []string {
	var out []string
	for _, p := range pages {
		name := strings.TrimPrefix(p, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		if pa, pb := prev.Packed(name), next.Packed(name); pa != nil && pb != nil {
			if pa.Content() != pb.Content() {
				out = append(out, p)
			}
			continue
		}
		a, _ := prev.File(name)
		b, _ := next.File(name)
		if a == nil || b == nil || !bytes.Equal(assetVersion().ReplaceAll(a, nil), assetVersion().ReplaceAll(b, nil)) {
			out = append(out, p)
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
