package sqlite

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseBig's uint64 shortcut reads exactly what big.Int's scanner reads,
// on both sides of its edge and for what is not a plain number.
func TestParseBigReadsWhatBigIntReads(t *testing.T) {
	for _, s := range []string{
		"0", "7", "007", "100000000", "18446744073709551615", "18446744073709551616",
		"115792089237316195423570985008687907853269984665640564039457584007913129639935",
		"-1", "+5", "", " 5", "5 ", "1e3", "0x10", "1_000", "12a",
	} {
		want, ok := new(big.Int).SetString(s, 10)
		got, err := parseBig(s)
		if !ok {
			require.ErrorContains(t, err, "is not an integer", "%q", s)
			continue
		}
		require.NoError(t, err, "%q", s)
		require.Zero(t, want.Cmp(got), "%q: %s, want %s", s, got, want)
	}
}

// A value that is not what its column holds, as someone writing to the
// file behind the desk's back could leave it, is an error naming the
// column, not a zero.
func TestAColumnOfTheWrongTypeIsNamed(t *testing.T) {
	c := columns{vals: []any{int64(1), "x", "many", nil, []byte("b"), 2.5}, names: []string{"a", "b", "c", "d", "e", "f"}}
	require.Equal(t, int64(1), c.integer())
	require.Equal(t, "x", c.text())
	require.Zero(t, c.integer())
	require.EqualError(t, c.err, "c is string, not an integer")
	require.Empty(t, c.text())
	require.Equal(t, "b", c.text())
	require.Zero(t, c.integer())
	require.EqualError(t, c.err, "c is string, not an integer", "the first is kept")

	c = columns{vals: []any{nil}, names: []string{"d.remarks"}}
	c.text()
	require.EqualError(t, c.err, "d.remarks is <nil>, not text")
}
