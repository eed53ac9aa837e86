package sqlite

import (
	"os"
	"strconv"
	"sync"
)

// walHeader is the length of one copy of the WAL index header at the start
// of the -shm file (sqlite.org/fileformat2.html, "WAL-Index Format"): the
// writer changes it at every commit (mxFrame, iChange, the salts), and
// keeps two copies, the second written first.
const walHeader = 48

// changeMark reads the WAL index header that every commit to the file
// rewrites, whichever process makes it, before it returns: a header that
// has not changed since an earlier read means nothing has been committed
// since (core.ChangeMarker). It is one read of 96 bytes, where a query
// costs a statement through the driver.
type changeMark struct {
	mu  sync.Mutex
	shm *os.File // nil while the file is not in WAL mode (a bulk load)
	gen int      // moves with every shm handle, so no two handles' marks meet
}

// open (re)opens the -shm file of the database at path.
func (c *changeMark) open(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shm != nil {
		c.shm.Close()
	}
	c.shm, c.gen = nil, c.gen+1
	if f, err := os.Open(path + "-shm"); err == nil {
		c.shm = f
	}
}

// close drops the handle: a bulk load leaves WAL, SQLite removes the -shm
// file, and commits no longer touch it.
func (c *changeMark) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shm != nil {
		c.shm.Close()
	}
	c.shm, c.gen = nil, c.gen+1
}

// ChangeMark implements core.ChangeMarker: not ok without the -shm file,
// or while its two header copies differ (a commit writing them).
func (s *Store) ChangeMark() (string, bool) {
	c := &s.mark
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shm == nil {
		return "", false
	}
	var b [2 * walHeader]byte
	if n, err := c.shm.ReadAt(b[:], 0); n < len(b) || err != nil {
		return "", false
	}
	if string(b[:walHeader]) != string(b[walHeader:]) || b[12] != 1 { // isInit
		return "", false
	}
	return strconv.Itoa(c.gen) + ":" + string(b[:walHeader]), true
}
