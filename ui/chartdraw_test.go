package ui

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChartTicksAreRoundStepsFromZeroToTheTop(t *testing.T) {
	for _, c := range []struct {
		top      float64
		integers bool
		want     []float64
	}{
		{10, true, []float64{0, 2, 4, 6, 8, 10}},
		{11.2, true, []float64{0, 3, 6, 9, 12}}, // counts: a step of 2.5 becomes 3
		{3, true, []float64{0, 1, 2, 3}},
		{0, true, []float64{0, 1}},
		{1_234_567, true, []float64{0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000}},
		{0.7, false, []float64{0, 0.2, 0.4, 0.6000000000000001, 0.8}},
		{0.03, false, []float64{0, 0.01, 0.02, 0.03}},
	} {
		require.Equal(t, c.want, chartTicks(c.top, c.integers), "top %v", c.top)
	}
}

func TestTickLabelsWriteAsManyDecimalsAsTheStep(t *testing.T) {
	require.Equal(t, "1,250,000", tickLabel(1_250_000, 250_000))
	require.Equal(t, "0.6", tickLabel(0.6000000000000001, 0.2))
	require.Equal(t, "0.025", tickLabel(0.025, 0.025))
	require.Equal(t, "0.75", tickLabel(0.75, 0.25))
	require.Equal(t, "0", tickLabel(0, 0.25))
}

var testChartStyle = chartStyle{background: color.White, foreground: color.Black,
	grid: color.Gray{Y: 0xcc}, primary: color.RGBA{R: 0xff, A: 0xff}}

// columnsOf is the columns of row y in img painted exactly col.
func columnsOf(img image.Image, y int, col color.Color) []int {
	return painted(img, col, img.Bounds().Dx(), func(i int) (int, int) { return i, y })
}

// rowsOf is the rows of column x in img painted exactly col.
func rowsOf(img image.Image, x int, col color.Color) []int {
	return painted(img, col, img.Bounds().Dy(), func(i int) (int, int) { return x, i })
}

// painted is the i in [0, n) whose pixel at(i) is exactly col.
func painted(img image.Image, col color.Color, n int, at func(i int) (x, y int)) []int {
	var out []int
	r0, g0, b0, a0 := col.RGBA()
	for i := range n {
		if r, g, b, a := img.At(at(i)).RGBA(); r == r0 && g == g0 && b == b0 && a == a0 {
			out = append(out, i)
		}
	}
	return out
}

// A line chart's points sit at their values' heights: on a flat series at
// half the axis the line is one row band across the plot, and a series at
// the top tick is the highest line.
func TestALineChartPutsEachValueAtItsHeight(t *testing.T) {
	green := color.RGBA{G: 0xff, A: 0xff}
	blue := color.RGBA{B: 0xff, A: 0xff}
	size := image.Pt(400, 200)
	img, err := lineChart(size, testChartStyle, "Deposits per day", "records", []string{"", "11-30", "12-01"},
		[]chartSeries{{name: "BTC", values: []float64{5, 5, 5}, color: green}, {values: []float64{10, 10, 10}, color: blue}}, true)
	require.NoError(t, err)
	require.Equal(t, image.Rectangle{Max: size}, img.Bounds())

	half, top := rowsOf(img, size.X/2, green), rowsOf(img, size.X/2, blue)
	require.NotEmpty(t, half)
	require.NotEmpty(t, top)
	require.LessOrEqual(t, len(half), 3, "a line two pixels wide")
	// Ticks 0, 2, …, 10, evenly spaced; the line at 10 covers the top one.
	grid := rowsOf(img, size.X/2, testChartStyle.grid)
	require.Len(t, grid, 5, "ticks 0 to 8: %v", grid)
	zero, step := float64(grid[len(grid)-1]), float64(grid[len(grid)-1]-grid[0])/4
	require.InDelta(t, zero-2.5*step, half[0], 2, "5 is two and a half ticks up")
	require.InDelta(t, zero-5*step, top[0], 2, "10 is the top tick")
	require.Greater(t, top[0], 30, "the plot starts below the title and the unit")
	require.Less(t, zero, float64(size.Y-12), "and ends above the day labels")
	// The named series' legend is above the plot, where no line runs.
	legend := 0
	for y := range top[0] - 2 {
		legend += len(columnsOf(img, y, green))
	}
	require.Positive(t, legend, "BTC's mark in the legend")
	// The lines run from the plot's left edge to its right.
	across := columnsOf(img, half[0], green)
	require.Greater(t, len(across), size.X*3/4)
}

// A bar chart's bars are as long as their values, measured from the same
// axis, and the first name is on top.
func TestABarChartDrawsBarsAsLongAsTheirValues(t *testing.T) {
	size := image.Pt(400, 200)
	img, err := barChart(size, testChartStyle, "Status mix", "records", []string{"Credited", "Cancelled"}, []float64{100, 50})
	require.NoError(t, err)
	var bars [][]int // each bar's columns, top down
	for y := 0; y < size.Y; y++ {
		if cols := columnsOf(img, y, testChartStyle.primary); len(cols) > 0 && (len(bars) == 0 || len(bars[len(bars)-1]) != len(cols)) {
			bars = append(bars, cols)
		}
	}
	require.Len(t, bars, 2)
	long, short := bars[0], bars[1]
	require.Equal(t, long[0], short[0], "from one axis")
	require.InDelta(t, len(long), 2*len(short), 2)
}

// Charts without data are drawn without failing: an empty series and no
// bars.
func TestChartsOfNothingAreDrawn(t *testing.T) {
	img, err := lineChart(image.Pt(300, 150), testChartStyle, "Credited BTC per day", "", nil, nil, false)
	require.NoError(t, err)
	require.True(t, varied(img), "the title and axis are drawn")
	img, err = barChart(image.Pt(300, 150), testChartStyle, "Status mix", "records", nil, nil)
	require.NoError(t, err)
	require.True(t, varied(img))
}
