package org.loralab.ext.render;

import java.awt.BasicStroke;
import java.awt.Color;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Series looks that stay apart: series i gets colour i mod 10 and marker i mod 7, so no two of the first 70 series
 * share both (a reader without colour vision still has the marker). Also the axis settings every chart shares.
 */
public final class SeriesStyles {
    /** Tableau's ten colours (distinct in print and for most colour-vision deficiencies). */
    static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };
    static final Marker[] MARKERS = {
        SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS,
    };
    static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {6f, 4f}, 0f);
    /** Pixels per x tick label: a label such as "12,500" and its gap. */
    static final int PIXELS_PER_X_LABEL = 80;

    private SeriesStyles() {}

    public static Color color(int i) {
        return COLORS[Math.floorMod(i, COLORS.length)];
    }

    public static Marker marker(int i) {
        return MARKERS[Math.floorMod(i, MARKERS.length)];
    }

    /** Series i's colour and marker. */
    public static XYSeries apply(XYSeries s, int i) {
        s.setLineColor(color(i));
        s.setMarkerColor(color(i));
        s.setMarker(marker(i));
        return s;
    }

    /** At most one x tick label per {@link #PIXELS_PER_X_LABEL} pixels of width, so labels never run together. */
    public static int maxXLabels(int width) {
        return Math.max(2, width / PIXELS_PER_X_LABEL);
    }

    /**
     * XChart places ticks only at the data's own values when they are equally spaced (steps 1, 2, 3...; indices; a
     * flat line), labelling every k-th with no regard to the chart's size ("1 34 67 100133166199"; a flat line gets
     * one tick). An invisible series outside the legend at uneven positions ({@code x}, {@code y}, inside the plotted
     * range) makes it choose round ticks at the spacing hint instead.
     */
    static void roundTicks(XYChart c, double[] x, double[] y) {
        for (double v : y) {
            if (!Double.isFinite(v)) {
                return;
            }
        }
        XYSeries anchor = c.addSeries(" ", x, y);
        anchor.setMarker(SeriesMarkers.NONE);
        anchor.setLineColor(new Color(0, 0, 0, 0));
        anchor.setShowInLegend(false);
    }

    /** Tick spacing that fits the width; the legend below the plot, outside the data. */
    static void axes(XYChart c) {
        c.getStyler().setXAxisTickMarkSpacingHint(PIXELS_PER_X_LABEL + 20).setYAxisTickMarkSpacingHint(50)
                .setXAxisMaxLabelCount(maxXLabels(c.getWidth()))
                .setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    }
}
