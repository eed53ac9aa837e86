package sqlite

// MallocTrimBytes is how much freed memory the C allocator (glibc) keeps at
// the top of each of its heaps instead of handing it back to the OS. SQLite
// allocates and frees a temporary b-tree's page cache (an IN list, a sort)
// on every search that needs one; at glibc's default threshold (128 KiB)
// the free shrank the heap each time (madvise or brk), and in a process
// with several threads each shrink flushes the TLB of every CPU the
// process runs on: a one-row search by record number spent 0.8 of its 0.9
// ms of CPU there (decision 56). 1 MiB stopped the shrinks (2,000 such
// searches made 2,385 madvise and brk calls, then 9) and bounds what is
// kept: this much per heap, and glibc keeps at most eight heaps a core. A process started with
// GLIBC_TUNABLES=glibc.malloc.trim_threshold=N gets the same setting.
const MallocTrimBytes = 1 << 20

func init() { keepFreedMemory(MallocTrimBytes) }
