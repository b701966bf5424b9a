package diag

import (
	"strings"
	"testing"
)

// TestCredentialElem holds credentialElem to its regular expression.
func TestCredentialElem(t *testing.T) {
	cases := []string{"", "key", "Key", "KEY", "keys", "monkey", "apiKey", "X-API-Key", "api_key", "apikeys", "password", "PassWord",
		"basicAuth", "BASICAUTH", "authorization", "oauth2", "tlsConfig", "headers", "header", "credentials", "secretKeyRef", "token",
		"accessToken", "cookie", "name", "directUrl", "ſecret", "\u212aey", "Tokén", "query", strings.Repeat("a", 70) + "Secret",
		strings.Repeat("b", 80), "kéy", "k", "ke"}
	for _, c := range cases {
		if got, want := credentialElem(c), credentialElemRe().MatchString(c); got != want {
			t.Errorf("credentialElem(%q) = %v, want %v", c, got, want)
		}
	}
	for _, c := range []string{"ſecret", "\u212aey", "password", "X-Api-Key"} {
		if !credentialElem(c) {
			t.Errorf("%q is not taken for a credential", c)
		}
	}
}

// TestSecretField: the fields whose values messages never repeat.
func TestSecretField(t *testing.T) {
	for name, want := range map[string]bool{"password": true, "credentials": true, "clientSecret": true, "key": true,
		"username": false, "Password": false, "apiKey": false, "": false} {
		if got := SecretField(name); got != want {
			t.Errorf("SecretField(%q) = %v, want %v", name, got, want)
		}
	}
}
