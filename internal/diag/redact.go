package diag

import (
	"regexp"
	"strings"
	"sync"
)

// Redaction: a credential's value must never be printed, not in a
// message, not in a source excerpt, in no output form. The rules live
// here so that every renderer and every check applies the same ones.

// Redacted stands for a value that is not shown.
const Redacted = "<redacted>"

// SecretField reports whether a field of that name holds a credential
// outright, so that a message about its value never repeats it.
// (CredentialPath casts the wider net excerpts need: any field below one
// whose name suggests credentials.)
func SecretField(name string) bool {
	switch name {
	case "password", "credentials", "clientSecret", "key":
		return true
	}
	return false
}

// secretLineRe finds values of credential fields on a source line, so an
// excerpt never prints a password.
var secretLineRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)("?(password|credentials|clientSecret|authorization|token|key)"?\s*:\s*)(.+)$`)
})

// goSecretRe finds credentials passed to Go SDK calls: the string after a
// credential-like quoted name (dac.Header("Authorization", "…")), and the
// second argument of BasicAuth and Authorization.
var goSecretRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)((?:"[^"]*(?:password|credentials|secret|authorization|token|key|cookie)[^"]*"|\b(?:BasicAuth|Authorization)\(\s*(?:"(?:[^"\\]|\\.)*"|\w+))\s*,\s*)("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)
})

// credentialElem reports whether e names a field or header that holds
// credentials, or a struct (basicAuth, headers, …) whose values may: it
// holds, in any case, one of credentialWords, "apikey" or "api-key", or is
// "key". (The compiler's unit store asks this of every key of every package it keeps;
// as a case-insensitive regular expression it was a twentieth of a cold
// compilation.)
func credentialElem(e string) bool {
	var buf [64]byte
	if len(e) > len(buf) {
		return credentialElemRe().MatchString(e)
	}
	b := buf[:len(e)]
	for i := 0; i < len(e); i++ {
		c := e[i]
		switch {
		case c >= 0x80:
			// Unicode folds more than ASCII does (ſ is s, K is k).
			return credentialElemRe().MatchString(e)
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b[i] = c
	}
	e = string(b)
	if e == "key" || strings.Contains(e, "apikey") || strings.Contains(e, "api-key") {
		return true
	}
	for _, w := range credentialWords {
		if strings.Contains(e, w) {
			return true
		}
	}
	return false
}

var credentialWords = []string{"basicauth", "authorization", "oauth", "tlsconfig", "headers", "password", "credential", "secret", "token", "cookie"}

// credentialElemRe is credentialElem's rule, for names beyond ASCII.
var credentialElemRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)basicauth|authorization|oauth|tlsconfig|headers|password|credential|secret|token|cookie|api-?key|^key$`)
})

// CredentialPath reports whether a value at path (field names from the
// resource's root) may be a credential. A misspelt field (pasword) is
// then masked too: its value is meant as a credential all the same.
func CredentialPath(path []string) bool {
	for _, e := range path {
		if credentialElem(e) {
			return true
		}
	}
	return false
}

// keyValueRe is a "key: value" line of YAML, JSON or CUE.
var keyValueRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\s*(?:-\s+)?"?[^"\s:]+"?\s*:\s*)\S.*$`) })

// maskValue hides the value of a "key: value" line.
func maskValue(line string) string {
	return keyValueRe().ReplaceAllString(line, "${1}"+Redacted)
}

// quotedValueRe is a quoted string in a message, unless it follows =~ or
// !~ (a pattern the schema imposes, not a value of the user's).
var quotedValueRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|[^~])"(?:[^"\\]|\\.)*"`) })

// RedactQuoted hides the quoted values of a message about a credential.
func RedactQuoted(msg string) string {
	return quotedValueRe().ReplaceAllString(msg, `${1}"`+Redacted+`"`)
}

func maskSecrets(line string) string {
	// Go lines hold many values: the literal keeps its width, so that a
	// caret under a later value stays under it.
	line = goSecretRe().ReplaceAllStringFunc(line, func(m string) string {
		sub := goSecretRe().FindStringSubmatch(m)
		lit := sub[2]
		return sub[1] + lit[:1] + strings.Repeat("*", len([]rune(lit))-2) + lit[len(lit)-1:]
	})
	return secretLineRe().ReplaceAllString(line, "${1}"+Redacted)
}
