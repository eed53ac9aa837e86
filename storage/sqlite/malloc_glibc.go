//go:build linux && cgo

package sqlite

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void keep_freed_memory(int bytes) { mallopt(M_TRIM_THRESHOLD, bytes); }
#else
static void keep_freed_memory(int bytes) {}
#endif
*/
import "C"

// keepFreedMemory raises glibc's trim threshold (MallocTrimBytes); other C
// libraries are left as they are.
func keepFreedMemory(bytes int) { C.keep_freed_memory(C.int(bytes)) }
