package bitcoin

import "sync"

// maxHeights bounds the heights remembered: more than a day of blocks, so a
// watcher's blocks of the pass, and the blocks of the deposits it recounts,
// are found here.
const maxHeights = 256

// heights remembers the height of blocks this Chain read from the node. A
// block's hash fixes its height for good (the header names its parent, and
// so on back to genesis), so a transaction mined in a block just read needs
// no getblockheader to be placed: that is one round trip fewer for each
// deposit a new block pays. Whether the block is still on the node's chain
// is another question, which the caller asks the node each time.
type heights struct {
	mu sync.Mutex
	m  map[string]int64
}

func (h *heights) get(hash string) (int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	height, ok := h.m[hash]
	return height, ok
}

// put remembers one block; when full it forgets everything, which only
// costs the next few placements their round trip again.
func (h *heights) put(hash string, height int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= maxHeights {
		h.m = make(map[string]int64, maxHeights)
	}
	h.m[hash] = height
}
