package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// A Store is a cache folder whose entries are named by a key: the hash of
// the store's format, the executable (Executable) and what the caller
// made the entry from. A new pyrobuild, or a new format, never reads an
// old entry; entries are spread over sub-folders named by their first two
// hex digits.
type Store struct {
	dir  string
	salt []byte
}

// Open returns the store in dir, a folder of pyrobuild's cache folder, for
// entries of the given format, or nil when there is none to use: no
// folder, or an executable that cannot be identified.
func Open(dir, format string) *Store {
	if dir == "" {
		return nil
	}
	exe := Executable(filepath.Dir(dir))
	if exe == nil {
		return nil
	}
	return &Store{dir: dir, salt: append([]byte(format+"\x00"), exe...)}
}

// path is the entry of key.
func (s *Store) path(key []byte) string {
	h := sha256.New()
	h.Write(s.salt)
	h.Write(key)
	name := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(s.dir, name[:2], name)
}

// Read returns the entry of key, and marks it used; ok is false when there
// is none or it cannot be read.
func (s *Store) Read(key []byte) (data []byte, ok bool) {
	p := s.path(key)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	Touch(p)
	return data, true
}

// Write makes data the entry of key. An entry that cannot be written is
// only a miss later, so there is no error.
func (s *Store) Write(key, data []byte) {
	_ = WriteFile(s.path(key), data)
}

// Trim removes the entries no run has used for TTL, at most once a day.
func (s *Store) Trim() {
	if Daily(filepath.Join(s.dir, "trimmed")) {
		Trim(s.dir, 2, TTL)
	}
}
