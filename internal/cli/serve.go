package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/preview"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

type serveOptions struct {
	site    siteOptions
	bind    string
	port    int
	open    bool
	poll    bool
	timeout time.Duration
}

func newServeCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &serveOptions{site: siteOptions{env: env}}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Preview the documentation site and the dashboards, with live reload",
		Long: `Serve builds the site like 'pyrobuild build' and serves it from memory.
It watches content/, templates/ and the dashboard sources; when one changes
it rebuilds what the change affects and the browser reloads the pages that
changed (stylesheets are swapped in place). Problems show as an overlay in
the browser, with their file:line, and clear when fixed.

Each compiled dashboard has a page with a live preview: its FlameChart
panels are drawn from the panel's Pyroscope datasource, reached through
the server (which applies the datasource's allowed endpoints and secrets;
the browser never sees a secret).

The server listens on 127.0.0.1 only, unless --bind says otherwise, and
then answers only requests addressed to localhost, 127.0.0.1 or [::1]
(others get 403, so that no web site can reach it through DNS rebinding);
bound to a network address it answers under any name. Site settings come
from pyrobuild.yaml as for 'pyrobuild build'.`,
		Example: `  pyrobuild serve --dashboards examples        # http://127.0.0.1:8080/
  pyrobuild serve --port 9000 --open
  pyrobuild serve --poll                       # network file systems, containers`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pc, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			pc.applySite(cmd.Flags(), &o.site)
			cfg, err := o.site.config(cmd)
			if err != nil {
				return err
			}
			return runServe(cmd.Context(), cfg, o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	addSiteFlags(f, &o.site)
	f.StringVar(&o.bind, "bind", "127.0.0.1", "address to listen on (anything but loopback exposes your sources and datasources to the network)")
	f.IntVarP(&o.port, "port", "p", 8080, "port to listen on (0 picks a free one)")
	f.BoolVar(&o.open, "open", false, "open the site in the default browser")
	f.BoolVar(&o.poll, "poll", false, "watch files by polling instead of file system events")
	f.DurationVar(&o.timeout, "proxy-timeout", 15*time.Second, "time-out of each preview request to a datasource")
	return cmd
}

func runServe(ctx context.Context, cfg site.Config, o *serveOptions, stdout, stderr io.Writer) error {
	if o.port < 0 || o.port > 65535 {
		return usageError{fmt.Errorf("--port %d: use 0 to 65535", o.port)}
	}
	ip := net.ParseIP(o.bind)
	if o.bind != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "pyrobuild: warning: --bind %s makes the preview, its dashboard sources and its datasource proxy reachable from the network\n", o.bind)
	}
	_, gogcSet := os.LookupEnv("GOGC")
	if !gogcSet {
		// As for build: the first build's peak is the server's (1,000
		// pages: RSS about 66 MB at 30, 70 at 50, for a tenth of a second
		// more to start).
		debug.SetGCPercent(30)
	}
	cfg.BaseURL = "/" // the preview is always served at the root
	cfg.Preview = true
	b, err := site.NewBuilder(cfg)
	if err != nil {
		return usageError{err}
	}
	color := colorWanted(stderr)
	shown := ""
	srv, err := preview.NewServer(ctx, b, preview.ServeOptions{Poll: o.poll, Log: stderr, ProxyTimeout: o.timeout,
		OnRebuild: func(_ preview.RebuildInfo, s *site.Site) {
			// Print problems when they change, not after every save.
			var buf bytes.Buffer
			printProblems(&buf, s, color)
			if buf.String() != shown {
				shown = buf.String()
				stderr.Write(buf.Bytes())
			}
		}})
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "stopped")
		return nil
	}
	if err != nil {
		return err
	}
	if !gogcSet {
		// Once the site is built, what stays live is mostly the pages
		// being served, and a rebuild makes little garbage: a tighter goal
		// keeps the heap close to the live site (1,000 pages, 16 edits:
		// peak RSS about 111 → 103 MB) without slowing rebuilds
		// measurably (edit → reload median unchanged).
		debug.SetGCPercent(25)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.bind, strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("cannot listen on %s:%d: %w (is another server using it? try --port)", o.bind, o.port, err)
	}
	url, all := openURL(ln.Addr())
	where := ""
	if all {
		where = ", listening on all interfaces"
	}
	fmt.Fprintf(stdout, "Serving %s on %s (Ctrl-C to stop%s)\n", plural(len(srv.Site().Pages), "page"), url, where)
	if o.open {
		openBrowser(url, stderr)
	}
	err = srv.Run(ctx, ln)
	fmt.Fprintln(stderr, "stopped")
	return err
}

// openURL is the URL a browser on this machine opens for a listener's
// address: a listener on every interface (0.0.0.0, ::) prints as
// http://[::]:8080/, which browsers refuse; it is reached at 127.0.0.1.
func openURL(addr net.Addr) (url string, all bool) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/", false
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host, all = "127.0.0.1", true
	}
	return "http://" + net.JoinHostPort(host, port) + "/", all
}

// printProblems prints a build's problems as compile does.
func printProblems(w io.Writer, s *site.Site, color bool) {
	r := &compiler.TextRenderer{Sources: s.Sources, Color: color}
	for _, d := range s.Diagnostics {
		if d.Severity != diag.Info {
			r.Render(w, d)
		}
	}
}

// openBrowser asks the desktop to open url; failing that, the URL printed
// above is enough.
func openBrowser(url string, stderr io.Writer) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "pyrobuild: could not open a browser (%v); open %s yourself\n", err, url)
		return
	}
	go cmd.Wait()
}
