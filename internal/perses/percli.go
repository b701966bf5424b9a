package perses

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// PercliLogin is what `percli login` leaves in its configuration file
// that a client can use.
type PercliLogin struct {
	// File is the file read.
	File string
	// URL is the server percli logged in to.
	URL string
	// Token is the access token, "" when percli holds none.
	Token string
	// Insecure is percli's tls_config.insecure_skip_verify.
	Insecure bool
}

// PercliConfigPath is where percli keeps its configuration:
// ~/.perses/config.json.
func PercliConfigPath(home string) string {
	return filepath.Join(home, ".perses", "config.json")
}

// ReadPercliLogin reads percli's configuration file at path. It returns
// nil, nil when there is none. The file is only read, never written.
func ReadPercliLogin(path string) (*PercliLogin, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Rest struct {
			URL           string `json:"url"`
			Authorization *struct {
				Type        string `json:"type"`
				Credentials string `json:"credentials"`
			} `json:"authorization"`
			TLS *struct {
				Insecure bool `json:"insecure_skip_verify"`
			} `json:"tls_config"`
		} `json:"rest_client_config"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		// The error could quote the file, which holds a token: say only
		// where it is.
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: not JSON (at byte %d)", path, se.Offset)
		}
		return nil, fmt.Errorf("%s: not percli's configuration", path)
	}
	l := &PercliLogin{File: path, URL: cfg.Rest.URL}
	if a := cfg.Rest.Authorization; a != nil && (a.Type == "" || a.Type == "Bearer") {
		l.Token = a.Credentials
	}
	if cfg.Rest.TLS != nil {
		l.Insecure = cfg.Rest.TLS.Insecure
	}
	return l, nil
}
