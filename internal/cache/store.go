package cache

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// A Store is a cache folder of entries named by a key: the hash of the
// store's format, the executable (Executable) and what the caller made the
// entry from. A new pyrobuild, or a new format, never reads an old entry.
//
// Entries live in append-only pack files, not one file each: creating a
// file costs far more than writing its bytes (77 µs on a clean ext4, 480
// after mass deletions), and a cold compilation would create one per CUE
// package. Each run that writes appends to a pack of its own (name.pack),
// which it holds locked while it writes; each record carries its key, its
// length and a CRC-32C of its data. At the end of the run (Close) the run
// takes the folder's lock, merges its entries into the folder's index
// (key → pack, offset, length, checksum, the day it was last used) and
// writes the index atomically. So:
//
//   - Two processes never write the same pack, and index merges take
//     turns: concurrent runs on one folder lose nothing and corrupt
//     nothing.
//   - A reader checks every record against its index entry and its
//     checksum: a torn or corrupt record is a miss, never wrong data.
//   - A run that crashed leaves a pack no index names and no process
//     locks; the next merge reads its records up to the first bad one (a
//     crash mid-append leaves a readable prefix) and adopts them. An
//     unreadable index is the same: every pack is read again.
//   - Compaction, at a merge, rewrites the live entries into one new pack
//     and removes the old ones, when dead bytes (entries replaced, or
//     unused for TTL) exceed half of the packs or there are more than
//     compactPacks of them.
//
// Where file locks are not available (not Unix), a pack no index names is
// adopted and removed only when a day old, and two runs merging at once
// may lose one's entries: misses, never wrong data.
type Store struct {
	dir   string
	salt  []byte
	today int32

	loadOnce sync.Once
	mu       sync.Mutex
	index    map[key]loc         // the index as read at first use
	added    map[key]loc         // this run's entries, in its own pack
	used     map[key]bool        // hits not yet marked used today
	files    map[string]*os.File // packs opened for reading; nil: cannot be
	own      *os.File            // this run's pack, locked
	ownName  string              // its file name
	ownOff   int64               // its size
	ownBad   bool                // it could not be made or written
	closed   bool
}

type key [sha256.Size]byte

// loc is where an entry is, and the day (since 1970) it was last used.
type loc struct {
	pack string
	off  int64
	n    uint32
	crc  uint32
	day  int32
}

// The folder's files, beside the packs; recMagic starts every record of a
// pack, idxMagic the index.
const (
	indexName = "index"
	lockName  = "lock"
	packExt   = ".pack"
	recMagic  = "PBR1"
	idxMagic  = "PBX1"
	recHeader = len(recMagic) + sha256.Size + 4 + 4
	maxEntry  = 1 << 30
)

// Compaction: when more than compactPacks packs hold entries, or when
// dead bytes are more than compactShare of the packs and at least
// compactMin; a pack no index names is someone else's while locked (or,
// without locks, younger than orphanAge).
const (
	compactPacks = 16
	compactShare = 0.5
	compactMin   = 1 << 20
	orphanAge    = 24 * time.Hour
)

// castagnoli is made on first use: making it fills the hardware tables,
// a cost every start of the command would otherwise pay (see
// archtest.TestNoStartupWork).
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Open returns the store in dir, a folder of pyrobuild's cache folder, for
// entries of the given format, or nil when there is none to use: no
// folder, or an executable that cannot be identified. Nothing is read
// before the first Read or Write; Close ends its use.
func Open(dir, format string) *Store {
	if dir == "" {
		return nil
	}
	exe := Executable(filepath.Dir(dir))
	if exe == nil {
		return nil
	}
	return &Store{dir: dir, salt: append([]byte(format+"\x00"), exe...), today: day(time.Now())}
}

func day(t time.Time) int32 { return int32(t.Unix() / 86400) }

// key is the name of a caller's key in the store.
func (s *Store) key(k []byte) key {
	h := sha256.New()
	h.Write(s.salt)
	h.Write(k)
	var out key
	h.Sum(out[:0])
	return out
}

// load reads the index, once.
func (s *Store) load() {
	s.loadOnce.Do(func() {
		idx, _ := readIndex(filepath.Join(s.dir, indexName))
		s.mu.Lock()
		s.index = idx
		s.added, s.used, s.files = map[key]loc{}, map[key]bool{}, map[string]*os.File{}
		s.mu.Unlock()
	})
}

