package live

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// reportServer reports, at the datasource's URL, what stopped or limited
// the check of a server.
func (s *server) reportServer(rep diag.Reporter, opts Options) {
	url := diag.RedactURL(s.url)
	if s.err != nil {
		hint := "check the URL and that the server is up from this machine; --live needs network access to it"
		var se *statusError
		switch {
		case errors.Is(s.err, errDeadline):
			hint = "the whole check is bounded by --live-timeout (" + opts.Timeout.String() + "); a slow server may need a longer one"
		case s.authNote != "":
			hint = s.authNote
		case errors.As(s.err, &se) && (se.status == "401 Unauthorized" || se.status == "403 Forbidden"):
			if s.secret != "" {
				hint = "the server refused the credentials of secret " + s.secret[strings.Index(s.secret, "/")+1:]
			} else {
				hint = "the server asks for credentials: put them in a Secret (basicAuth or authorization) and name it in proxy.spec.secret"
			}
		}
		rep.Warnf(model.CodeLiveUnreachable, s.pos, "datasource %s (%s) could not be checked: %v", s.name, url, s.err).Hint(hint)
		return
	}
	if s.clamped {
		rep.Infof(model.CodeLiveNote, s.pos, "datasource %s (%s) allows queries over %s at most (max_query_length): checked the last %s, not %s",
			s.name, url, human(s.end.Sub(s.start)), human(s.end.Sub(s.start)), human(opts.Range)).
			Hint("the dashboards' own ranges must fit the same limit; --live-range sets how far back the check looks")
	}
	if s.authNote != "" {
		rep.Infof(model.CodeLiveNote, s.pos, "datasource %s (%s) was asked without credentials", s.name, url).Hint(s.authNote)
	}
}

// report checks one query against its server's answers.
func (q *query) report(rep diag.Reporter, opts Options) {
	s := q.srv
	if q.service == nil || q.service.Kind != model.StringKind {
		return
	}
	services, ok := expand(q.service.Value, q.vars)
	if !ok {
		return
	}
	over := human(s.end.Sub(s.start))
	for _, svc := range services {
		from := ""
		if svc != q.service.Value {
			from = " (" + q.service.Value + " = " + svc + ")"
		}
		if !s.services[svc] {
			hint := compiler.DidYouMean(svc, keys(s.services))
			if hint == "" {
				hint = "services with data: " + joinLimited(keys(s.services), 20)
			}
			rep.Warnf(model.CodeLiveNoData, q.service.Pos, "service %q%s has no profiles in datasource %s over the last %s", svc, from, q.dsName, over).Hint(hint)
			continue
		}
		q.reportType(rep, svc, from, over)
		for _, f := range q.filters {
			q.reportFilter(rep, f, svc, from)
		}
	}
}

// reportType checks the (service, profile type) pair.
func (q *query) reportType(rep diag.Reporter, svc, from, over string) {
	pt := q.profileType
	if pt == nil || pt.Kind != model.StringKind {
		return
	}
	ids, ok := expand(pt.Value, q.vars)
	if !ok {
		return
	}
	types := q.srv.types[svc]
	for _, id := range ids {
		if contains(types, id) {
			continue
		}
		if near := nearTypes(id, types); len(near) > 0 {
			rep.Warnf(model.CodeLiveProfileType, pt.Pos, "service %q%s has no profile type %s; it has %s", svc, from, id, strings.Join(near, " and ")).
				Hint("write profileType: " + near[0] + " (producers name some profiles differently; see the profile types page)")
			continue
		}
		rep.Warnf(model.CodeLiveNoData, pt.Pos, "service %q%s has no profiles of type %s in datasource %s over the last %s", svc, from, id, q.dsName, over).
			Hint("its profile types: " + joinLimited(types, 12))
	}
}

