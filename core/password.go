package core

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters for new password hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2Params follow RFC 9106's second recommended option (64 MiB, t=3).
var DefaultArgon2Params = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// Upper bounds CheckPassword accepts in a stored hash.
const (
	maxArgon2Memory = 1 << 20 // KiB, 1 GiB
	maxArgon2Time   = 64
	maxArgon2KeyLen = 64
)

// HashPassword returns an argon2id hash in PHC string format.
func HashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2Key(pw, salt, p, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC-format argon2id hash,
// in constant time with respect to the key.
func CheckPassword(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.Threads == 0 || p.Time == 0 {
		return false
	}
	// A stored hash is data, not configuration: parameters beyond what the
	// desk ever creates would let one tampered row allocate gigabytes or spin
	// for hours on every login attempt.
	if p.Memory > maxArgon2Memory || p.Time > maxArgon2Time || len(want) > maxArgon2KeyLen {
		return false
	}
	got := argon2Key(pw, salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// argon2Key is argon2id's key of pw, keyLen bytes. The hash allocates
// p.Memory (64 MiB) that is garbage once it returns, and it is collected
// at once (decision 65): left to the pacer, that block set the next
// collection at twice its size, so after a login the desk (and every
// depositctl command) allocated into never-touched pages until then, each
// a page fault — a 50-record page of the records search faulted about 20
// pages and took 0.46 ms instead of 0.17 ms. The collection costs about a
// millisecond beside the hash's 350. A block under the runtime's smallest
// heap goal (4 MB) cannot inflate it, and is left to the pacer.
func argon2Key(pw string, salt []byte, p Argon2Params, keyLen uint32) []byte {
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	if p.Memory >= minHeapGoalKiB {
		runtime.GC()
	}
	return key
}

// minHeapGoalKiB is the Go runtime's smallest heap goal (4 MB), in KiB.
const minHeapGoalKiB = 4 << 10
