//go:build !linux || !cgo

package sqlite

// keepFreedMemory does nothing off Linux: the trim it avoids is glibc's.
func keepFreedMemory(int) {}
