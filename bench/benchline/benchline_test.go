package benchline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrintedLinesReadBack(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Print(&b, "BenchmarkSearch1M/engine=sqlite/filter=customer-prefix/side=desk", 3000,
		Metric{0.41, "ms-p50"}, Metric{0.92, "ms-p95"}))
	got, err := Parse(&b)
	require.NoError(t, err)
	require.Equal(t, []Result{{Name: "BenchmarkSearch1M/engine=sqlite/filter=customer-prefix/side=desk", N: 3000,
		Metrics: []Metric{{0.41, "ms-p50"}, {0.92, "ms-p95"}}}}, got)
	v, ok := got[0].Value("ms-p95")
	require.True(t, ok)
	require.Equal(t, 0.92, v)
	_, ok = got[0].Value("req/s")
	require.False(t, ok)
}

func TestGoTestOutputIsRead(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: depositdesk/core/watcher
cpu: Intel(R) Xeon(R) CPU @ 2.20GHz
BenchmarkPassPerBlock/btcd/open=10000/watcher-2         	       5	  17000000 ns/op	        17.10 ms/block	        12.00 calls/block	         0.4100 MB/block
--- BENCH: something
    bench_test.go:12: a log line 1 2
BenchmarkCatchUp/btcd/open=10000/behind=500-2   	1	9100000000 ns/op
PASS
ok  	depositdesk/core/watcher	42.1s
BenchmarkCatchUp/btcd/open=10000/behind=500-2   	1	8000000000 ns/op
`
	got, err := Parse(strings.NewReader(out))
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "BenchmarkPassPerBlock/btcd/open=10000/watcher", got[0].Name)
	v, _ := got[0].Value("MB/block")
	require.Equal(t, 0.41, v)
	v, _ = got[1].Value("ns/op")
	require.Equal(t, 8e9, v, "a later line of the same name replaces the earlier")
}

func TestBadNamesAndValuesAreRefused(t *testing.T) {
	var b bytes.Buffer
	require.Error(t, Print(&b, "Search", 1))
	require.Error(t, Print(&b, "BenchmarkA b", 1))
	require.Error(t, Print(&b, "BenchmarkA", 1, Metric{1, "ms p95"}))
	require.Error(t, Print(&b, "BenchmarkA", 1, Metric{0, ""}))
	require.Empty(t, b.String())
}
