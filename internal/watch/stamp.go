package watch

import (
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"time"
)

// stamp tells file versions apart without reading them, mostly.
type stamp struct {
	mtime int64
	size  int64
	ino   uint64
	mode  fs.FileMode
	// sum is a content hash, set only while the file is "racy" (see
	// racyWindow); 0 means unknown.
	sum uint64
}

func stampOf(fi fs.FileInfo) stamp {
	return stamp{mtime: fi.ModTime().UnixNano(), size: fi.Size(), ino: inode(fi), mode: fi.Mode().Type()}
}

// same reports whether two stamps describe the same content as far as can
// be told; hashes count only when both sides have one.
func (s stamp) same(o stamp) bool {
	a, b := s, o
	a.sum, b.sum = 0, 0
	return a == b && (s.sum == 0 || o.sum == 0 || s.sum == o.sum)
}

// racyWindow is how recently a file must have been modified for its mtime
// to be untrustworthy: mtimes advance in ticks (a few ms on Linux, 1 s on
// ext3, HFS+ and many network file systems, 2 s on FAT), so a second save
// of the same size within one tick leaves size, mtime and inode unchanged.
// Such files are hashed while they are this fresh, and once more after, so
// the polling baseline can tell those saves apart (git's "racy clean"
// problem, solved the same way).
const racyWindow = 3 * time.Second

// maxHashSize keeps hashing cheap; bigger files rely on size and mtime.
const maxHashSize = 4 << 20

// stampFor returns the stamp to compare with prev and the one to keep. The
// content is hashed when the file is racy now or prev carried a hash (its
// last look was racy, so this look must settle it); the kept stamp carries
// the hash only while racy, which ends the hashing once the file rests.
func stampFor(abs string, fi fs.FileInfo, prev stamp, now time.Time) (cur, keep stamp) {
	cur = stampOf(fi)
	racy := now.Sub(fi.ModTime()) < racyWindow
	if fi.Mode().IsRegular() && fi.Size() <= maxHashSize && (racy || prev.sum != 0) {
		cur.sum = hashFile(abs)
	}
	keep = cur
	if !racy {
		keep.sum = 0
	}
	return cur, keep
}

// hashFile returns a non-zero FNV-1a hash of the file's content, or 0 when
// it cannot be read.
func hashFile(path string) uint64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	h := fnv.New64a()
	if _, err := io.Copy(h, io.LimitReader(f, maxHashSize+1)); err != nil {
		return 0
	}
	return h.Sum64() | 1
}
