package diag

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://pyroscope:4040", "http://pyroscope:4040"},
		{"http://user:pass@pyroscope:4040/x", "http://user:<redacted>@pyroscope:4040/x"},
		{"https://user@pyroscope:4040", "https://user@pyroscope:4040"},
		{"http://h/?token=abc&service=api", "http://h/?token=<redacted>&service=api"},
		{"http://h/p?api_key=k1&X-Amz-Signature=s&access_token=t", "http://h/p?api_key=<redacted>&X-Amz-Signature=<redacted>&access_token=<redacted>"},
		{"http://h/?query=cpu&from=now-1h", "http://h/?query=cpu&from=now-1h"},
		{"http://h/?token=", "http://h/?token="},
	}
	for _, c := range cases {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := URLCredentials("http://a:b@h/?apikey=1&x=2"); strings.Join(got, "; ") != "a password in the user information; the query parameter apikey" {
		t.Errorf("URLCredentials: %q", got)
	}
	if got := URLCredentials("http://h:4040/?service=api"); len(got) != 0 {
		t.Errorf("URLCredentials of a clean URL: %q", got)
	}
}

// TestRenderersRedactURLs: the text, JSON and GitHub forms never show a
// credential written in a URL, in the message, hint, notes or excerpt.
func TestRenderersRedactURLs(t *testing.T) {
	src := "spec:\n  directUrl: http://admin:hunter2@pyro:4040/?token=t0ps3cret\n"
	files := func(string) ([]byte, bool) { return []byte(src), true }
	d := Diagnostic{Severity: Warning, Code: "PB1301", Pos: Pos{File: "d.yaml", Line: 2, Col: 14},
		Message: "datasource pyro (http://admin:hunter2@pyro:4040/?token=t0ps3cret) could not be checked",
		Hint:    "see http://admin:hunter2@pyro:4040/",
		Notes:   []Note{{Pos: Pos{File: "d.yaml", Line: 2, Col: 14}, Message: "at http://x:hunter2@pyro/"}}}
	var text, js, gh bytes.Buffer
	(&TextRenderer{Files: files}).Render(&text, d)
	if err := RenderJSON(&js, Diagnostics{d}); err != nil {
		t.Fatal(err)
	}
	RenderGitHub(&gh, Diagnostics{d})
	for name, out := range map[string]string{"text": text.String(), "json": js.String(), "github": gh.String()} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "t0ps3cret") {
			t.Errorf("%s output shows a credential:\n%s", name, out)
		}
		if !strings.Contains(out, "admin:<redacted>@pyro:4040") {
			t.Errorf("%s output lost the rest of the URL:\n%s", name, out)
		}
	}
}
