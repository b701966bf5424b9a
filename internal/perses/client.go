// Package perses is a client for the part of the Perses REST API that
// pyrobuild's apply, diff --url and pull use: projects, their dashboards,
// datasources, secrets and variables, the global datasources, secrets and
// variables, and the validation endpoints. It moves JSON documents and
// knows nothing of pyrobuild's model.
//
// The token a Client sends is never part of what it returns: every error
// is redacted before it leaves the package.
package perses

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Options say how to reach a server.
type Options struct {
	// URL is the server's base URL (https://perses.example.com).
	URL string
	// Token is sent as a bearer token when not empty.
	Token string
	// CAFile is a PEM file of the authorities to trust, beside the
	// system's.
	CAFile string
	// Insecure accepts any server certificate.
	Insecure bool
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration
	// UserAgent is sent with each request.
	UserAgent string
}

// Client talks to one Perses server.
type Client struct {
	base  *url.URL
	token string
	agent string
	http  *http.Client
}

// New returns a client for the server o names. It checks the URL and
// reads the CA file; it sends nothing.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(o.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not a server URL: give http(s)://host[:port]", redactURL(o.URL))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: put credentials in --token or $PERSES_TOKEN, not in the URL", redactURL(o.URL))
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if o.CAFile != "" || o.Insecure {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // asked for by --insecure-skip-tls-verify
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("--ca-file: %w", err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", o.CAFile)
			}
			cfg.RootCAs = pool
		}
		tr.TLSClientConfig = cfg
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	agent := o.UserAgent
	if agent == "" {
		agent = "pyrobuild"
	}
	return &Client{base: u, token: o.Token, agent: agent, http: &http.Client{Transport: tr, Timeout: timeout}}, nil
}

// URL is the server's base URL, for messages.
func (c *Client) URL() string { return c.base.String() }

// Ref names a resource on the server.
type Ref struct {
	Kind    string
	Project string // "" for Project and the global kinds
	Name    string
}

func (r Ref) String() string {
	if r.Project == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Project + "/" + r.Name
}

// plural is the path segment of each kind the client handles.
var plural = map[string]string{
	"Project": "projects", "Dashboard": "dashboards", "Datasource": "datasources", "Secret": "secrets", "Variable": "variables",
	"GlobalDatasource": "globaldatasources", "GlobalSecret": "globalsecrets", "GlobalVariable": "globalvariables",
}

// Supported reports whether the client handles resources of kind.
func Supported(kind string) bool { return plural[kind] != "" }

// Global reports whether kind is a resource outside projects (Project
// included).
func Global(kind string) bool {
	return kind == "Project" || strings.HasPrefix(kind, "Global")
}

// ProjectKinds are the kinds inside a project the client handles, in the
// order they are written.
var ProjectKinds = []string{"Secret", "Datasource", "Variable", "Dashboard"}

// collection is the path of the list a resource belongs to.
func collection(kind, project string) (string, error) {
	p := plural[kind]
	if p == "" {
		return "", fmt.Errorf("kind %s is not handled (only %s)", kind, strings.Join(kindNames(), ", "))
	}
	if Global(kind) {
		return "/api/v1/" + p, nil
	}
	if project == "" {
		return "", fmt.Errorf("a %s needs a project", kind)
	}
	return "/api/v1/projects/" + url.PathEscape(project) + "/" + p, nil
}

func kindNames() []string {
	return []string{"Project", "GlobalSecret", "GlobalDatasource", "GlobalVariable", "Secret", "Datasource", "Variable", "Dashboard"}
}

// Error is a request the server answered with an error status.
type Error struct {
	Method, Path string
	Status       int
	// Message is the server's message ({"message": ...}), or the start of
	// its answer.
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// NotFound reports whether err is the server's 404.
func NotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Get returns the resource ref names, or an error for which NotFound is
// true when the server has none.
func (c *Client) Get(ctx context.Context, ref Ref) (json.RawMessage, error) {
	p, err := collection(ref.Kind, ref.Project)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, http.MethodGet, p+"/"+url.PathEscape(ref.Name), nil)
}

// List returns the resources of kind (in project, for the kinds inside
// one).
func (c *Client) List(ctx context.Context, kind, project string) ([]json.RawMessage, error) {
	p, err := collection(kind, project)
	if err != nil {
		return nil, err
	}
	body, err := c.do(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, c.redact(fmt.Errorf("GET %s: the answer is not a JSON list: %v", p, err))
	}
	return items, nil
}

// Create writes a new resource (POST).
func (c *Client) Create(ctx context.Context, ref Ref, doc []byte) error {
	p, err := collection(ref.Kind, ref.Project)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPost, p, doc)
	return err
}

// Update replaces a resource (PUT).
func (c *Client) Update(ctx context.Context, ref Ref, doc []byte) error {
	p, err := collection(ref.Kind, ref.Project)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPut, p+"/"+url.PathEscape(ref.Name), doc)
	return err
}

// Delete deletes a resource.
func (c *Client) Delete(ctx context.Context, ref Ref) error {
	p, err := collection(ref.Kind, ref.Project)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodDelete, p+"/"+url.PathEscape(ref.Name), nil)
	return err
}

// validated are the kinds the server has a validation endpoint for.
var validated = map[string]string{
	"Dashboard": "dashboards", "Datasource": "datasources", "GlobalDatasource": "globaldatasources",
	"Variable": "variables", "GlobalVariable": "globalvariables",
}

// CanValidate reports whether the server validates resources of kind
// without writing them.
func CanValidate(kind string) bool { return validated[kind] != "" }

// Validate asks the server whether it would accept doc, a resource of
// kind, without writing it. The server's refusal is an *Error (400).
func (c *Client) Validate(ctx context.Context, kind string, doc []byte) error {
	p := validated[kind]
	if p == "" {
		return fmt.Errorf("the server has no validation for %s", kind)
	}
	_, err := c.do(ctx, http.MethodPost, "/api/validate/"+p, doc)
	return err
}

// maxBody bounds an answer read: a project's dashboards fit well below.
const maxBody = 256 << 20

func (c *Client) do(ctx context.Context, method, path string, body []byte) (json.RawMessage, error) {
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, c.redact(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.agent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.redact(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, c.redact(fmt.Errorf("%s %s: reading the answer: %w", method, path, err))
	}
	if resp.StatusCode >= 300 {
		e := &Error{Method: method, Path: path, Status: resp.StatusCode, Message: serverMessage(data)}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			e.Message += authHint(c.token != "")
		}
		e.Message = c.redactString(e.Message)
		return nil, e
	}
	return data, nil
}

func authHint(hasToken bool) string {
	if hasToken {
		return " (the token was refused: it may have expired; run percli login again, or give another with --token or $PERSES_TOKEN)"
	}
	return " (the server wants credentials: give a token with --token or $PERSES_TOKEN, or run percli login)"
}

// serverMessage is the message of an error answer: Perses answers
// {"message": "..."}.
func serverMessage(data []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &m) == nil && m.Message != "" {
		return m.Message
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		s = "(no message)"
	}
	return s
}

// redact removes the token from err's text.
func (c *Client) redact(err error) error {
	if err == nil || c.token == "" || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return errors.New(c.redactString(err.Error()))
}

func (c *Client) redactString(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[redacted]")
}

// redactURL hides the password of a URL written with one.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 {
			return "[redacted]" + s[i:]
		}
		return s
	}
	return u.Redacted()
}
