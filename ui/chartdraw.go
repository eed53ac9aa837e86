package ui

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
	"sync"

	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The charts are drawn into images by the desk itself (decision 71): lines
// with x/image/vector, text in the theme's own font. A plotting library
// drew them before and brought 7 MB of program (PDF, SVG and EPS back-ends,
// fonts of its own) that every desk kept resident; Fyne canvas objects (a
// line and a text per mark) cost more than images under a software
// renderer, which keeps per-draw state for each of them.

// chartSeries is one line of a line chart: a value per point, and a name
// for the legend ("" for none).
type chartSeries struct {
	name   string
	values []float64
	color  color.Color
}

// seriesColors are the lines' colours in order: Fyne's named primary
// colours, which read on light and dark backgrounds alike.
var seriesColors = []string{theme.ColorBlue, theme.ColorOrange, theme.ColorGreen, theme.ColorPurple, theme.ColorRed, theme.ColorBrown}

func seriesColor(i int) color.Color {
	return theme.PrimaryColorNamed(seriesColors[i%len(seriesColors)])
}

// Text sizes in pixels, and the space between a chart's parts.
const (
	titleSize = 14
	labelSize = 12
	tickSize  = 11
	chartPad  = 6
)

// chartFonts are the theme's regular and bold faces, parsed once; each
// drawing makes its own faces from them (a face is not safe for two
// goroutines).
var chartFonts = sync.OnceValues(func() ([2]*sfnt.Font, error) {
	var out [2]*sfnt.Font
	for i, res := range []interface{ Content() []byte }{theme.DefaultTextFont(), theme.DefaultTextBoldFont()} {
		f, err := opentype.Parse(res.Content())
		if err != nil {
			return out, fmt.Errorf("chart font: %w", err)
		}
		out[i] = f
	}
	return out, nil
})

// chartCanvas is one chart being drawn: its image, colours and faces.
type chartCanvas struct {
	img                *image.RGBA
	sty                chartStyle
	title, label, tick font.Face
	r                  *vector.Rasterizer
}

func newChartCanvas(size image.Point, sty chartStyle) (*chartCanvas, error) {
	fonts, err := chartFonts()
	if err != nil {
		return nil, err
	}
	c := &chartCanvas{img: image.NewRGBA(image.Rectangle{Max: size}), sty: sty, r: vector.NewRasterizer(size.X, size.Y)}
	for _, f := range []struct {
		face *font.Face
		font *sfnt.Font
		px   float64
	}{{&c.title, fonts[1], titleSize}, {&c.label, fonts[0], labelSize}, {&c.tick, fonts[0], tickSize}} {
		if *f.face, err = opentype.NewFace(f.font, &opentype.FaceOptions{Size: f.px, DPI: 72, Hinting: font.HintingFull}); err != nil {
			return nil, fmt.Errorf("chart font: %w", err)
		}
	}
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(sty.background), image.Point{}, draw.Src)
	return c, nil
}

// rect fills the rectangle from (x0, y0) to (x1, y1) in col.
func (c *chartCanvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Over)
}

// polyline strokes pts, width pixels wide, anti-aliased: each segment a
// quadrilateral drawn past its ends by half the width, so joins are
// filled; one path, so overlaps are not drawn twice.
func (c *chartCanvas) polyline(pts []point, width float32, col color.Color) {
	b := c.img.Bounds()
	c.r.Reset(b.Dx(), b.Dy())
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		dx, dy := q.x-p.x, q.y-p.y
		l := float32(math.Hypot(float64(dx), float64(dy)))
		if l == 0 {
			continue
		}
		ex, ey := dx/l*width/2, dy/l*width/2 // along the segment
		nx, ny := -ey, ex                    // across it
		c.r.MoveTo(p.x-ex+nx, p.y-ey+ny)
		c.r.LineTo(q.x+ex+nx, q.y+ey+ny)
		c.r.LineTo(q.x+ex-nx, q.y+ey-ny)
		c.r.LineTo(p.x-ex-nx, p.y-ey-ny)
		c.r.ClosePath()
	}
	c.r.Draw(c.img, b, image.NewUniform(col), image.Point{})
}

