// Command benchserve measures edit → reload latency of `pyrobuild serve`
// and `hugo server` side by side on the same generated site: it edits
// pages (in place, and as editors save: a temporary file renamed over the
// page) at random intervals and times how long each server takes to tell
// its browsers to reload. It also reports each server's peak memory.
//
//	benchserve -n 1000 -edits 20 -pyrobuild bin/pyrobuild -hugo hugo
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

func main() {
	n := flag.Int("n", 1000, "pages")
	edits := flag.Int("edits", 20, "edits of each kind (in place, rename)")
	pyro := flag.String("pyrobuild", "bin/pyrobuild", "pyrobuild binary")
	hugo := flag.String("hugo", "hugo", "hugo binary (empty: skip Hugo)")
	seed := flag.Uint64("seed", 1, "random seed of the gaps between edits")
	flag.Parse()
	if err := run(*n, *edits, *pyro, *hugo, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		os.Exit(1)
	}
}

type result struct {
	name            string
	inPlace, rename []time.Duration
	peakRSS         int64 // KiB
	missed          int
}

func run(n, edits int, pyro, hugo string, seed uint64) error {
	work, err := os.MkdirTemp("", "benchserve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	rng := mrand.New(mrand.NewPCG(seed, seed))
	var results []result

	pyroDir := filepath.Join(work, "pyro")
	if err := benchgen.WritePages(pyroDir, n); err != nil {
		return err
	}
	port := freePort()
	cmd := exec.Command(pyro, "serve", "--root", pyroDir, "--port", strconv.Itoa(port), "--cache-dir", "off")
	r, err := measure("pyrobuild serve", cmd, pyroDir, port, n, edits, rng, func() (waiter, error) { return sseWaiter(port) })
	if err != nil {
		return err
	}
	results = append(results, r)

	if hugo != "" {
		hugoDir := filepath.Join(work, "hugo")
		if err := benchgen.WriteHugoSite(hugoDir, n); err != nil {
			return err
		}
		port := freePort()
		cmd := exec.Command(hugo, "server", "--source", hugoDir, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--noBuildLock", "--quiet")
		r, err := measure("hugo server", cmd, hugoDir, port, n, edits, rng, func() (waiter, error) { return liveReloadWaiter(port) })
		if err != nil {
			return err
		}
		results = append(results, r)
	}

	fmt.Printf("| %d pages, %d edits of each kind | in-place save, median | rename save, median | p90 (all) | peak RSS |\n", n, edits)
	fmt.Println("|---|---|---|---|---|")
	for _, r := range results {
		all := append(append([]time.Duration(nil), r.inPlace...), r.rename...)
		fmt.Printf("| %s | %s | %s | %s | %d MB |\n", r.name, ms(median(r.inPlace)), ms(median(r.rename)), ms(percentile(all, 0.9)), r.peakRSS/1024)
		if r.missed > 0 {
			fmt.Printf("\n%s missed %d edits (no reload message within 5 s)\n", r.name, r.missed)
		}
	}
	return nil
}

// waiter blocks until the server's next reload message and returns when
// it arrived.
type waiter func(timeout time.Duration) (time.Time, error)

func measure(name string, cmd *exec.Cmd, dir string, port, n, edits int, rng *mrand.Rand, connect func() (waiter, error)) (result, error) {
	res := result{name: name}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		cmd.Wait()
	}()
	if err := waitHTTP(port, 120*time.Second); err != nil {
		return res, fmt.Errorf("%s did not start: %w", name, err)
	}
	wait, err := connect()
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	time.Sleep(time.Second) // let the server settle after its first build
	for i := 0; i < 2*edits; i++ {
		page := filepath.Join(dir, "content", filepath.FromSlash(benchgen.PagePath(rng.IntN(n))))
		orig, err := os.ReadFile(page)
		if err != nil {
			return res, err
		}
		text := append(append([]byte(nil), orig...), fmt.Sprintf("\nEdit %d.\n", i)...)
		// Random gaps, so edits cannot fall into step with a server's
		// batching tick.
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		start := time.Now()
		rename := i%2 == 1
		if rename {
			tmp := filepath.Join(filepath.Dir(page), "."+filepath.Base(page)+".swp")
			if err := os.WriteFile(tmp, text, 0o644); err != nil {
				return res, err
			}
			err = os.Rename(tmp, page)
		} else {
			err = os.WriteFile(page, text, 0o644)
		}
		if err != nil {
			return res, err
		}
		got, err := wait(5 * time.Second)
		if err != nil {
			res.missed++
			continue
		}
		d := got.Sub(start)
		if rename {
			res.rename = append(res.rename, d)
		} else {
			res.inPlace = append(res.inPlace, d)
		}
	}
	res.peakRSS = peakRSS(cmd.Process.Pid)
	return res, nil
}

// sseWaiter follows pyrobuild's event stream.
func sseWaiter(port int) (waiter, error) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/_pyrobuild/events", port))
	if err != nil {
		return nil, err
	}
	msgs := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var m struct{ Type string }
				if json.Unmarshal([]byte(data), &m) == nil && m.Type == "reload" {
					msgs <- data
				}
			}
		}
		close(msgs)
	}()
	return chanWaiter(msgs), nil
}

