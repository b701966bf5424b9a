package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// datasource is one Pyroscope datasource as the proxy reaches it.
type datasource struct {
	id        string   // for messages and logs: project/name, _global/name, project/@dashboard/key
	base      *url.URL // scheme, host and base path of every upstream request
	direct    bool     // directUrl: the browser would call it itself in Perses
	endpoints []Endpoint
	custom    bool // endpoints come from allowedEndpoints
	headers   http.Header
	secret    *secret
	tls       *tls.Config
	transport http.RoundTripper

	// err, when set, is why the datasource cannot be used; it is answered
	// as a 502 with errHint (after the endpoint check, so a denied
	// endpoint still says so).
	err, errHint string
}

// newDatasource reads a PyroscopeDatasource plugin spec.
func newDatasource(id string, spec *model.Node, secrets map[string]*model.Node) *datasource {
	d := &datasource{id: id, endpoints: ReadEndpoints(), headers: http.Header{}}
	raw, direct := spec.Str("directUrl")
	proxy := spec.Get("proxy").Get("spec")
	d.direct = direct
	if !direct {
		raw, _ = proxy.Str("url")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.base = &url.URL{Scheme: "http", Host: "invalid"}
		d.err = fmt.Sprintf("datasource %s has no usable URL", id)
		d.errHint = "set directUrl, or proxy.spec.url, to an http:// or https:// URL"
		return d
	}
	// User information in the URL is ignored, as the Perses proxy ignores
	// it: credentials belong in a Secret.
	d.base = &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.Path, "/")}
	if direct {
		return d
	}

	if eps := proxy.Get("allowedEndpoints").List(); len(eps) > 0 {
		d.endpoints, d.custom = nil, true
		for _, ep := range eps {
			pat, _ := ep.Str("endpointPattern")
			method, _ := ep.Str("method")
			re, err := regexp.Compile(pat)
			if err != nil {
				d.err = fmt.Sprintf("datasource %s has an endpointPattern that does not compile: %q", id, pat)
				d.errHint = "fix it in the source; pyrobuild compile reports it too"
				continue
			}
			d.endpoints = append(d.endpoints, Endpoint{Method: strings.ToUpper(method), Pattern: re})
		}
	}
	if hs := proxy.Get("headers"); hs != nil {
		for i, k := range hs.Keys {
			ck := http.CanonicalHeaderKey(k)
			// As in Perses, the Authorization header comes from the Secret
			// only; Host and hop-by-hop headers would change where or how
			// the request goes.
			if ck == "Authorization" || ck == "Host" || hopByHop(nil)[ck] {
				continue
			}
			if v := hs.Vals[i]; v.Kind == model.StringKind {
				d.headers.Set(ck, v.Value)
			}
		}
	}
	if name, ok := proxy.Str("secret"); ok {
		spec := secrets[name]
		if spec == nil {
			kind := "Secret"
			if strings.HasPrefix(id, globalSegment+"/") {
				kind = "GlobalSecret"
			}
			d.err = fmt.Sprintf("datasource %s uses %s %q, which is not in the compiled sources", id, kind, name)
			d.errHint = "the preview can only use secrets it compiles; add the " + kind + " to the sources (with passwordFile or credentialsFile to keep values out of Git)"
			return d
		}
		d.secret = readSecret(name, spec)
		if d.secret.oauth {
			d.err = fmt.Sprintf("datasource %s uses secret %q with oauth, which the preview proxy does not support", id, name)
			d.errHint = "the preview supports basicAuth and authorization secrets; preview with a token in an authorization secret"
			return d
		}
		if tc := spec.Get("tlsConfig"); tc != nil {
			cfg, err := tlsConfig(tc)
			if err != nil {
				d.err = fmt.Sprintf("datasource %s: tlsConfig of secret %q: %v", id, name, err)
				return d
			}
			d.tls = cfg
		}
	}
	return d
}

// uiURL is where the datasource's Pyroscope serves its own UI: the
// datasource URL's scheme, host and base path, with a trailing slash. base
// holds no user information or query (credentials are never published);
// diag.RedactURL guards that should it ever change.
func (d *datasource) uiURL() string {
	u := url.URL{Scheme: d.base.Scheme, Host: d.base.Host, Path: d.base.Path + "/"}
	return diag.RedactURL(u.String())
}

// allowed reports whether method and path may be forwarded, matching as
// the Perses proxy does (FindString: a match anywhere in the path unless
// the pattern is anchored).
func (d *datasource) allowed(method, path string) bool {
	for _, e := range d.endpoints {
		if e.Method == method && e.Pattern.MatchString(path) {
			return true
		}
	}
	return false
}

// allowHint lists what the datasource allows, and why.
func (d *datasource) allowHint() string {
	list := make([]string, len(d.endpoints))
	for i, e := range d.endpoints {
		list[i] = e.String()
	}
	allowed := strings.Join(list, "; ")
	switch {
	case d.custom:
		return "allowedEndpoints: " + allowed
	case d.direct:
		return "a directUrl datasource is previewed through the proxy for its read endpoints only: " + allowed
	default:
		return "without allowedEndpoints the preview allows only the read endpoints: " + allowed
	}
}