// Read returns the entry of key, and marks it used; ok is false when there
// is none or it cannot be read whole and intact.
func (s *Store) Read(k []byte) (data []byte, ok bool) {
	name := s.key(k)
	s.load()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, false
	}
	l, ok := s.added[name]
	if !ok {
		l, ok = s.index[name]
	}
	var f *os.File
	if ok {
		f = s.file(l.pack)
	}
	s.mu.Unlock()
	if f == nil {
		return nil, false
	}
	data, ok = readRecord(f, name, l)
	if ok && l.day != s.today {
		s.mu.Lock()
		s.used[name] = true
		s.mu.Unlock()
	}
	return data, ok
}

// file returns the pack of that name, opened for reading, or nil. s.mu is
// held.
func (s *Store) file(pack string) *os.File {
	if pack == s.ownName && s.own != nil {
		return s.own
	}
	f, seen := s.files[pack]
	if !seen {
		f, _ = os.Open(filepath.Join(s.dir, pack))
		s.files[pack] = f // nil too: a pack gone is not looked for again
	}
	return f
}

// Write makes data the entry of key, appended to this run's pack. An entry
// that cannot be written is only a miss later, so there is no error.
func (s *Store) Write(k, data []byte) {
	if len(data) > maxEntry {
		return
	}
	name := s.key(k)
	s.load()
	rec, crc := appendRecord(nil, name, data)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.ownBad {
		return
	}
	if s.own == nil {
		if s.own, s.ownName = createPack(s.dir); s.own == nil {
			s.ownBad = true
			return
		}
	}
	if _, err := s.own.Write(rec); err != nil {
		// What was written of rec is a torn record: the end of the pack.
		s.ownBad = true
		return
	}
	s.added[name] = loc{pack: s.ownName, off: s.ownOff, n: uint32(len(data)), crc: crc, day: s.today}
	s.ownOff += int64(len(rec))
}

// createPack makes a new pack in dir, locked (where locks work), and
// returns it with its name; nil when it cannot.
func createPack(dir string) (*os.File, string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, ""
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	name := hex.EncodeToString(r[:]) + packExt
	// Locked before it has a pack's name: a merge that finds a pack
	// unlocked takes it for the leftover of a run that ended.
	tmp := filepath.Join(dir, ".tmp-"+name+".new")
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, ""
	}
	if held, _ := lock(f, false); (locks && !held) || os.Rename(tmp, filepath.Join(dir, name)) != nil {
		f.Close()
		_ = os.Remove(tmp)
		return nil, ""
	}
	return f, name
}

// appendRecord appends data's record under key to b, and returns it with
// data's checksum.
func appendRecord(b []byte, k key, data []byte) ([]byte, uint32) {
	crc := crc32.Checksum(data, castagnoli())
	b = append(b, recMagic...)
	b = append(b, k[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, crc)
	return append(b, data...), crc
}

// readRecord reads the entry l says f holds for k, and checks it.
func readRecord(f *os.File, k key, l loc) ([]byte, bool) {
	buf := make([]byte, recHeader+int(l.n))
	if _, err := f.ReadAt(buf, l.off); err != nil {
		return nil, false
	}
	h := buf[:recHeader]
	data := buf[recHeader:]
	if string(h[:len(recMagic)]) != recMagic || !bytes.Equal(h[len(recMagic):len(recMagic)+sha256.Size], k[:]) ||
		binary.LittleEndian.Uint32(h[recHeader-8:]) != l.n || binary.LittleEndian.Uint32(h[recHeader-4:]) != l.crc ||
		crc32.Checksum(data, castagnoli()) != l.crc {
		return nil, false
	}
	return data, true
}

// scanPack reads a pack's records from the start, up to the first that is
// not whole and intact, into idx (where idx has no entry for the key).
func scanPack(f *os.File, name string, today int32, idx map[key]loc) {
	r := io.NewSectionReader(f, 0, 1<<62)
	var h [recHeader]byte
	var off int64
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil || string(h[:len(recMagic)]) != recMagic {
			return
		}
		var k key
		copy(k[:], h[len(recMagic):])
		l := loc{pack: name, off: off, n: binary.LittleEndian.Uint32(h[recHeader-8:]), crc: binary.LittleEndian.Uint32(h[recHeader-4:]), day: today}
		if l.n > maxEntry {
			return
		}
		if _, ok := readRecord(f, k, l); !ok {
			return
		}
		if _, ok := idx[k]; !ok {
			idx[k] = l
		}
		off += int64(recHeader) + int64(l.n)
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return
		}
	}
}

