package proxy

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/proxyroute"
)

// Closed to other sites: a page of another web site open in the same
// browser can send requests to 127.0.0.1 (a form, an image, fetch in
// no-cors mode), and the proxy would attach the datasource's credentials.
// So the proxy answers only requests from the preview's own pages, before
// anything goes upstream:
//
//   - Sec-Fetch-Site, when the browser sends it, is same-origin;
//   - Origin, when sent, is the preview's own (the Host asked for);
//   - the TokenHeader holds the server's token, which the preview's pages
//     carry (InjectToken) and another origin cannot read.
//
// The token is what stops clients that send neither header: it is random
// per server and never leaves the preview's pages.

// TokenHeader carries the server's token on every proxy request of the
// preview's script.
const TokenHeader = "X-Pyrobuild-Token"

// tokenMeta is the name of the meta element that carries the token in a
// preview page; templates/assets/js/preview.js reads it.
const tokenMeta = "pyrobuild-proxy-token"

// NewToken returns a fresh random token for one server.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// InjectToken adds the meta element carrying token to an HTML page (or the
// tail of one): before </body>, or at the end. The preview's scripts are
// deferred, so they run once it is parsed.
func InjectToken(page []byte, token string) []byte {
	tag := []byte(`<meta name="` + tokenMeta + `" content="` + html.EscapeString(token) + `">`)
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		return append(append([]byte(nil), page...), tag...)
	}
	out := make([]byte, 0, len(page)+len(tag))
	out = append(out, page[:i]...)
	out = append(out, tag...)
	return append(out, page[i:]...)
}

// foreign says why r is not from the preview's own pages, or "" when it
// is. token is the server's; "" turns the token check off (a Handler
// used without a preview server, as in tests of the routes).
func foreign(r *http.Request, token string) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return "Sec-Fetch-Site is " + site
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || u.Host != r.Host {
			return "Origin " + origin + " is not the preview's"
		}
	}
	if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(TokenHeader)), []byte(token)) != 1 {
		if r.Header.Get(TokenHeader) == "" {
			return "the request has no " + TokenHeader + " header"
		}
		return "the " + TokenHeader + " header is not this server's"
	}
	return ""
}

// refuseEarly answers, before any routing, a request that is not from
// the preview's pages or is in absolute form, and reports whether it did.
func (h *Handler) refuseEarly(w http.ResponseWriter, r *http.Request, start time.Time) bool {
	// Other web sites first: nothing of theirs is routed or forwarded.
	if why := foreign(r, h.opts.Token); why != "" {
		h.fail(w, r, start, "", http.StatusForbidden, "refused a request that is not from the preview's pages: "+why,
			"the proxy answers only the pages of pyrobuild serve, which send its token; open the dashboard page of the preview")
		return true
	}
	// An absolute-form request line ("GET http://elsewhere/ HTTP/1.1") is
	// what a client of an open proxy sends: this is not one.
	if r.URL.IsAbs() || r.URL.Host != "" {
		h.fail(w, r, start, "", http.StatusBadRequest, "absolute URLs are not proxied", "request a path such as "+proxyroute.Project("project", "datasource")+"/pyroscope/render")
		return true
	}
	return false
}