type point struct{ x, y float32 }

// faceWidth is s's width in pixels in face.
func faceWidth(face font.Face, s string) int { return font.MeasureString(face, s).Ceil() }

// lineHeight is the height of a line of face.
func lineHeight(face font.Face) int {
	m := face.Metrics()
	return (m.Ascent + m.Descent).Ceil()
}

// text writes s with its top left corner at (x, y).
func (c *chartCanvas) text(face font.Face, s string, x, y int, col color.Color) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face,
		Dot: fixed.Point26_6{X: fixed.I(x), Y: fixed.I(y) + face.Metrics().Ascent}}
	d.DrawString(s)
}

// centred writes s centred on x, its top at y, moved in from the image's
// edges if it would run past them (the last tick's label).
func (c *chartCanvas) centred(face font.Face, s string, x, y int, col color.Color) {
	w := faceWidth(face, s)
	c.text(face, s, max(0, min(x-w/2, c.img.Bounds().Dx()-w-1)), y, col)
}

// lineChart draws series over days labelled by xLabels ("" for none), on a
// y axis from 0 to at least the highest value, counting whole numbers when
// integers, with unit and a legend of the named series above the plot.
func lineChart(size image.Point, sty chartStyle, title, unit string, xLabels []string, series []chartSeries, integers bool) (image.Image, error) {
	c, err := newChartCanvas(size, sty)
	if err != nil {
		return nil, err
	}
	top := 0.0
	for _, s := range series {
		for _, v := range s.values {
			top = max(top, v)
		}
	}
	c.centred(c.title, title, size.X/2, 0, sty.foreground)
	ticks := chartTicks(top, integers)
	step := ticks[1] - ticks[0]
	labels := make([]string, len(ticks))
	left := 0
	for i, v := range ticks {
		labels[i] = tickLabel(v, step)
		left = max(left, faceWidth(c.tick, labels[i]))
	}
	left += 2 * chartPad
	plotTop := lineHeight(c.title) + chartPad
	if c.legend(unit, series, plotTop) {
		plotTop += lineHeight(c.label) + chartPad/2
	}
	plotTop += lineHeight(c.tick) / 2 // the top tick's label is centred on its line
	bottom := size.Y - lineHeight(c.tick) - chartPad
	right := size.X - chartPad
	y := func(v float64) float32 {
		return float32(bottom) - float32(v/ticks[len(ticks)-1])*float32(bottom-plotTop)
	}
	for i, v := range ticks {
		ty := int(math.Round(float64(y(v))))
		c.rect(left, ty, right, ty+1, sty.grid)
		c.text(c.tick, labels[i], left-chartPad-faceWidth(c.tick, labels[i]), ty-lineHeight(c.tick)/2, sty.foreground)
	}
	n := len(xLabels)
	x := func(i int) float32 {
		if n < 2 {
			return float32(left)
		}
		return float32(left) + float32(i)*float32(right-left)/float32(n-1)
	}
	for i, l := range xLabels {
		if l == "" {
			continue
		}
		tx := int(x(i))
		c.rect(tx, bottom, tx+1, bottom+chartPad/2, sty.grid)
		c.centred(c.tick, l, tx, bottom+chartPad/2, sty.foreground)
	}
	for _, s := range series {
		pts := make([]point, len(s.values))
		for i, v := range s.values {
			pts[i] = point{x(i), y(v)}
		}
		c.polyline(pts, 2, s.color)
	}
	return c.img, nil
}

