// Package live asks the Pyroscope servers that compiled datasources point
// at whether each query of the dashboards would show data (pyrobuild
// check --live): its service has profiles of its type, and its filters
// select some of them.
package live

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// Options configure Check.
type Options struct {
	// Client makes the requests (default: http.DefaultClient's transport).
	Client *http.Client
	// Timeout bounds the whole check, every server and request together
	// (default 5s).
	Timeout time.Duration
	// Range is how far back to look for profiles (default 24h). A server
	// whose max_query_length is shorter is asked over its limit.
	Range time.Duration
	// Now is the end of the range (default time.Now).
	Now func() time.Time
	// ReadFile reads the files a Secret names (passwordFile,
	// credentialsFile); default os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// errDeadline is the cause of the overall time-out.
var errDeadline = errors.New("no answer before the deadline (--live-timeout)")

// Check asks each Pyroscope datasource with a URL, through the Connect API
// the Perses plugin uses, whether each query would show data: the
// service has profiles of the query's profile type (LabelValues of
// __profile_type__ for that service), and each filter's label exists for
// that service and its value or regular expression selects some of the
// label's values. Variables are expanded over their static values. What
// is missing is a warning at the query; a server that cannot be asked is
// a warning at its URL. Credentials come from the Secrets in rs and are
// never printed. One deadline (Timeout) bounds it all.
func Check(ctx context.Context, rs []*model.Resource, opts Options) diag.Diagnostics {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Range <= 0 {
		opts.Range = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadFile == nil {
		opts.ReadFile = osReadFile
	}
	queries, servers := collect(rs, opts.ReadFile)
	need := map[*server]*needs{}
	for _, s := range servers {
		need[s] = &needs{labels: map[string][]string{}}
	}
	for _, q := range queries {
		q.addNeeds(need[q.srv])
	}

	ctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, errDeadline)
	defer cancel()
	if opts.Client != nil {
		ctx = context.WithValue(ctx, clientKey{}, opts.Client)
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() { s.fetch(ctx, opts, *need[s]) })
	}
	wg.Wait()

	var diags diag.Diagnostics
	rep := diag.NewReporter(&diags)
	for _, s := range servers {
		s.reportServer(rep, opts)
	}
	for _, q := range queries {
		if q.srv.err == nil {
			q.report(rep, opts)
		}
	}
	return diags
}

// addNeeds adds what q asks about to n.
func (q *query) addNeeds(n *needs) {
	if q.service == nil || q.service.Kind != model.StringKind {
		return
	}
	services, ok := expand(q.service.Value, q.vars)
	if !ok {
		return
	}
	for _, svc := range services {
		if !contains(n.services, svc) {
			n.services = append(n.services, svc)
		}
		for _, f := range q.filters {
			if f.name != nil && f.name.Kind == model.StringKind && !contains(n.labels[svc], f.name.Value) {
				n.labels[svc] = append(n.labels[svc], f.name.Value)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