// target is the upstream URL for an endpoint path. The host is the
// datasource's, always: path is only ever appended to its base path.
func (d *datasource) target(path, rawQuery string) (*url.URL, error) {
	u := &url.URL{Scheme: d.base.Scheme, Host: d.base.Host, Path: d.base.Path + path, RawQuery: rawQuery}
	// Checked again on the serialised form, which is what the transport
	// parses.
	again, err := url.Parse(u.String())
	if err != nil || again.Host != d.base.Host || again.Scheme != d.base.Scheme || again.User != nil {
		return nil, errors.New("the request would leave the datasource's host")
	}
	return u, nil
}

// authorize adds the datasource's headers and credentials to out. A
// failure is returned as a message and hint that name the secret and its
// file, never a value.
func (d *datasource) authorize(out *http.Request, log *slog.Logger) (msg, hint string) {
	for k, vs := range d.headers {
		out.Header[k] = vs
	}
	if d.secret == nil {
		return "", ""
	}
	value, err := d.secret.authorization()
	if err != nil {
		log.Warn("preview proxy: secret unusable", "datasource", d.id, "error", err.Error())
		return fmt.Sprintf("datasource %s: %v", d.id, err), "the secret's files are read at each request; check they exist and are readable"
	}
	if value != "" {
		out.Header.Set("Authorization", value)
	}
	return "", ""
}

// secret is the part of a Secret the preview uses.
type secret struct {
	name string
	// basicAuth
	basic                           bool
	username, password, passwordRef string
	// authorization
	auth                           bool
	authType, credentials, credRef string
	oauth                          bool
}

func readSecret(name string, spec *model.Node) *secret {
	s := &secret{name: name}
	if b := spec.Get("basicAuth"); b != nil {
		s.basic = true
		s.username, _ = b.Str("username")
		s.password, _ = b.Str("password")
		s.passwordRef, _ = b.Str("passwordFile")
	}
	if a := spec.Get("authorization"); a != nil {
		s.auth = true
		s.authType, _ = a.Str("type")
		s.credentials, _ = a.Str("credentials")
		s.credRef, _ = a.Str("credentialsFile")
	}
	s.oauth = spec.Get("oauth") != nil
	return s
}

// authorization returns the Authorization header value. Files are read at
// each call, so a rotated credential is used without a rebuild. As in
// Perses, authorization wins over basicAuth when both are set.
func (s *secret) authorization() (string, error) {
	var value string
	if s.basic {
		pw := s.password
		if s.passwordRef != "" {
			b, err := readCredentialFile(s.passwordRef)
			if err != nil {
				return "", fmt.Errorf("passwordFile of secret %q: %w", s.name, err)
			}
			pw = b
		}
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(s.username, pw)
		value = r.Header.Get("Authorization")
	}
	if s.auth {
		cred := s.credentials
		if s.credRef != "" {
			b, err := readCredentialFile(s.credRef)
			if err != nil {
				return "", fmt.Errorf("credentialsFile of secret %q: %w", s.name, err)
			}
			cred = b
		}
		typ := s.authType
		if typ == "" {
			typ = "Bearer"
		}
		value = typ + " " + cred
	}
	if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return "", fmt.Errorf("secret %q holds characters not allowed in an HTTP header", s.name)
	}
	return value, nil
}

// readCredentialFile reads a secret file, minus the final newline editors
// add. Its errors carry the path, never the content.
func readCredentialFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("file %s does not exist", name)
		}
		return "", fmt.Errorf("cannot read file %s", name)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// tlsConfig builds the client TLS settings of a Secret's tlsConfig.
func tlsConfig(tc *model.Node) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	pick := func(inline, file string) (string, error) {
		if v, ok := tc.Str(inline); ok {
			return v, nil
		}
		if f, ok := tc.Str(file); ok {
			b, err := os.ReadFile(f)
			if err != nil {
				return "", fmt.Errorf("%s: cannot read %s", file, f)
			}
			return string(b), nil
		}
		return "", nil
	}
	ca, err := pick("ca", "caFile")
	if err != nil {
		return nil, err
	}
	if ca != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(ca)) {
			return nil, errors.New("ca holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	cert, err := pick("cert", "certFile")
	if err != nil {
		return nil, err
	}
	key, err := pick("key", "keyFile")
	if err != nil {
		return nil, err
	}
	if cert != "" || key != "" {
		pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
		if err != nil {
			return nil, errors.New("cert and key do not form a usable key pair")
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	cfg.ServerName, _ = tc.Str("serverName")
	if v := tc.Get("insecureSkipVerify"); v != nil && v.Value == "true" {
		cfg.InsecureSkipVerify = true // the user's explicit choice, as in Perses
	}
	versions := map[string]uint16{"TLS10": tls.VersionTLS10, "TLS11": tls.VersionTLS11, "TLS12": tls.VersionTLS12, "TLS13": tls.VersionTLS13}
	if v, ok := tc.Str("minVersion"); ok {
		cfg.MinVersion = versions[v]
	}
	if v, ok := tc.Str("maxVersion"); ok {
		cfg.MaxVersion = versions[v]
	}
	return cfg, nil
}

// newTransport is the proxy's own transport: the default one's dialing and
// pooling, with a bound on response headers.
func newTransport(cfg *tls.Config) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxResponseHeaderBytes = 1 << 20
	t.ResponseHeaderTimeout = 0 // the request context bounds the whole exchange
	t.IdleConnTimeout = 30 * time.Second
	if cfg != nil {
		t.TLSClientConfig = cfg
	}
	return t
}