// Close ends the store's use: this run's entries, and the days entries
// were used, go into the index, at most once a day expired entries are
// dropped, and the packs are compacted when due. The store reads and
// writes nothing after.
func (s *Store) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.index == nil {
		s.closed = true
		return // never used
	}
	s.closed = true
	daily := Daily(filepath.Join(s.dir, "trimmed"))
	if s.own != nil || len(s.used) > 0 || daily {
		s.merge()
	}
	for _, f := range s.files {
		if f != nil {
			f.Close()
		}
	}
	if s.own != nil {
		s.own.Close() // and its lock
	}
	if daily {
		// The layout before packs (one file per entry in sub-folders
		// named by two hex digits), which an older pyrobuild sharing the
		// folder may still use: its entries go once unused for TTL.
		Trim(s.dir, 2, TTL)
		// Temporary files of runs that died before renaming them.
		tmps, _ := filepath.Glob(filepath.Join(s.dir, ".tmp-*"))
		for _, p := range tmps {
			if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > orphanAge {
				_ = os.Remove(p)
			}
		}
	}
}

// merge writes the index anew under the folder's lock: what is on disk,
// this run's entries and uses, the packs of runs that ended without a
// merge; then removes the packs no entry is in. s.mu is held.
func (s *Store) merge() {
	if lf, err := os.OpenFile(filepath.Join(s.dir, lockName), os.O_RDWR|os.O_CREATE, 0o644); err == nil {
		defer lf.Close()
		if _, err := lock(lf, true); err != nil && locks {
			return
		}
	}
	idx, _ := readIndex(filepath.Join(s.dir, indexName))
	before := map[string]bool{}
	for _, l := range idx {
		before[l.pack] = true
	}
	for k, l := range s.added {
		idx[k] = l
	}
	for k := range s.used {
		if l, ok := idx[k]; ok {
			l.day = s.today
			idx[k] = l
		}
	}
	held := s.adopt(idx, before)
	defer func() {
		for _, f := range held {
			f.Close()
		}
	}()
	// Packs this merge may remove: those the index named, those it
	// adopted, its own; never a live run's.
	mine := func(pack string) bool {
		_, adopted := held[pack]
		return before[pack] || adopted || pack == s.ownName
	}
	for k, l := range idx {
		if s.today-l.day > int32(TTL/(24*time.Hour)) {
			delete(idx, k)
		}
	}
	if s.compactDue(idx) {
		idx = s.compact(idx)
	}
	if err := WriteFile(filepath.Join(s.dir, indexName), encodeIndex(idx)); err != nil {
		return
	}
	live := map[string]bool{}
	for _, l := range idx {
		live[l.pack] = true
	}
	for _, p := range packNames(s.dir) {
		if !live[p] && mine(p) {
			_ = os.Remove(filepath.Join(s.dir, p))
		}
	}
}

// adopt reads into idx the packs no index names whose run has ended, and
// returns them open (their lock held) by name.
func (s *Store) adopt(idx map[key]loc, named map[string]bool) map[string]*os.File {
	held := map[string]*os.File{}
	for _, p := range packNames(s.dir) {
		if named[p] || p == s.ownName {
			continue
		}
		f, err := os.Open(filepath.Join(s.dir, p))
		if err != nil {
			continue
		}
		if locks {
			if ok, _ := lock(f, false); !ok {
				f.Close() // a live run's
				continue
			}
		} else if fi, err := f.Stat(); err != nil || time.Since(fi.ModTime()) < orphanAge {
			f.Close()
			continue
		}
		scanPack(f, p, s.today, idx)
		held[p] = f
	}
	return held
}

// packNames lists the packs in dir.
func packNames(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, packExt) && !strings.HasPrefix(n, ".") && !e.IsDir() {
			out = append(out, n)
		}
	}
	return out
}

// compactDue reports whether the packs idx names are worth rewriting.
func (s *Store) compactDue(idx map[key]loc) bool {
	liveBytes := map[string]int64{}
	for _, l := range idx {
		liveBytes[l.pack] += int64(recHeader) + int64(l.n)
	}
	var total, live int64
	for p, n := range liveBytes {
		fi, err := os.Stat(filepath.Join(s.dir, p))
		if err != nil {
			continue
		}
		total += fi.Size()
		live += n
	}
	dead := total - live
	return len(liveBytes) > compactPacks || (dead >= compactMin && float64(dead) > compactShare*float64(total))
}

