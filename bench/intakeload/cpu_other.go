//go:build !unix

package main

import "time"

// processCPU is unknown here; the CPU per request then reads 0.
func processCPU() time.Duration { return 0 }
