// Package report turns the result lines of `make bench` (bench/benchline)
// into the table of docs/benchmarks.md: one row per figure, with the
// baseline measured in the same run, the ratio, the target and whether it
// is met, and the facts of the machine that measured it. The rows are
// declared once, in rows.go; the prose of docs/benchmarks.md around the
// generated block is kept.
package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"depositdesk/bench/benchline"
)

// Section is a group of rows with the command that reruns them.
type Section struct {
	Title   string
	Rerun   string
	Rows    []Row
	Details []Detail
}

// Detail is a table of every line matching Lines (a name pattern whose
// wildcards become the first column), one column per figure.
type Detail struct {
	Title   string
	Lines   string
	Columns []Column
}

// Column is one figure of a detail table: Unit of the line itself, or of
// the line named by swapping Swap[0] for Swap[1] in it.
type Column struct {
	Header string
	Swap   [2]string
	Unit   string
}

// Fact is one fact about the run (machine, versions, load); the
// orchestrator prints them as "fact<TAB>name<TAB>value" lines.
type Fact struct{ Name, Value string }

// Read parses results and facts from the orchestrator's log.
func Read(r io.Reader) ([]benchline.Result, []Fact, error) {
	var facts []Fact
	var lines strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if f := strings.SplitN(sc.Text(), "\t", 3); len(f) == 3 && f[0] == "fact" {
			facts = append(facts, Fact{f[1], f[2]})
			continue
		}
		lines.WriteString(sc.Text() + "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	results, err := benchline.Parse(strings.NewReader(lines.String()))
	return results, facts, err
}

// Missing names the rows no result filled (rows not yet built aside): a
// benchmark that stopped printing its line, or a renamed one.
func Missing(sections []Section, results []benchline.Result) []string {
	var out []string
	for _, s := range sections {
		for _, r := range s.Rows {
			if e := r.Evaluate(results); !e.Found && !r.NotBuilt {
				out = append(out, s.Title+": "+r.What)
			}
		}
	}
	return out
}

// Render writes the generated block: facts, the table, the details.
func Render(w io.Writer, sections []Section, results []benchline.Result, facts []Fact) {
	for _, f := range facts {
		fmt.Fprintf(w, "- %s: %s\n", f.Name, f.Value)
	}
	fmt.Fprintln(w, "\n| figure | value | baseline (same run) | ratio | target | met |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, s := range sections {
		fmt.Fprintf(w, "| **%s** | | | | | |\n", s.Title)
		for _, r := range s.Rows {
			writeRow(w, r.Evaluate(results))
		}
	}
	for _, s := range sections {
		for _, d := range s.Details {
			writeDetail(w, d, results)
		}
	}
	fmt.Fprintln(w, "\nRerun one section:")
	fmt.Fprintln(w)
	for _, s := range sections {
		fmt.Fprintf(w, "- %s: `%s`\n", s.Title, s.Rerun)
	}
}

func writeRow(w io.Writer, e Evaluated) {
	what := e.What
	switch {
	case e.Worst != "" && e.Matches > 1:
		what += " — worst: " + e.Worst
	case e.Worst != "":
		what += " (" + e.Worst + ")"
	}
	if e.BaseWhat != "" {
		what += "; baseline: " + e.BaseWhat
	}
	value, base, ratio, met := "not measured", "—", "—", "—"
	switch {
	case e.NotBuilt:
		value = "not yet built"
	case e.Found:
		value = num(e.Value) + " " + e.Unit
		if e.HasBase {
			base, ratio = num(e.Base)+" "+e.Unit, num(e.Ratio)+"×"
		}
		if e.HasMet {
			met = "yes"
			if !e.Met {
				met = "**no**"
			}
		}
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", what, value, base, ratio, e.Target.String(e.Unit), met)
}

func writeDetail(w io.Writer, d Detail, results []benchline.Result) {
	re := glob(d.Lines)
	var rows [][]string
	for _, r := range results {
		sub := re.FindStringSubmatch(r.Name)
		if sub == nil {
			continue
		}
		row := []string{strings.Join(nonEmpty(sub[1:]), ", ")}
		for _, c := range d.Columns {
			name := r.Name
			if c.Swap[0] != "" {
				name = strings.Replace(name, c.Swap[0], c.Swap[1], 1)
			}
			v, ok := lookup(results, name+" "+c.Unit)
			cell := "—"
			if ok {
				cell = num(v)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n\n| |", d.Title)
	for _, c := range d.Columns {
		fmt.Fprintf(w, " %s |", c.Header)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(d.Columns)))
	for _, row := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
}

// The generated block sits between these lines of docs/benchmarks.md.
const (
	Begin = "<!-- begin: written by `make bench` (bench/report); edits inside are overwritten -->"
	End   = "<!-- end: written by `make bench` -->"
)

// Splice replaces the generated block of doc with block.
func Splice(doc, block string) (string, error) {
	i := strings.Index(doc, Begin)
	j := strings.Index(doc, End)
	if i < 0 || j < i {
		return "", fmt.Errorf("report: the document has no generated block (%q … %q)", Begin, End)
	}
	return doc[:i+len(Begin)] + "\n" + block + doc[j:], nil
}
