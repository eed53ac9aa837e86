package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/big"
	"slices"
	"time"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"depositdesk/core"
)

// chartDPI is the resolution charts are drawn at: one vg point is one
// pixel at 72, so sizes given in pixels stay pixels.
const chartDPI = 72

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
	ticks := dayTicks(st.From, days)

	p := newChart(sty, "Deposits per day (UTC)", ticks)
	p.Y.Label.Text = "records"
	p.Y.Tick.Marker = countTicks{integers: true}
	var most float64
	for i, a := range assets {
		pts := make(plotter.XYs, days)
		for d := range pts {
			pts[d].X = float64(d)
		}
		for _, d := range st.Days {
			if d.AssetID == a.AssetID {
				pts[dayIndex(st.From, d.Day)].Y += float64(d.Records)
			}
		}
		for _, pt := range pts {
			most = max(most, pt.Y)
		}
		if err := addLine(p, pts, i, label(a)); err != nil {
			return out, err
		}
	}
	// Headroom above the highest day for the legend, one line per asset.
	p.Y.Max = most * (1 + 0.12*float64(len(assets)))
	out.perDay = render(p, perDaySize)

	mix, err := mixChart(st, sty)
	if err != nil {
		return out, err
	}
	out.mix = mix

	for i, a := range assets {
		p := newChart(sty, "Credited "+label(a)+" per day", ticks)
		p.Y.Tick.Marker = countTicks{}
		pts := make(plotter.XYs, days)
		for d := range pts {
			pts[d].X = float64(d)
		}
		for _, d := range st.Days {
			if d.AssetID == a.AssetID {
				// The one place an amount becomes a float: a bar's height.
				pts[dayIndex(st.From, d.Day)].Y += units(d.Credited, d.Decimals)
			}
		}
		if err := addLine(p, pts, i, ""); err != nil {
			return out, err
		}
		out.credited = append(out.credited, render(p, creditedSize))
		out.symbols = append(out.symbols, label(a))
	}
	return out, nil
}

// mixChart is a horizontal bar per status that has records.
func mixChart(st *core.DepositStats, sty chartStyle) (image.Image, error) {
	p := newChart(sty, "Status mix, last 30 days", nil)
	p.X.Label.Text = "records"
	var names []string
	var values plotter.Values
	statuses := core.AllDepositStatuses()
	slices.Reverse(statuses) // the first status on top
	for _, s := range statuses {
		if n := st.Statuses[s]; n > 0 {
			names = append(names, s.Display())
			values = append(values, float64(n))
		}
	}
	bars, err := plotter.NewBarChart(values, vg.Points(14))
	if err != nil {
		return nil, fmt.Errorf("status mix chart: %w", err)
	}
	bars.Horizontal = true
	p.X.Tick.Marker = countTicks{integers: true}
	bars.Color = sty.primary
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalY(names...)
	p.Y.Tick.Label.Color = sty.foreground
	return render(p, mixSize), nil
}

// The charts' text is the sans serif the desk's own text resembles, in
// points (pixels at chartDPI).
var (
	titleFont = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold, Size: 14}
	labelFont = font.Font{Typeface: "Liberation", Variant: "Sans", Size: 12}
	tickFont  = font.Font{Typeface: "Liberation", Variant: "Sans", Size: 11}
)

func newChart(sty chartStyle, title string, ticks plot.Ticker) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Color = sty.foreground
	p.Title.TextStyle.Font = titleFont
	p.BackgroundColor = sty.background
	p.Legend.TextStyle.Color = sty.foreground
	p.Legend.TextStyle.Font = labelFont
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color = sty.grid
		a.Tick.Color = sty.grid
		a.Tick.Label.Color = sty.foreground
		a.Tick.Label.Font = tickFont
		a.Label.TextStyle.Color = sty.foreground
		a.Label.TextStyle.Font = labelFont
	}
	if ticks != nil {
		p.X.Tick.Marker = ticks
	}
	p.Y.Min = 0
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = sty.grid, sty.grid
	g.Vertical.Width = 0 // days need no vertical lines
	p.Add(g)
	return p
}

func addLine(p *plot.Plot, pts plotter.XYs, i int, name string) error {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("chart line: %w", err)
	}
	l.Color = plotutil.Color(i)
	l.Width = vg.Points(2)
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}

// render draws p on a w×h pixel image.
func render(p *plot.Plot, size image.Point) image.Image {
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(size.X), vg.Length(size.Y)), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(c))
	return c.Image()
}

// dayTicks labels every seventh day of the range from its end, so today
// always has a label.
func dayTicks(from time.Time, days int) plot.Ticker {
	return plot.TickerFunc(func(_, _ float64) []plot.Tick {
		var ticks []plot.Tick
		for d := days - 1; d >= 0; d-- {
			t := plot.Tick{Value: float64(d)}
			if (days-1-d)%7 == 0 {
				t.Label = from.AddDate(0, 0, d).Format("01-02")
			}
			ticks = append(ticks, t)
		}
		return ticks
	})
}

// countTicks are the library's ticks with whole numbers written with
// thousands separators ("1,500,000"); for counts (integers) ticks between
// whole numbers are left out.
type countTicks struct{ integers bool }

func (c countTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		whole := t.Value == math.Trunc(t.Value)
		switch {
		case c.integers && !whole:
			continue
		case t.Label != "" && whole && math.Abs(t.Value) < 1e15:
			t.Label = thousands(int64(t.Value))
		}
		out = append(out, t)
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
