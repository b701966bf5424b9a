package diag

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Credentials written inside URLs (http://user:pass@host/, ?token=…) are
// redacted wherever pyrobuild prints or publishes a URL: messages, source
// excerpts, JSON and GitHub diagnostics, the docs site's pages and search
// index, the preview's overlays. Only the bundle keeps the URL as written,
// since Perses needs it.

// urlInTextRe finds URLs in free text: a scheme, "://", and what follows
// up to a space, a quote or an angle bracket.
var urlInTextRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>` + "`" + `]+`) })

// userinfoRe is a URL's user information with a password.
var userinfoRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^((?i)[a-z][a-z0-9+.-]*://)([^/?#@\s:]*):([^/?#@\s]*)@`)
})

// queryParamRe is one parameter of a query string.
var queryParamRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([?&;])([^=&;#\s]+)=([^&;#\s]*)`) })

// credentialParams are query parameter names that carry credentials
// beyond those credentialElem recognises (token, api_key, secret, …).
var credentialParams = map[string]bool{"sig": true, "signature": true, "x-amz-signature": true, "x-goog-signature": true,
	"pass": true, "passwd": true, "pwd": true, "auth": true, "session": true, "sessionid": true, "code": true, "jwt": true}

// CredentialParam reports whether a URL query parameter of that name
// carries a credential.
func CredentialParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	// api_key, access-key: the words credentialElem knows, joined.
	joined := strings.NewReplacer("_", "", "-", "", ".", "").Replace(name)
	return credentialElem(name) || credentialElem(joined) || credentialParams[strings.ToLower(name)] ||
		strings.HasSuffix(strings.ToLower(joined), "key")
}

// URLCredentials says which credentials a URL holds: "a password" for user
// information with one, and each credential query parameter by name. It is
// empty for a URL without any.
func URLCredentials(u string) []string {
	var found []string
	if m := userinfoRe().FindStringSubmatch(u); m != nil {
		found = append(found, "a password in the user information")
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		for _, m := range queryParamRe().FindAllStringSubmatch(u[i:], -1) {
			if CredentialParam(m[2]) && m[3] != "" {
				found = append(found, "the query parameter "+m[2])
			}
		}
	}
	return found
}

// RedactURL hides the credentials of one URL: the password of its user
// information and the values of its credential query parameters. The
// rest is left as written.
func RedactURL(u string) string {
	u = userinfoRe().ReplaceAllString(u, "${1}${2}:"+Redacted+"@")
	i := strings.IndexByte(u, '?')
	if i < 0 {
		return u
	}
	q := queryParamRe().ReplaceAllStringFunc(u[i:], func(m string) string {
		sub := queryParamRe().FindStringSubmatch(m)
		if !CredentialParam(sub[2]) || sub[3] == "" {
			return m
		}
		return sub[1] + sub[2] + "=" + Redacted
	})
	return u[:i] + q
}

// RedactURLs hides the credentials of every URL in a text.
func RedactURLs(text string) string {
	if !strings.Contains(text, "://") {
		return text
	}
	return urlInTextRe().ReplaceAllStringFunc(text, RedactURL)
}
