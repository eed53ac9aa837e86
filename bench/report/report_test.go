package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const log = `fact	cores	2
some test output
BenchmarkSearch/engine=sqlite/filter=customer/op=page/side=desk	100	0.3 ms-p50	0.5 ms-p95
BenchmarkSearch/engine=sqlite/filter=customer/op=page/side=engine	100	0.2 ms-p50	0.25 ms-p95
BenchmarkSearch/engine=sqlite/filter=txid/op=count/side=desk	100	0.5 ms-p50	0.9 ms-p95
BenchmarkSearch/engine=sqlite/filter=txid/op=count/side=engine	100	0.8 ms-p50	0.85 ms-p95
BenchmarkIntake/engine=sqlite/side=desk	1	2500 req/s-held	31 ms-p99
BenchmarkIntake/engine=sqlite/side=desk	1	1500 req/s-held	44 ms-p99
BenchmarkIntake/side=bare	1	6000 req/s-held	3 ms-p99
BenchmarkRefundPrepareSign/bitcoin-2	500	2400000 ns/op
BenchmarkRefundPrepareSign/baseline-one-ecdsa-signature-2	9000	60000 ns/op
`

func TestRowsFindWorstBaselineRatioAndTarget(t *testing.T) {
	results, facts, err := Read(strings.NewReader(log))
	require.NoError(t, err)
	require.Equal(t, []Fact{{"cores", "2"}}, facts)

	worst := Row{Value: Pick{"BenchmarkSearch/engine=sqlite/filter=*/op=*/side=desk", "ms-p95"}, Swap: deskVsEngine, Target: Target{Max: 1}}
	e := worst.Evaluate(results)
	require.True(t, e.Found)
	require.Equal(t, 0.9, e.Value, "the highest p95 of every combination")
	require.Equal(t, "txid, count", e.Worst)
	require.Equal(t, 0.85, e.Base, "the same combination on the engine")
	require.True(t, e.Met && e.HasMet)

	worst.By, worst.Target = ByRatio, Target{Ratio: 1.3}
	e = worst.Evaluate(results)
	require.Equal(t, "customer, page", e.Worst, "0.5/0.25 is the highest ratio")
	require.InDelta(t, 2.0, e.Ratio, 1e-9)
	require.False(t, e.Met)

	rate := Row{Value: Pick{"BenchmarkIntake/engine=sqlite/side=desk", "req/s-held"}, Base: Pick{"BenchmarkIntake/side=bare", "req/s-held"}, Target: Target{Min: 2000}}
	e = rate.Evaluate(results)
	require.Equal(t, 1500.0, e.Value, "a later line of the same name is the one that counts")
	require.False(t, e.Met)
	require.InDelta(t, 0.25, e.Ratio, 1e-9)

	sign := Row{Value: Pick{"BenchmarkRefundPrepareSign/bitcoin", "ns/op"}, Base: Pick{"BenchmarkRefundPrepareSign/baseline-one-ecdsa-signature", "ns/op"}, Scale: 1e-6, Target: Target{Max: 5}}
	e = sign.Evaluate(results)
	require.InDelta(t, 2.4, e.Value, 1e-9)
	require.InDelta(t, 0.06, e.Base, 1e-9)
	require.True(t, e.Met)

	none := Row{Value: Pick{"BenchmarkNothing", "ms"}, Target: Target{Max: 1}}
	require.False(t, none.Evaluate(results).Found)
}

func TestRenderAndMissing(t *testing.T) {
	results, facts, err := Read(strings.NewReader(log))
	require.NoError(t, err)
	sections := []Section{{Title: "Search", Rerun: "go run ./bench/searchbench", Rows: []Row{
		{What: "SQLite p95", Value: Pick{"BenchmarkSearch/engine=sqlite/filter=*/op=*/side=desk", "ms-p95"}, Swap: deskVsEngine, Unit: "ms", Target: Target{Max: 0.5}},
		{What: "Postgres p95", Value: Pick{"BenchmarkSearch/engine=postgres/filter=*/op=*/side=desk", "ms-p95"}, Unit: "ms"},
		{What: "later", NotBuilt: true},
	}, Details: []Detail{searchDetail("sqlite", "sqlite3")}}}
	var b bytes.Buffer
	Render(&b, sections, results, facts)
	out := b.String()
	require.Contains(t, out, "- cores: 2")
	require.Contains(t, out, "| SQLite p95 — worst: txid, count | 0.9 ms | 0.85 ms | 1.06× | ≤ 0.5 ms | **no** |")
	require.Contains(t, out, "| Postgres p95 | not measured |")
	require.Contains(t, out, "| later | not yet built |")
	require.Contains(t, out, "| customer, page | 0.3 | 0.5 | 0.2 | 0.25 |")
	require.Equal(t, []string{"Search: Postgres p95"}, Missing(sections, results))
}

func TestSpliceKeepsTheProse(t *testing.T) {
	doc := "# Benchmarks\nintro\n" + Begin + "\nold table\n" + End + "\nnotes\n"
	got, err := Splice(doc, "new table\n")
	require.NoError(t, err)
	require.Equal(t, "# Benchmarks\nintro\n"+Begin+"\nnew table\n"+End+"\nnotes\n", got)
	_, err = Splice("# no block\n", "x")
	require.Error(t, err)
}

func TestEveryDeclaredPatternCompiles(t *testing.T) {
	for _, s := range Sections {
		require.NotEmpty(t, s.Rerun, s.Title)
		for _, r := range s.Rows {
			require.NotPanics(t, func() { glob(r.Value.Name + " " + r.Value.Unit) }, r.What)
			require.NotEmpty(t, r.Unit, r.What)
		}
	}
}

func TestTheDocumentHasItsGeneratedBlock(t *testing.T) {
	doc, err := os.ReadFile("../../docs/benchmarks.md")
	require.NoError(t, err)
	_, err = Splice(string(doc), "table\n")
	require.NoError(t, err)
}
