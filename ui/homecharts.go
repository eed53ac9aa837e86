package ui

import (
	"fmt"
	"image"
	"image/color"
	"math/big"
	"slices"
	"time"

	"depositdesk/core"
)

// chartStyle is the theme's colours at the time the charts are drawn, read
// on the Fyne thread so that drawing can happen off it.
type chartStyle struct {
	background, foreground, grid, primary color.Color
}

// homeCharts are the Home page's charts, drawn off the Fyne thread.
type homeCharts struct {
	stats    *core.DepositStats
	perDay   image.Image   // deposits per asset per day
	mix      image.Image   // records by status
	credited []image.Image // one per asset: credited amount per day
	symbols  []string
}

// chart sizes in pixels.
var (
	perDaySize   = image.Pt(640, 210)
	mixSize      = image.Pt(600, 210)
	creditedSize = image.Pt(310, 150)
)

// drawHomeCharts draws the charts of st; nothing when st has no records.
func drawHomeCharts(st *core.DepositStats, sty chartStyle) (homeCharts, error) {
	out := homeCharts{stats: st}
	if len(st.Days) == 0 {
		return out, nil
	}
	days := int(st.To.Sub(st.From) / (24 * time.Hour))
	assets := assetsOf(st)
	xLabels := dayLabels(st.From, days)

	var series []chartSeries
	for i, a := range assets {
		series = append(series, chartSeries{name: label(a), color: seriesColor(i),
			values: daily(st, a.AssetID, days, func(d core.DepositDay) float64 { return float64(d.Records) })})
	}
	var err error
	if out.perDay, err = lineChart(perDaySize, sty, "Deposits per day (UTC)", "records", xLabels, series, true); err != nil {
		return out, err
	}
	if out.mix, err = mixChart(st, sty); err != nil {
		return out, err
	}
	for i, a := range assets {
		// The one place an amount becomes a float: a point's height.
		s := chartSeries{values: daily(st, a.AssetID, days, func(d core.DepositDay) float64 { return units(d.Credited, d.Decimals) }),
			color: seriesColor(i)}
		img, err := lineChart(creditedSize, sty, "Credited "+label(a)+" per day", "", xLabels, []chartSeries{s}, false)
		if err != nil {
			return out, err
		}
		out.credited = append(out.credited, img)
		out.symbols = append(out.symbols, label(a))
	}
	return out, nil
}

// mixChart is a horizontal bar per status that has records, the first
// status on top.
func mixChart(st *core.DepositStats, sty chartStyle) (image.Image, error) {
	var names []string
	var values []float64
	for _, s := range core.AllDepositStatuses() {
		if n := st.Statuses[s]; n > 0 {
			names = append(names, s.Display())
			values = append(values, float64(n))
		}
	}
	return barChart(mixSize, sty, "Status mix, last 30 days", "records", names, values)
}

// dayLabels labels every seventh day of the range from its end, so today
// always has a label.
func dayLabels(from time.Time, days int) []string {
	out := make([]string, days)
	for d := days - 1; d >= 0; d -= 7 {
		out[d] = from.AddDate(0, 0, d).Format("01-02")
	}
	return out
}

// daily is value summed per day of the range for one asset: days values,
// the first day first.
func daily(st *core.DepositStats, assetID int64, days int, value func(core.DepositDay) float64) []float64 {
	out := make([]float64, days)
	for _, d := range st.Days {
		if i := dayIndex(st.From, d.Day); d.AssetID == assetID && i >= 0 && i < len(out) {
			out[i] += value(d)
		}
	}
	return out
}

func dayIndex(from, day time.Time) int { return int(day.Sub(from) / (24 * time.Hour)) }

// assetsOf is the assets that have records in st, by id.
func assetsOf(st *core.DepositStats) []core.DepositDay {
	var out []core.DepositDay
	for _, d := range st.Days {
		if !slices.ContainsFunc(out, func(a core.DepositDay) bool { return a.AssetID == d.AssetID }) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b core.DepositDay) int { return int(a.AssetID - b.AssetID) })
	return out
}

// label names an asset in a chart.
func label(a core.DepositDay) string {
	if a.Symbol == "" {
		return fmt.Sprintf("asset %d", a.AssetID)
	}
	return a.Symbol
}

// units is amount in whole units of an asset with decimals, as a float: for
// drawing only, never for anything that is counted or compared.
func units(amount *big.Int, decimals int) float64 {
	if amount == nil {
		return 0
	}
	f := new(big.Float).SetInt(amount)
	f.Quo(f, new(big.Float).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)))
	v, _ := f.Float64()
	return v
}
