package core_test

import (
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// cheapArgon2 keeps tests fast; production uses DefaultArgon2Params.
var cheapArgon2 = core.Argon2Params{Memory: 64, Time: 1, Threads: 1}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	h, err := core.HashPassword("correct horse battery", cheapArgon2)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$"), h)

	t.Run("ChecksTheRightPassword", func(t *testing.T) {
		t.Parallel()
		require.True(t, core.CheckPassword("correct horse battery", h))
	})
	t.Run("RefusesAWrongPassword", func(t *testing.T) {
		t.Parallel()
		require.False(t, core.CheckPassword("correct horse batterY", h))
		require.False(t, core.CheckPassword("", h))
	})
	t.Run("SaltsEveryHash", func(t *testing.T) {
		t.Parallel()
		h2, err := core.HashPassword("correct horse battery", cheapArgon2)
		require.NoError(t, err)
		require.NotEqual(t, h, h2)
		require.True(t, core.CheckPassword("correct horse battery", h2))
	})
	t.Run("RefusesGarbageHashes", func(t *testing.T) {
		t.Parallel()
		parts := strings.Split(h, "$")
		with := func(i int, v string) string {
			p := append([]string(nil), parts...)
			p[i] = v
			return strings.Join(p, "$")
		}
		for name, enc := range map[string]string{
			"Empty":            "",
			"Dollar":           "$",
			"Bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
			"Argon2i":          with(1, "argon2i"),
			"OtherVersion":     with(2, "v=16"),
			"NoVersion":        with(2, "x"),
			"NoParams":         with(3, ""),
			"ZeroTime":         with(3, "m=64,t=0,p=1"),
			"ZeroThreads":      with(3, "m=64,t=1,p=0"),
			"ThreadsOverflow":  with(3, "m=64,t=1,p=256"),
			"HugeMemory":       with(3, "m=4294967295,t=1,p=1"),
			"HugeTime":         with(3, "m=64,t=4294967295,p=1"),
			"BadSalt":          with(4, "!!!"),
			"BadKey":           with(5, "!!!"),
			"EmptyKey":         with(5, ""),
			"HugeKey":          with(5, strings.Repeat("A", 1<<20)),
			"ExtraField":       h + "$x",
			"TruncatedFields":  strings.Join(parts[:5], "$"),
			"PlaintextPasswrd": "correct horse battery",
		} {
			require.False(t, core.CheckPassword("correct horse battery", enc), name)
		}
	})
}

// A login's hash leaves the heap as it found it: its 64 MiB block is
// collected at once, not left to set the next collection at twice its size
// while the session allocates into never-touched pages (decision 65). Not
// parallel: other tests' allocations would move the goal.
func TestPasswordHashLeavesNoInflatedHeapGoal(t *testing.T) {
	h, err := core.HashPassword("correct horse battery", core.DefaultArgon2Params)
	require.NoError(t, err)
	hashBytes := uint64(core.DefaultArgon2Params.Memory) << 10
	require.Less(t, heapGoal(), hashBytes, "after HashPassword")
	require.True(t, core.CheckPassword("correct horse battery", h))
	require.Less(t, heapGoal(), hashBytes, "after CheckPassword")
}

func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
