package remote

import (
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// TestAuthoring: a query is rewritten in the authoring form only where
// that compiles back to the same query.
func TestAuthoring(t *testing.T) {
	s := compiler.MustSchema()
	for _, tc := range []struct{ name, in, want string }{
		{"short name and selector",
			`{"profileType":"process_cpu:cpu:nanoseconds:cpu:nanoseconds","service":"api","filters":[{"labelName":"env","operator":"=~","labelValue":"prod.*"}]}`,
			`{"profileType":"cpu","query":"{service_name=\"api\", env=~\"prod.*\"}"}`},
		{"no service: the wire form stays",
			`{"profileType":"x:y:z:w:v","filters":[{"labelName":"env","operator":"=","labelValue":"prod"}]}`,
			`{"profileType":"x:y:z:w:v","filters":[{"labelName":"env","operator":"=","labelValue":"prod"}]}`},
		{"a quote the UI cannot carry",
			`{"profileType":"x:y:z:w:v","service":"a\"b"}`,
			`{"profileType":"x:y:z:w:v","service":"a\"b"}`},
	} {
		n, d := compiler.ParseJSON(model.NewSource("t.json", []byte(`{"kind":"PyroscopeProfileQuery","spec":`+tc.in+`}`)))
		if d != nil {
			t.Fatal(d.Message)
		}
		toAuthoring(n, s, 0)
		if got := strings.TrimSpace(string(bundle.Encode(n.Get("spec"), bundle.JSON))); compact(got) != compact(tc.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func compact(s string) string { return strings.Join(strings.Fields(s), "") }

func TestEnvName(t *testing.T) {
	if got := EnvName("shop-eu", "pyro.auth", "basicAuth_password"); got != "PERSES_SECRET_SHOP_EU_PYRO_AUTH_BASICAUTH_PASSWORD" {
		t.Error(got)
	}
}