// legend writes, in the row at y above the plot, unit at the left and a
// line and the name of each named series at the right, where they cover
// nothing the plot draws. It reports whether the row holds anything.
func (c *chartCanvas) legend(unit string, series []chartSeries, y int) bool {
	if unit != "" {
		c.text(c.label, unit, chartPad, y, c.sty.foreground)
	}
	const mark = 3 * chartPad          // a series' line in the legend
	widths := make([]int, len(series)) // each entry's: mark, name and the gap after it
	width := 0
	for i, s := range series {
		if s.name != "" {
			widths[i] = mark + chartPad + faceWidth(c.label, s.name) + 2*chartPad
			width += widths[i]
		}
	}
	x, mid := c.img.Bounds().Dx()-width, float32(y+lineHeight(c.label)/2)
	for i, s := range series {
		if s.name == "" {
			continue
		}
		c.polyline([]point{{float32(x), mid}, {float32(x + mark), mid}}, 2, s.color)
		c.text(c.label, s.name, x+mark+chartPad, y, c.sty.foreground)
		x += widths[i]
	}
	return unit != "" || width > 0
}

// barChart draws a horizontal bar per name, the first on top, over an x
// axis of whole numbers from 0 labelled unit.
func barChart(size image.Point, sty chartStyle, title, unit string, names []string, values []float64) (image.Image, error) {
	c, err := newChartCanvas(size, sty)
	if err != nil {
		return nil, err
	}
	c.centred(c.title, title, size.X/2, 0, sty.foreground)
	left := 0
	for _, n := range names {
		left = max(left, faceWidth(c.tick, n))
	}
	left += 2 * chartPad
	top := lineHeight(c.title) + chartPad
	bottom := size.Y - lineHeight(c.label) - lineHeight(c.tick) - chartPad
	right := size.X - 2*chartPad
	most := 0.0
	for _, v := range values {
		most = max(most, v)
	}
	ticks := chartTicks(most, true)
	step := ticks[1] - ticks[0]
	x := func(v float64) int { return left + int(math.Round(v/ticks[len(ticks)-1]*float64(right-left))) }
	for _, v := range ticks {
		tx := x(v)
		c.rect(tx, top, tx+1, bottom, sty.grid)
		c.centred(c.tick, tickLabel(v, step), tx, bottom+chartPad/2, sty.foreground)
	}
	c.centred(c.label, unit, (left+right)/2, bottom+chartPad/2+lineHeight(c.tick), sty.foreground)
	if len(names) == 0 {
		return c.img, nil
	}
	row := float64(bottom-top) / float64(len(names))
	bar := min(14, int(row*0.7))
	for i, n := range names {
		mid := top + int(row*(float64(i)+0.5))
		c.rect(left, mid-bar/2, x(values[i]), mid-bar/2+bar, sty.primary)
		c.text(c.tick, n, left-chartPad-faceWidth(c.tick, n), mid-lineHeight(c.tick)/2, sty.foreground)
	}
	return c.img, nil
}

// chartTicks are the values an axis from 0 marks: steps of 1, 2, 2.5 or 5
// times a power of ten, at most five of them, the last at or above top.
// For counts (integers) the step is a whole number.
func chartTicks(top float64, integers bool) []float64 {
	if !(top > 0) || math.IsInf(top, 0) {
		top = 1
	}
	const most = 5
	raw := top / most
	exp := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * exp
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*exp >= raw {
			step = m * exp
			break
		}
	}
	if integers {
		step = math.Max(1, math.Ceil(step))
	}
	ticks := []float64{0}
	for i := 1; ticks[len(ticks)-1] < top; i++ {
		ticks = append(ticks, float64(i)*step)
	}
	return ticks
}

// tickLabel writes an axis value: whole numbers with thousands separators,
// others with as many decimals as the step between ticks needs.
func tickLabel(v, step float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return thousands(int64(v))
	}
	decimals := max(0, int(math.Ceil(-math.Log10(step)+1e-9)))
	if step*math.Pow(10, float64(decimals)) != math.Trunc(step*math.Pow(10, float64(decimals))) {
		decimals++ // 2.5 × 10^-k
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
