package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/perses"
	"github.com/pyrobuild/pyrobuild/internal/remote"
)

// remoteOptions are the flags of the commands that talk to a Perses
// server: apply, diff --url and pull.
type remoteOptions struct {
	url      string
	token    string
	caFile   string
	insecure bool
	timeout  time.Duration
}

func (o *remoteOptions) flags(f *pflag.FlagSet, urlUsage string) {
	f.StringVar(&o.url, "url", "", urlUsage)
	f.StringVar(&o.token, "token", "", "the API token (prefer $PERSES_TOKEN: a flag shows in the process list); default $PERSES_TOKEN, or percli's login")
	f.StringVar(&o.caFile, "ca-file", "", "a PEM file of the authorities that signed the server's certificate (default: server.ca_file)")
	f.BoolVar(&o.insecure, "insecure-skip-tls-verify", false, "accept any certificate of the server (tests only)")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long each request to the server may take")
}

// fromConfig applies pyrobuild.yaml's server section to the flags not
// given.
func (o *remoteOptions) fromConfig(f *pflag.FlagSet, c *projectConfig) {
	override(f, "url", &o.url, c.serverURL)
	override(f, "ca-file", &o.caFile, c.serverCAFile)
	override(f, "insecure-skip-tls-verify", &o.insecure, c.serverInsecure)
}

// client makes the server's client. The token is --token, else
// $PERSES_TOKEN, else the one `percli login` left in ~/.perses/config.json
// when percli logged in to the same server (or when no URL is given:
// then percli's server is used too). The token itself is never printed.
func (o *remoteOptions) client() (*perses.Client, error) {
	url, token, insecure := o.url, o.token, o.insecure
	if token == "" {
		token = os.Getenv("PERSES_TOKEN")
	}
	if token == "" || url == "" {
		login, err := readPercliLogin()
		if err != nil {
			return nil, usageError{fmt.Errorf("percli's login: %w", err)}
		}
		if login != nil && (url == "" || sameServer(url, login.URL)) {
			if url == "" {
				url = login.URL
				insecure = insecure || login.Insecure
			}
			if token == "" {
				token = login.Token
			}
		}
	}
	if url == "" {
		return nil, usageError{errors.New("no Perses server: give --url, set server.url in pyrobuild.yaml, or run percli login")}
	}
	c, err := perses.New(perses.Options{URL: url, Token: token, CAFile: o.caFile, Insecure: insecure, Timeout: o.timeout, UserAgent: "pyrobuild/" + version()})
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

func sameServer(a, b string) bool {
	trim := func(s string) string {
		for len(s) > 0 && s[len(s)-1] == '/' {
			s = s[:len(s)-1]
		}
		return s
	}
	return trim(a) == trim(b)
}

// compileForServer compiles paths for apply and diff --url, printing the
// problems (in mode: text, json or github); it returns errSources when
// the sources have errors, or name kinds the server API subset lacks:
// nothing is sent then.
func compileForServer(ctx context.Context, o *compileOptions, paths []string, mode, verb string, stdout, stderr io.Writer) (*compiler.Result, error) {
	if o.goTimeout <= 0 {
		return nil, usageError{fmt.Errorf("--go-timeout must be positive, got %s", o.goTimeout)}
	}
	opts := o.env.compileOptions()
	opts.Paths, opts.Strict, opts.ServerDatasources, opts.GoTimeout = paths, o.strict, o.serverDatasources, o.goTimeout
	if o.output != "" {
		opts.Skip = []string{o.output}
	}
	res, err := compiler.Compile(ctx, opts)
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "%s %v\n", verb, context.Cause(ctx))
		return nil, errInterrupted
	}
	if err != nil {
		return nil, err
	}
	res.Diagnostics = append(res.Diagnostics, remote.Unsupported(res.Resources)...)
	res.Diagnostics.Sort()
	// In JSON, problems are one document: the caller prints these with
	// what the server says (see deferredJSON), unless they stop the run.
	if mode != "json" || res.Diagnostics.HasErrors() {
		if err := printDiagnostics(res.Diagnostics, res.Sources, mode, o.quiet, stdout, stderr); err != nil {
			return nil, err
		}
	}
	if res.Diagnostics.HasErrors() {
		fmt.Fprintf(stderr, "%s failed: %s; nothing was sent to the server\n", verb, res.Diagnostics.Summary())
		return nil, errSources
	}
	return res, nil
}

// reportProblems prints problems found after compiling (secrets, the
// server's refusals) as compile prints those of the sources; in JSON,
// with the compilation's, as one document.
func reportProblems(ds diag.Diagnostics, res *compiler.Result, mode string, stdout, stderr io.Writer) error {
	if mode == "json" {
		ds = append(append(diag.Diagnostics{}, res.Diagnostics...), ds...)
	}
	ds.Sort()
	return printDiagnostics(ds, res.Sources, mode, false, stdout, stderr)
}

// deferredJSON prints the compilation's problems held back in JSON mode
// (compileForServer), when nothing else is reported.
func deferredJSON(res *compiler.Result, mode string, stdout io.Writer) error {
	if mode != "json" {
		return nil
	}
	return diag.RenderJSON(stdout, res.Diagnostics)
}

// compileFlags registers the compile flags apply and diff --url share.
func compileFlags(cmd *cobra.Command, o *compileOptions) {
	f := cmd.Flags()
	f.StringVar(&o.diagnostics, "diagnostics", "text", "how to print problems: text, json or github (Actions annotations)")
	f.BoolVar(&o.strict, "strict", false, "treat warnings in the sources as errors")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "leave notes about the sources out")
	f.StringArrayVar(&o.serverDatasources, "server-datasource", nil, "a datasource NAME that exists only on the Perses server (repeatable; \"default\" for a default one)")
	f.DurationVar(&o.goTimeout, "go-timeout", compiler.DefaultGoTimeout, "how long each Go dashboards program may run")
	cmd.RegisterFlagCompletionFunc("diagnostics", completeDiagnostics)
}

func checkDiagnosticsMode(mode string) error {
	switch mode {
	case "text", "json", "github":
		return nil
	}
	return usageError{fmt.Errorf("unknown --diagnostics %q: use text, json or github", mode)}
}

// serverError is the message of a failed request, with what to check.
func serverError(c *perses.Client, err error) error {
	var e *perses.Error
	if errors.As(err, &e) {
		return fmt.Errorf("server %s: %w", c.URL(), err)
	}
	return fmt.Errorf("server %s: %w (is it running, and is the URL right?)", c.URL(), err)
}

// percliHomes are the folders whose .perses/config.json may hold percli's
// login: $HOME's, then the account's home folder, where percli itself
// writes (it asks the user database, not $HOME). A variable for tests.
var percliHomes = func() []string {
	var homes []string
	if h := os.Getenv("HOME"); h != "" {
		homes = append(homes, h)
	}
	if u, err := user.Current(); err == nil && u.HomeDir != "" && (len(homes) == 0 || u.HomeDir != homes[0]) {
		homes = append(homes, u.HomeDir)
	}
	return homes
}

// readPercliLogin reads the first of percli's configuration files found.
func readPercliLogin() (*perses.PercliLogin, error) {
	for _, h := range percliHomes() {
		l, err := perses.ReadPercliLogin(perses.PercliConfigPath(h))
		if l != nil || err != nil {
			return l, err
		}
	}
	return nil, nil
}
