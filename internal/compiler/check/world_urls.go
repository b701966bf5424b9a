package check

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// checkURLSafety: a datasource's URL holds no credentials (they would be
// printed and published with it, and the Perses proxy ignores user
// information anyway), and each endpointPattern of its proxy is anchored
// (Perses matches a pattern anywhere in the path, so /pyroscope/render
// also lets /api/admin/pyroscope/render through).
func checkURLSafety(spec *model.Node, rep diag.Reporter) {
	ps := spec.Get("plugin").Get("spec")
	proxy := ps.Get("proxy").Get("spec")
	for _, u := range []*model.Node{ps.Get("directUrl"), proxy.Get("url")} {
		if u == nil || u.Kind != model.StringKind {
			continue
		}
		if found := diag.URLCredentials(u.Value); len(found) > 0 {
			rep.Warnf(model.CodeURLCredential, u.Pos, "the URL %s holds a credential (%s); it is redacted in what pyrobuild prints and publishes, but stays in the bundle",
				diag.RedactURL(u.Value), strings.Join(found, ", ")).
				Hint("remove it from the URL, put it in a Secret (basicAuth, or authorization for a token) and name the Secret in proxy.spec.secret")
		}
	}
	for _, e := range proxy.Get("allowedEndpoints").List() {
		pn := e.Get("endpointPattern")
		if pn == nil || pn.Kind != model.StringKind {
			continue
		}
		p := pn.Value
		if staleRoutes[strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")] {
			continue // reported as a stale route, which says it is unanchored
		}
		if _, err := regexp.Compile(p); err != nil || (strings.HasPrefix(p, "^") && strings.HasSuffix(p, "$")) {
			continue
		}
		anchored := anchorPattern(p)
		rep.Warnf(model.CodeUnanchoredEndpoint, pn.Pos, "endpointPattern %q is not anchored: Perses matches it anywhere in the path, so it also allows longer paths such as %s", p, example(p)).
			Hint(fmt.Sprintf("anchor it at both ends: endpointPattern: %q", anchored))
	}
}

// anchorPattern is p with ^ and $ added where missing; an alternation is
// grouped so that the anchors hold for every branch.
func anchorPattern(p string) string {
	body := strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
	if strings.Contains(body, "|") && !(strings.HasPrefix(body, "(") && strings.HasSuffix(body, ")")) {
		body = "(?:" + body + ")"
	}
	return "^" + body + "$"
}

// example is a path an unanchored pattern lets through unintended.
func example(p string) string {
	tail := "…"
	if strings.HasSuffix(p, "$") {
		tail = ""
	}
	if !strings.HasPrefix(p, "^") {
		return "/api/admin" + literalPrefix(p) + tail
	}
	return literalPrefix(p) + "/…"
}

// literalPrefix is the literal start of a pattern (after ^), for examples.
func literalPrefix(p string) string {
	p = strings.TrimPrefix(p, "^")
	re, err := regexp.Compile(p)
	if err != nil {
		return p
	}
	prefix, _ := re.LiteralPrefix()
	if prefix == "" {
		return "/x"
	}
	if !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	return prefix
}
