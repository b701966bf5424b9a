package flame

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrorBody is the JSON body of Pyroscope's 4xx answers, on
// /pyroscope/render and on the Connect endpoints alike, e.g.
// {"code":"invalid_argument","message":"failed to parse \"query\""}. The
// message is what the preview shows for a broken query.
type ErrorBody struct {
	// Code is a Connect error code such as "invalid_argument".
	Code string `json:"code"`
	// Message is the server's explanation.
	Message string `json:"message"`
}

// Error makes an ErrorBody usable as an error, with the server's own words.
func (e *ErrorBody) Error() string {
	if e.Code == "" {
		return "pyroscope: " + e.Message
	}
	return "pyroscope: " + e.Code + ": " + e.Message
}

// DecodeErrorBody reads an error answer of at most limit bytes (0 or less:
// no limit). It fails when the body is not such a JSON object, e.g. the
// plain-text "404 page not found" of an unknown route, so the caller can
// fall back to the status line.
func DecodeErrorBody(r io.Reader, limit int64) (*ErrorBody, error) {
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading error body: %w", err)
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
	}
	var e ErrorBody
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("error body is not Pyroscope's JSON error: %w", err)
	}
	if strings.TrimSpace(e.Message) == "" {
		return nil, errors.New(`error body has no "message"`)
	}
	return &e, nil
}
