package watch

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// backend is the part of fsnotify the watcher uses. It is an interface so
// tests can make the watcher fail to start or run out of watches, which is
// how the polling fallback gets exercised without lowering system limits.
type backend interface {
	Add(dir string) error
	Remove(dir string) error
	Close() error
	Events() <-chan fsnotify.Event
	Errors() <-chan error
	WatchList() []string
}

type fsnotifyBackend struct{ w *fsnotify.Watcher }

// eventBuffer lets fsnotify keep draining the kernel queue while the run loop
// is busy (walking a folder that was just moved in, say); the kernel queue
// overflows at fs.inotify.max_queued_events, which costs a full rescan.
const eventBuffer = 256

func newFSNotify() (backend, error) {
	w, err := fsnotify.NewBufferedWatcher(eventBuffer)
	if err != nil {
		return nil, err
	}
	return fsnotifyBackend{w}, nil
}

func (b fsnotifyBackend) Add(dir string) error          { return b.w.Add(dir) }
func (b fsnotifyBackend) Remove(dir string) error       { return b.w.Remove(dir) }
func (b fsnotifyBackend) Close() error                  { return b.w.Close() }
func (b fsnotifyBackend) Events() <-chan fsnotify.Event { return b.w.Events }
func (b fsnotifyBackend) Errors() <-chan error          { return b.w.Errors }
func (b fsnotifyBackend) WatchList() []string           { return b.w.WatchList() }

// isLimit reports whether err means the system ran out of watches or
// watcher instances; those are the failures polling can work around.
func isLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// fallbackNotice explains in one line why the watcher polls and what the
// user can do about it: the limit's name and current value, the sysctl that
// raises it, and --poll to skip the attempt.
func fallbackNotice(err error, what string, every time.Duration) string {
	why := err.Error()
	linux := runtime.GOOS == "linux"
	switch {
	case linux && errors.Is(err, syscall.ENOSPC):
		why = "the inotify watch limit is reached" + sysctlNow("max_user_watches") +
			"; raise it with `sudo sysctl -w fs.inotify.max_user_watches=" + sysctlSuggest("max_user_watches", 524288) + "`"
	case linux && errors.Is(err, syscall.EMFILE):
		why = "the inotify instance limit" + sysctlNow("max_user_instances") +
			" or the open-file limit is reached; raise it with `sudo sysctl -w fs.inotify.max_user_instances=" +
			sysctlSuggest("max_user_instances", 1024) + "` or `ulimit -n`"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		why = "the open-file limit is reached; raise it with `ulimit -n`"
	}
	return fmt.Sprintf("watch: cannot %s: %s; polling every %v instead (pass --poll to skip the file watcher)", what, why, every)
}

func readSysctl(name string) (int, bool) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/" + name)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

func sysctlNow(name string) string {
	if n, ok := readSysctl(name); ok {
		return fmt.Sprintf(" (fs.inotify.%s = %d)", name, n)
	}
	return " (fs.inotify." + name + ")"
}

// sysctlSuggest proposes a value clearly above the current one, so that
// following the advice actually helps.
func sysctlSuggest(name string, atLeast int) string {
	n, _ := readSysctl(name)
	if 2*n > atLeast {
		atLeast = 2 * n
	}
	return strconv.Itoa(atLeast)
}