// compact copies the entries of idx, checked, into one new pack, and
// returns the index of the copies; on failure, idx as it was.
func (s *Store) compact(idx map[key]loc) map[key]loc {
	f, name := createPack(s.dir)
	if f == nil {
		return idx
	}
	defer f.Close()
	keys := make([]key, 0, len(idx))
	for k := range idx {
		keys = append(keys, k)
	}
	// In pack order: each old pack is read from start to end.
	slices.SortFunc(keys, func(a, b key) int {
		la, lb := idx[a], idx[b]
		if c := strings.Compare(la.pack, lb.pack); c != 0 {
			return c
		}
		return int(min(max(la.off-lb.off, -1), 1))
	})
	out := make(map[key]loc, len(idx))
	var off int64
	var buf []byte
	for _, k := range keys {
		l := idx[k]
		src := s.file(l.pack)
		if src == nil {
			continue
		}
		data, ok := readRecord(src, k, l)
		if !ok {
			continue // a bad entry is dropped, not copied
		}
		buf, _ = appendRecord(buf[:0], k, data)
		if _, err := f.Write(buf); err != nil {
			_ = os.Remove(filepath.Join(s.dir, name))
			return idx
		}
		out[k] = loc{pack: name, off: off, n: l.n, crc: l.crc, day: l.day}
		off += int64(len(buf))
	}
	if err := f.Sync(); err != nil {
		_ = os.Remove(filepath.Join(s.dir, name))
		return idx
	}
	return out
}

// ---- the index ----
//
// idxMagic, the pack names (count, then each as length and bytes), the
// entries (count, then each as key, pack number, offset, length, CRC-32C,
// day), then the CRC-32C of all that. Numbers are uvarints, except the
// checksums (4 bytes, little-endian).

var errBadIndex = errors.New("unreadable store index")

func encodeIndex(idx map[key]loc) []byte {
	packs := map[string]int{}
	var names []string
	keys := make([]key, 0, len(idx))
	for k, l := range idx {
		keys = append(keys, k)
		if _, ok := packs[l.pack]; !ok {
			packs[l.pack] = len(names)
			names = append(names, l.pack)
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return bytes.Compare(a[:], b[:]) })
	b := []byte(idxMagic)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
	}
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		l := idx[k]
		b = append(b, k[:]...)
		b = binary.AppendUvarint(b, uint64(packs[l.pack]))
		b = binary.AppendUvarint(b, uint64(l.off))
		b = binary.AppendUvarint(b, uint64(l.n))
		b = binary.LittleEndian.AppendUint32(b, l.crc)
		b = binary.AppendUvarint(b, uint64(l.day))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli()))
}

// readIndex reads the index at p; an index missing or unreadable is an
// empty one (with an error), whose packs the next merge reads again.
func readIndex(p string) (map[key]loc, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return map[key]loc{}, err
	}
	idx, err := decodeIndex(b)
	if err != nil {
		return map[key]loc{}, err
	}
	return idx, nil
}

func decodeIndex(b []byte) (map[key]loc, error) {
	if len(b) < len(idxMagic)+4 || string(b[:len(idxMagic)]) != idxMagic ||
		crc32.Checksum(b[:len(b)-4], castagnoli()) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, errBadIndex
	}
	d := idxDecoder{b: b[len(idxMagic) : len(b)-4]}
	names := make([]string, d.count())
	for i := range names {
		names[i] = string(d.bytes(d.count()))
	}
	n := d.uvarint()
	if n > uint64(len(d.b)/(sha256.Size+8)) { // the least an entry takes
		return nil, errBadIndex
	}
	idx := make(map[key]loc, n)
	for range n {
		var k key
		copy(k[:], d.bytes(sha256.Size))
		pi := d.uvarint()
		l := loc{off: int64(d.uvarint()), n: uint32(d.uvarint()), crc: binary.LittleEndian.Uint32(d.bytes(4)), day: int32(d.uvarint())}
		if d.err != nil || pi >= uint64(len(names)) || l.off < 0 || l.n > maxEntry {
			return nil, errBadIndex
		}
		l.pack = names[pi]
		idx[k] = l
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errBadIndex
	}
	return idx, nil
}

type idxDecoder struct {
	b   []byte
	err error
}

func (d *idxDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errBadIndex
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length, which no well-formed index makes larger than
// what is left of it.
func (d *idxDecoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err = errBadIndex
		return 0
	}
	return int(v)
}

func (d *idxDecoder) bytes(n int) []byte {
	if n > len(d.b) {
		d.err = errBadIndex
		d.b = nil
		return make([]byte, n)
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}
