package report

import (
	"math"
	"regexp"
	"strings"

	"depositdesk/bench/benchline"
)

// Pick finds one figure among the results: the metric Unit of the line
// Name. Both may hold "*", which matches within one name segment (no "/")
// or within a unit; of several matches the worst is taken (By).
type Pick struct {
	Name, Unit string
}

// Worst says which of several matches a row reports.
type Worst int

const (
	// ByValue takes the highest value, or the lowest where the target is a
	// minimum (a rate).
	ByValue Worst = iota
	// ByRatio takes the highest value/baseline.
	ByRatio
)

// figure is one matched metric: its line, unit and value.
type figure struct {
	name, unit string
	value      float64
}

// key is what a pattern matches and a swap rewrites: name, space, unit.
func (f figure) key() string { return f.name + " " + f.unit }

// glob turns a pattern into a regexp in which "*" stops at "/" and " ".
func glob(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, "([^/ ]*)") + "$")
}

// matches returns every figure whose name and unit match p, with what the
// wildcards stood for.
func matches(results []benchline.Result, p Pick) (out []figure, wild [][]string) {
	re := glob(p.Name + " " + p.Unit)
	for _, r := range results {
		for _, m := range r.Metrics {
			f := figure{r.Name, m.Unit, m.Value}
			if sub := re.FindStringSubmatch(f.key()); sub != nil {
				out = append(out, f)
				wild = append(wild, sub[1:])
			}
		}
	}
	return out, wild
}

// lookup is the figure whose key is exactly key.
func lookup(results []benchline.Result, key string) (float64, bool) {
	name, unit, _ := strings.Cut(key, " ")
	for _, r := range results {
		if r.Name == name {
			return r.Value(unit)
		}
	}
	return 0, false
}

// ratio is value/base, NaN when there is no base to divide by.
func ratio(value, base float64, ok bool) float64 {
	if !ok || base == 0 {
		return math.NaN()
	}
	return value / base
}
