package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A store's readers map the file only when opened Mapped (the CLI,
// decision 24); the writer never maps it.
func TestReadersMapTheFileOnlyWhenMapped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts Options
		want int64
	}{
		{"Mapped", Options{Mapped: true}, ReaderMmapBytes},
		{"Unmapped", Options{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "desk.db"), tc.opts)
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			var got, writer int64
			require.NoError(t, s.read.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&got))
			require.Equal(t, tc.want, got)
			require.NoError(t, s.write.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&writer))
			require.Zero(t, writer)
		})
	}
}
