package io.mptj.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts drawn with JFreeChart, headless: line charts of training curves, and a heatmap of a
 * similarity matrix with labelled axes and a colour scale (as in arXiv 2303.02861, Figure 4 right).
 */
final class Charts {
  private Charts() {}

  /** Width of a line chart in pixels. */
  static final int LINE_WIDTH = 580;

  /** Height of a line chart in pixels. */
  static final int LINE_HEIGHT = 360;

  /** Lines with at most this many points also mark each point. */
  static final int MARKED_POINTS = 30;

  /** Line colours (Tableau 10), indexed by {@link Curves.Series#colour}. */
  private static final Color[] PALETTE = {
    new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2),
    new Color(0x59a14f), new Color(0xedc948), new Color(0xb07aa1), new Color(0xff9da7),
    new Color(0x9c755f), new Color(0xbab0ac)
  };

  /** Viridis colour stops, dark (low) to yellow (high). */
  private static final Color[] VIRIDIS = {
    new Color(0x440154),
    new Color(0x3b528b),
    new Color(0x21918c),
    new Color(0x5ec962),
    new Color(0xfde725)
  };

  /** Draws lines (one per series) against steps and writes the PNG. */
  static void lines(Path file, String title, String yLabel, List<Curves.Series> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Curves.Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true);
      for (int i = 0; i < s.x().length; i++) {
        xy.add(s.x()[i], s.y()[i]);
      }
      data.addSeries(xy);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, "step", yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    style(chart, plot);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
    for (int i = 0; i < series.size(); i++) {
      r.setSeriesPaint(i, PALETTE[series.get(i).colour() % PALETTE.length]);
      r.setSeriesStroke(i, new BasicStroke(2f));
      r.setSeriesShapesVisible(i, series.get(i).x().length <= MARKED_POINTS);
    }
    save(file, chart, LINE_WIDTH, LINE_HEIGHT);
  }

  /**
   * Draws a square matrix as coloured cells with their values, labels on both axes (row 0 at the
   * top), and a colour scale from the smallest value (rounded down to 0.05) to 1.
   */
  static void heatmap(Path file, String title, List<String> labels, double[][] values) {
    int n = labels.size();
    double[][] xyz = new double[3][n * n];
    double min = 1;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        xyz[0][i * n + j] = j;
        xyz[1][i * n + j] = i;
        xyz[2][i * n + j] = values[i][j];
        min = Math.min(min, values[i][j]);
      }
    }
    double lower = Math.min(Math.floor(min * 20) / 20, 0.95);
    PaintScale scale = new Viridis(lower, 1);
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("cosine", xyz);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(scale);
    XYPlot plot = new XYPlot(data, axis(labels, true), axis(labels, false), renderer);
    annotate(plot, values, lower);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    style(chart, plot);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    chart.addSubtitle(legend(scale));
    int side = Math.max(520, 170 + 56 * n);
    save(file, chart, side + 110, side);
  }

  private static SymbolAxis axis(List<String> labels, boolean horizontal) {
    SymbolAxis a = new SymbolAxis(null, labels.toArray(String[]::new));
    a.setGridBandsVisible(false);
    a.setRange(-0.5, labels.size() - 0.5);
    a.setVerticalTickLabels(horizontal);
    a.setInverted(!horizontal);
    return a;
  }

  private static void annotate(XYPlot plot, double[][] values, double lower) {
    int n = values.length;
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, n > 10 ? 9 : 12);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        XYTextAnnotation a =
            new XYTextAnnotation(String.format(Locale.ROOT, "%.2f", values[i][j]), j, i);
        a.setFont(font);
        boolean light = (values[i][j] - lower) / (1 - lower) > 0.6;
        a.setPaint(light ? Color.BLACK : Color.WHITE);
        plot.addAnnotation(a);
      }
    }
  }

  private static PaintScaleLegend legend(PaintScale scale) {
    NumberAxis axis = new NumberAxis("cosine similarity");
    axis.setRange(scale.getLowerBound(), scale.getUpperBound());
    PaintScaleLegend legend = new PaintScaleLegend(scale, axis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(10, 10, 10, 10));
    legend.setStripWidth(14);
    legend.setSubdivisionCount(100);
    return legend;
  }

  private static void style(JFreeChart chart, XYPlot plot) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    plot.setOutlineVisible(false);
  }

  private static void save(Path file, JFreeChart chart, int width, int height) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
    } catch (IOException e) {
      throw new ReportException("cannot write chart " + file + ": " + e.getMessage(), e);
    }
  }

  /** A paint scale interpolating the viridis colour map between two bounds. */
  private record Viridis(double lower, double upper) implements PaintScale {

    @Override
    public double getLowerBound() {
      return lower;
    }

    @Override
    public double getUpperBound() {
      return upper;
    }

    @Override
    public Paint getPaint(double value) {
      double t = Math.clamp((value - lower) / (upper - lower), 0, 1) * (VIRIDIS.length - 1);
      int i = Math.min((int) t, VIRIDIS.length - 2);
      double f = t - i;
      Color a = VIRIDIS[i];
      Color b = VIRIDIS[i + 1];
      return new Color(
          mix(a.getRed(), b.getRed(), f),
          mix(a.getGreen(), b.getGreen(), f),
          mix(a.getBlue(), b.getBlue(), f));
    }

    private static int mix(int a, int b, double f) {
      return (int) Math.round(a + (b - a) * f);
    }
  }
}
