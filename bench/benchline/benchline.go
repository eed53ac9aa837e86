// Package benchline writes and reads benchmark results in the Go benchmark
// format (`BenchmarkName/sub  N  value unit  value unit …`), the one
// language every benchmark of `make bench` speaks: `go test -bench` prints
// it, and the programs that time the real engines, the intake under load
// and the desktop under Xvfb print it through Print. bench/report reads the
// lines back and writes docs/benchmarks.md.
package benchline

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Metric is one value a benchmark reports, in its unit ("ms-p95", "req/s").
type Metric struct {
	Value float64
	Unit  string
}

// Result is one benchmark line.
type Result struct {
	Name    string // without the -GOMAXPROCS suffix
	N       int
	Metrics []Metric
}

// Value is the metric in unit, and whether the line has it.
func (r Result) Value(unit string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

// Print writes one result line. A name must start with "Benchmark" and hold
// no spaces; units hold no spaces either.
func Print(w io.Writer, name string, n int, metrics ...Metric) error {
	if !strings.HasPrefix(name, "Benchmark") || strings.ContainsAny(name, " \t\n") {
		return fmt.Errorf("benchline: bad name %q", name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%d", name, max(n, 1))
	for _, m := range metrics {
		if m.Unit == "" || strings.ContainsAny(m.Unit, " \t\n") || math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
			return fmt.Errorf("benchline: bad metric %v %q of %s", m.Value, m.Unit, name)
		}
		fmt.Fprintf(&b, "\t%s %s", strconv.FormatFloat(m.Value, 'g', 6, 64), m.Unit)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// procs is the "-2" go test appends to a benchmark's name.
var procs = regexp.MustCompile(`-\d+$`)

// Parse reads every result line in r and ignores the rest (test output,
// headers, PASS/ok lines). A later line of the same name replaces an
// earlier one: a rerun row overrides.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	at := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		res, ok := parseLine(sc.Text())
		if !ok {
			continue
		}
		if i, seen := at[res.Name]; seen {
			out[i] = res
			continue
		}
		at[res.Name] = len(out)
		out = append(out, res)
	}
	return out, sc.Err()
}

func parseLine(line string) (Result, bool) {
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return Result{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return Result{}, false
	}
	r := Result{Name: procs.ReplaceAllString(f[0], ""), N: n}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, false
		}
		r.Metrics = append(r.Metrics, Metric{Value: v, Unit: f[i+1]})
	}
	return r, true
}
