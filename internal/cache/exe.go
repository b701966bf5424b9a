package cache

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Executable identifies the running pyrobuild executable, or is nil when
// it cannot be read. It stands for everything compiled into it: the
// schema, the loaders, the CUE evaluator, the encoders, the site's
// templates; keys that include it are never shared by two builds of
// pyrobuild. It is computed once a process.
//
// It is the executable's Go build ID ("go " and the ID) when the go
// command made it: that ID hashes every input of the build, and is read
// from the file's header at no cost. Other executables are known by the
// SHA-256 of their bytes ("sha256 " and the sum), which is remembered in
// the folder exe of root, pyrobuild's cache folder ("" for nowhere), under
// the file's path, device, inode, size and modification time, so that a
// program is hashed once, not once a run. The identity is a fact of the
// process: the first call works it out, and remembers it where its root
// says; later calls return it whatever their root.
//
// A file's path, size and time alone are not enough: the page cache puts
// files an older executable laid out into a new output, and a program
// replaced by another of the same size with the same time (a package
// manager that sets every time to 1970, a copy that keeps times) would
// publish stale pages.
func Executable(root string) []byte {
	executable.once.Do(func() {
		memo := ""
		if root != "" {
			memo = filepath.Join(root, "exe")
		}
		if id := executableID(memo); id != "" {
			executable.id = []byte(id)
		}
	})
	return executable.id
}

var executable struct {
	once sync.Once
	id   []byte
}

// executableID is Executable, remembering sums in memoDir ("": nowhere).
func executableID(memoDir string) string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if id := goBuildID(exe); id != "" {
		return "go " + id
	}
	return executableSum(exe, memoDir)
}

// goBuildID is the Go build ID of the executable exe when it is one the
// go command made (see trustedBuildID), else "". A variable, for tests.
var goBuildID = func(exe string) string {
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	if id := readBuildID(f); trustedBuildID(id) {
		return id
	}
	return ""
}

// readBuildID reads an executable's Go build ID: on ELF systems from its
// note section, elsewhere from the text the linker writes at the start
// of the program (\xff Go build ID: "…").
func readBuildID(f *os.File) string {
	if ef, err := elf.NewFile(f); err == nil {
		if sec := ef.Section(".note.go.buildid"); sec != nil {
			// namesz, descsz, type, "Go\x00\x00", then the ID.
			if note, err := sec.Data(); err == nil && len(note) > 16 && string(note[12:16]) == "Go\x00\x00" {
				if n := int(ef.ByteOrder.Uint32(note[4:8])); n > 0 && 16+n <= len(note) {
					return string(note[16 : 16+n])
				}
			}
		}
	}
	head := make([]byte, 64<<10)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	const marker = "\xff Go build ID: \""
	if i := bytes.Index(head, []byte(marker)); i >= 0 {
		id := head[i+len(marker):]
		if end := bytes.IndexByte(id, '"'); end > 0 && end < 200 {
			return string(id[:end])
		}
	}
	return ""
}

// trustedBuildID reports whether a build ID is of the form the go command
// gives it, derived from every input of the build: two or four hashes
// (action and content IDs of the package, then of the link), each 20
// characters of unpadded URL-safe base64, separated by slashes. Builds
// that set their own (Nix's buildGoModule and Bazel's rules_go link with
// -buildid=redacted) give every version the same ID, which would keep
// what an older binary made: those programs are hashed instead.
func trustedBuildID(id string) bool {
	parts := strings.Split(id, "/")
	if len(parts) != 2 && len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) != 20 {
			return false
		}
		for _, c := range []byte(p) {
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// executableSum is "sha256 " and the SHA-256 of the executable exe. The
// sum is remembered in memoDir under the file's path, device, inode, size
// and modification time, so a program is hashed once; "" when it cannot
// be read.
func executableSum(exe, memoDir string) string {
	fi, err := os.Stat(exe)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	var memo, stamp string
	if id := fileIdentity(fi); id != "" && memoDir != "" {
		stamp = fmt.Sprintf("%s\n%s\n%d\n%d\n", exe, id, fi.Size(), fi.ModTime().UnixNano())
		sum := sha256.Sum256([]byte(stamp))
		memo = filepath.Join(memoDir, hex.EncodeToString(sum[:8]))
		if data, err := os.ReadFile(memo); err == nil {
			if rest, ok := strings.CutPrefix(string(data), stamp); ok && len(rest) == 64+1 && rest[64] == '\n' {
				if _, err := hex.DecodeString(rest[:64]); err == nil {
					Touch(memo)
					return "sha256 " + rest[:64]
				}
			}
		}
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// The file hashed must be the one the stamp describes.
	if after, err := f.Stat(); err != nil || !os.SameFile(fi, after) || after.Size() != fi.Size() || !after.ModTime().Equal(fi.ModTime()) {
		return "sha256 " + sum
	}
	if memo != "" {
		_ = WriteFile(memo, []byte(stamp+sum+"\n"))
		// One memo per executable ever run: those unused for TTL go.
		if Daily(filepath.Join(memoDir, "trimmed")) {
			Trim(memoDir, 1, TTL)
		}
	}
	return "sha256 " + sum
}
