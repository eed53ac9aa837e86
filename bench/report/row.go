package report

import (
	"fmt"
	"math"
	"strings"

	"depositdesk/bench/benchline"
)

// Target is what a figure must meet: at most Max, at least Min, at most
// Ratio times its baseline; zero fields are not targets.
type Target struct {
	Max, Min, Ratio float64
}

func (t Target) String(unit string) string {
	var s []string
	if t.Max != 0 {
		s = append(s, "≤ "+num(t.Max)+" "+unit)
	}
	if t.Min != 0 {
		s = append(s, "≥ "+num(t.Min)+" "+unit)
	}
	if t.Ratio != 0 {
		s = append(s, "≤ "+num(t.Ratio)+"× baseline")
	}
	if len(s) == 0 {
		return "—"
	}
	return strings.Join(s, ", ")
}

// met is whether value (and its ratio) meet t; ok is false without a target.
func (t Target) met(value, r float64) (met, ok bool) {
	if t == (Target{}) {
		return false, false
	}
	met = true
	if t.Max != 0 && value > t.Max {
		met = false
	}
	if t.Min != 0 && value < t.Min {
		met = false
	}
	if t.Ratio != 0 && (math.IsNaN(r) || r > t.Ratio) {
		met = false
	}
	return met, true
}

// Row is one line of the table: a figure, its baseline, its target.
type Row struct {
	What  string
	Value Pick
	// Base is the baseline's figure. Either a Pick of its own, or, when
	// Swap is set, the value's own line and unit with Swap[0] replaced by
	// Swap[1] (the same search combination on the raw engine).
	Base     Pick
	Swap     [2]string
	BaseWhat string
	By       Worst
	// Scale multiplies the measured values (ns/op shown in ms: 1e-6);
	// Unit is the unit shown.
	Scale  float64
	Unit   string
	Target Target
	// NotBuilt marks a row whose feature has not landed.
	NotBuilt bool
}

// Evaluated is a row with its figures found.
type Evaluated struct {
	Row
	Found       bool
	Value, Base float64
	HasBase     bool
	Ratio       float64
	Worst       string // what the wildcards stood for in the reported match
	Matches     int    // how many figures the row chose among
	Met, HasMet bool
}

// Evaluate finds the row's figures in results.
func (r Row) Evaluate(results []benchline.Result) Evaluated {
	e := Evaluated{Row: r, Ratio: math.NaN()}
	if r.NotBuilt {
		return e
	}
	scale := r.Scale
	if scale == 0 {
		scale = 1
	}
	figs, wild := matches(results, r.Value)
	e.Matches = len(figs)
	best := -1
	for i, f := range figs {
		v := f.value * scale
		b, hasBase := r.base(results, f)
		b *= scale
		rt := ratio(v, b, hasBase)
		if best >= 0 && !r.worse(v, rt, e) {
			continue
		}
		best = i
		e.Found, e.Value, e.Base, e.HasBase, e.Ratio = true, v, b, hasBase, rt
		e.Worst = strings.Join(nonEmpty(wild[i]), ", ")
	}
	if e.Found {
		e.Met, e.HasMet = r.Target.met(e.Value, e.Ratio)
	}
	return e
}

// worse is whether the figure (v, rt) is worse than the one chosen so far.
func (r Row) worse(v, rt float64, cur Evaluated) bool {
	if r.By == ByRatio {
		return !math.IsNaN(rt) && (math.IsNaN(cur.Ratio) || rt > cur.Ratio)
	}
	if r.Target.Min != 0 {
		return v < cur.Value
	}
	return v > cur.Value
}

func (r Row) base(results []benchline.Result, f figure) (float64, bool) {
	if r.Swap[0] != "" {
		return lookup(results, strings.Replace(f.key(), r.Swap[0], r.Swap[1], 1))
	}
	if r.Base.Name == "" {
		return 0, false
	}
	figs, _ := matches(results, r.Base)
	if len(figs) != 1 {
		return 0, false
	}
	return figs[0].value, true
}

func nonEmpty(s []string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// num formats a figure with three significant digits, thousands grouped.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.Abs(v) >= 1000:
		return group(fmt.Sprintf("%.0f", v))
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	case math.Abs(v) >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