// liveReloadWaiter speaks the LiveReload protocol over a WebSocket, as
// Hugo's livereload.js does: hello, then "reload" commands.
func liveReloadWaiter(port int) (waiter, error) {
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	key := make([]byte, 16)
	rand.Read(key)
	fmt.Fprintf(conn, "GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:%d\r\n\r\n", port, base64.StdEncoding.EncodeToString(key), port)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, fmt.Errorf("livereload handshake: %s", resp.Status)
	}
	writeFrame(conn, []byte(`{"command":"hello","protocols":["http://livereload.com/protocols/official-7"]}`))
	msgs := make(chan string, 64)
	go func() {
		for {
			msg, err := readFrame(br)
			if err != nil {
				close(msgs)
				return
			}
			if strings.Contains(string(msg), `"reload"`) {
				msgs <- string(msg)
			}
		}
	}()
	return chanWaiter(msgs), nil
}

func chanWaiter(msgs <-chan string) waiter {
	return func(timeout time.Duration) (time.Time, error) {
		select {
		case _, ok := <-msgs:
			got := time.Now()
			if !ok {
				return got, errors.New("connection closed")
			}
			// A server may send several messages for one edit: take them
			// all, so the next edit waits for its own.
			for {
				select {
				case <-msgs:
				case <-time.After(100 * time.Millisecond):
					return got, nil
				}
			}
		case <-time.After(timeout):
			return time.Time{}, errors.New("timeout")
		}
	}
}

// writeFrame sends one masked text frame (clients must mask).
func writeFrame(w io.Writer, payload []byte) error {
	hdr := []byte{0x81}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	default:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	}
	mask := make([]byte, 4)
	rand.Read(mask)
	hdr = append(hdr, mask...)
	masked := make([]byte, len(payload))
	for i, b := range payload {
		masked[i] = b ^ mask[i%4]
	}
	_, err := w.Write(append(hdr, masked...))
	return err
}

// readFrame reads one unmasked server frame (text or binary; control
// frames are returned too and ignored by the caller).
func readFrame(r *bufio.Reader) ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<24 {
		return nil, errors.New("frame too large")
	}
	buf := make([]byte, n)
	_, err := io.ReadFull(r, buf)
	return buf, err
}

func waitHTTP(port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("timeout")
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 18000 + int(time.Now().UnixNano()%1000)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// peakRSS is the process's high-water resident memory, in KiB.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

func median(ds []time.Duration) time.Duration { return percentile(ds, 0.5) }

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1)+0.5)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
