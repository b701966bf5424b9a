// Package live pushes update and error messages from the preview server to
// the browsers looking at it, over server-sent events, and injects the
// small client script into served pages. The script swaps a changed page
// in place (fetched again, only what changed replaced) and reloads it
// only when it cannot. Built files on disk never carry the script: only
// responses of the preview server do.
package live

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Paths the preview server reserves for itself.
const (
	EventsPath = "/_pyrobuild/events"
	ScriptPath = "/_pyrobuild/live.js"
)

//go:embed live.js
var script []byte

// Message is one event for the browsers. Type is "reload" (Pages lists the
// URL paths whose HTML changed, which the browsers showing them update,
// CSS the stylesheets to swap in place, All asks every page to reload: a
// script or an image changed), "errors" (Problems to show in an overlay) or
// "ok" (clear the overlay). Build identifies the site version, so a
// browser that reconnects after missing events can tell it is stale.
type Message struct {
	Type     string    `json:"type"`
	Build    string    `json:"build"`
	Pages    []string  `json:"pages,omitempty"`
	CSS      []string  `json:"css,omitempty"`
	All      bool      `json:"all,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	// Sent is when the server sent the message (Unix ms), for latency
	// measurements.
	Sent int64 `json:"sent"`
}

// Problem is one diagnostic as the overlay shows it.
type Problem struct {
	Severity string `json:"severity"`
	Code     string `json:"code,omitempty"`
	Where    string `json:"where,omitempty"` // file:line:col
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	// Excerpt is the source line with a caret under the offending token.
	Excerpt string `json:"excerpt,omitempty"`
	// Notes are the other places the problem involves.
	Notes []Note `json:"notes,omitempty"`
}

// Note is a place a problem involves, as the overlay shows it under the
// problem.
type Note struct {
	Where   string `json:"where,omitempty"` // file:line:col
	Message string `json:"message"`
	Excerpt string `json:"excerpt,omitempty"`
}

// Hub fans messages out to the connected browsers. The last state message
// (errors or ok) is replayed to each new connection, so a page opened
// while the site is broken shows the overlay at once.
type Hub struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	state   []byte
	closed  bool
}

// NewHub returns a hub with no clients.
func NewHub() *Hub { return &Hub{clients: map[chan []byte]struct{}{}} }

// Send delivers m to every connected browser. A browser too slow to keep
// up loses the message rather than blocking the others; on reconnect it
// compares build IDs and reloads.
func (h *Hub) Send(m Message) {
	if m.Sent == 0 {
		m.Sent = time.Now().UnixMilli()
	}
	data, _ := json.Marshal(m)
	h.mu.Lock()
	defer h.mu.Unlock()
	if m.Type == "errors" || m.Type == "ok" {
		h.state = data
	}
	for c := range h.clients {
		select {
		case c <- data:
		default:
		}
	}
}

// Clients is the number of connected browsers.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Close disconnects every browser and refuses new ones (server shutdown).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		close(c)
		delete(h.clients, c)
	}
}

// ServeHTTP streams events to one browser until it goes away.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan []byte, 16)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	h.clients[c] = struct{}{}
	state := h.state
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		if _, ok := h.clients[c]; ok {
			delete(h.clients, c)
			close(c)
		}
		h.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// Retry quickly after a server restart.
	fmt.Fprint(w, "retry: 500\n\n")
	if state != nil {
		fmt.Fprintf(w, "data: %s\n\n", state)
	}
	flusher.Flush()
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case data, ok := <-c:
			if !ok {
				return
			}
			if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
				return
			}
			flusher.Flush()
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

// ServeScript serves the client script.
func ServeScript(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(script)
}

// Inject adds the client script, tagged with the build it belongs to, to
// an HTML page: before </body>, or at the end when there is none.
func Inject(page []byte, build string) []byte {
	tag := fmt.Appendf(nil, `<script src="%s" data-build="%s" defer></script>`, ScriptPath, build)
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		return append(append([]byte(nil), page...), tag...)
	}
	out := make([]byte, 0, len(page)+len(tag))
	out = append(out, page[:i]...)
	out = append(out, tag...)
	return append(out, page[i:]...)
}