// nearTypes returns the types among have that are id under another name:
// the same sample type and unit, and a name equal to id's or differing by
// a final "s" (goroutine and goroutines); same-named ones first.
func nearTypes(id string, have []string) []string {
	want := strings.Split(id, ":")
	if len(want) < 5 {
		return nil
	}
	var same, plural []string
	for _, h := range have {
		p := strings.Split(h, ":")
		if len(p) < 5 || p[1] != want[1] || p[2] != want[2] {
			continue
		}
		switch {
		case p[0] == want[0]:
			same = append(same, h)
		case p[0]+"s" == want[0] || p[0] == want[0]+"s":
			plural = append(plural, h)
		}
	}
	return append(same, plural...)
}

// reportFilter checks one filter against the label's values for svc.
func (q *query) reportFilter(rep diag.Reporter, f filter, svc, from string) {
	if f.name == nil || f.op == nil || f.value == nil || f.name.Kind != model.StringKind || f.value.Kind != model.StringKind {
		return
	}
	label, op := f.name.Value, f.op.Value
	patterns, ok := expand(f.value.Value, q.vars)
	if !ok {
		return
	}
	s := q.srv
	if !s.labels[svc][label] {
		// A series without the label has it empty: != and !~ select it,
		// and so do = "" and =~ that matches "".
		for _, p := range patterns {
			if selectsEmpty(op, p) {
				return
			}
		}
		hint := compiler.DidYouMean(label, userLabels(s.labels[svc]))
		if hint == "" {
			hint = "its labels: " + joinLimited(userLabels(s.labels[svc]), 20)
		}
		rep.Warnf(model.CodeLiveNoData, f.name.Pos, "service %q%s has no label %q: the filter selects nothing", svc, from, label).Hint(hint)
		return
	}
	values := s.values[[2]string{svc, label}]
	for _, p := range patterns {
		sel, err := selects(op, p, values)
		if err != nil || sel {
			continue // a bad regular expression is the compiler's to report
		}
		what := fmt.Sprintf("%s%s%q", label, op, p)
		switch op {
		case "=":
			hint := compiler.DidYouMean(p, values)
			if hint == "" {
				hint = label + " values: " + joinLimited(values, 20)
			}
			rep.Warnf(model.CodeLiveNoData, f.value.Pos, "no profiles of service %q%s have %s", svc, from, what).Hint(hint)
		case "=~":
			rep.Warnf(model.CodeLiveNoData, f.value.Pos, "no %s value of service %q%s matches %s", label, svc, from, what).
				Hint("the regular expression is anchored at both ends; " + label + " values: " + joinLimited(values, 20))
		default:
			rep.Warnf(model.CodeLiveNoData, f.value.Pos, "%s excludes every %s value of service %q%s: the filter selects nothing", what, label, svc, from).
				Hint(label + " values: " + joinLimited(values, 20))
		}
	}
}

// selects reports whether a matcher keeps some series whose label has one
// of values. Regular expressions are anchored, as in Pyroscope.
func selects(op, pattern string, values []string) (bool, error) {
	var re *regexp.Regexp
	if op == "=~" || op == "!~" {
		var err error
		if re, err = regexp.Compile("^(?:" + pattern + ")$"); err != nil {
			return false, err
		}
	}
	for _, v := range values {
		switch op {
		case "=":
			if v == pattern {
				return true, nil
			}
		case "!=":
			if v != pattern {
				return true, nil
			}
		case "=~":
			if re.MatchString(v) {
				return true, nil
			}
		case "!~":
			if !re.MatchString(v) {
				return true, nil
			}
		default:
			return true, nil
		}
	}
	return false, nil
}

// selectsEmpty reports whether a matcher keeps series without the label.
func selectsEmpty(op, pattern string) bool {
	sel, err := selects(op, pattern, []string{""})
	return err != nil || sel
}

// userLabels are the label names users write: not Pyroscope's own
// __name__-style labels.
func userLabels(m map[string]bool) []string {
	var out []string
	for _, k := range keys(m) {
		if !(strings.HasPrefix(k, "__") && strings.HasSuffix(k, "__")) {
			out = append(out, k)
		}
	}
	return out
}

// human prints a duration the way people write ranges: 24h, 90m, 1d2h.
func human(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
