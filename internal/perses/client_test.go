package perses

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const token = "tok-S3CRET-0987654321"

// TestTokenNeverInErrors: a server that quotes the request's
// Authorization header back, and a transport error, leave no token in
// what the client returns.
func TestTokenNeverInErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"header ` + r.Header.Get("Authorization") + ` is not allowed"}`))
	}))
	defer srv.Close()
	c, err := New(Options{URL: srv.URL, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), Ref{Kind: "Project", Name: "shop"})
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "[redacted]") || !strings.Contains(err.Error(), "the token was refused") {
		t.Errorf("error: %v", err)
	}
	for _, bad := range []string{"https://user:" + token + "@perses.example.com", "ftp://x", "perses.example.com"} {
		if _, err := New(Options{URL: bad}); err == nil || strings.Contains(err.Error(), token) {
			t.Errorf("New(%q): %v", bad, err)
		}
	}
}

// TestTLS: a server with its own authority is refused without --ca-file,
// reached with it, and with --insecure-skip-tls-verify.
func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	for _, tc := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"system roots", Options{URL: srv.URL}, false},
		{"ca-file", Options{URL: srv.URL, CAFile: ca}, true},
		{"insecure", Options{URL: srv.URL, Insecure: true}, true},
	} {
		c, err := New(tc.o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), "Dashboard", "shop")
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := New(Options{URL: srv.URL, CAFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Error("a missing CA file is no error")
	}
}

func TestReadPercliLogin(t *testing.T) {
	dir := t.TempDir()
	path := PercliConfigPath(dir)
	if l, err := ReadPercliLogin(path); l != nil || err != nil {
		t.Errorf("no file: %v %v", l, err)
	}
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`{"rest_client_config":{"url":"http://127.0.0.1:8080","authorization":{"type":"Bearer","credentials":"`+token+`"},"tls_config":{"insecure_skip_verify":true}},"project":"shop"}`), 0o600)
	l, err := ReadPercliLogin(path)
	if err != nil || l.URL != "http://127.0.0.1:8080" || l.Token != token || !l.Insecure {
		t.Errorf("got %+v, %v", l, err)
	}
	os.WriteFile(path, []byte(`{"rest_client_config":{"authorization":{"credentials":"`+token+`"`), 0o600)
	if _, err := ReadPercliLogin(path); err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("a broken file: %v", err)
	}
}
