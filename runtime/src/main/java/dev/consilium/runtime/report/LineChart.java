package dev.consilium.runtime.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small inline SVG line chart: one or more series over rounds, with axes, ticks and a legend. Inline
 * SVG keeps the report one self-contained file that renders with no network and no script.
 */
final class LineChart {
    /** One named line; {@code values[i]} is the value at round {@code i}, NaN where there is none. */
    record Series(String name, double[] values) {}

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    private static final int W = 460, H = 256, LEFT = 52, RIGHT = 12, TOP = 44, BOTTOM = 40;

    private LineChart() {}

    static String svg(String title, String yLabel, List<Series> series, Double yMin, Double yMax) {
        int n = 0;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            n = Math.max(n, s.values().length);
            for (double v : s.values()) {
                if (Double.isNaN(v)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) { lo = 0; hi = 1; }
        if (yMin != null) lo = Math.min(lo, yMin);
        if (yMax != null) hi = Math.max(hi, yMax);
        if (hi - lo < 1e-12) { hi = lo + 1; }
        // Ticks at round numbers (1, 2, 2.5 or 5 times a power of ten), the axis widened to whole ticks:
        // a quarter of the data's span gave ticks such as 0.22 and 1.27 that a reader cannot place.
        double tickStep = niceStep((hi - lo) / 4);
        lo = Math.floor(lo / tickStep + 1e-9) * tickStep;
        hi = Math.ceil(hi / tickStep - 1e-9) * tickStep;
        int ticks = (int) Math.round((hi - lo) / tickStep);
        double xSpan = Math.max(1, n - 1), ySpan = hi - lo;
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                W, H, Html.escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" class=\"t\">%s</text>", LEFT, Html.escape(title)));
        for (int i = 0; i <= ticks; i++) {
            double v = lo + tickStep * i;
            double y = TOP + plotH - plotH * (double) i / ticks;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"g\"/>", LEFT, W - RIGHT, y, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"a\" text-anchor=\"end\">%s</text>", LEFT - 4, y + 4,
                    String.format(Locale.ROOT, "%." + decimals(tickStep) + "f", v)));
        }
        int step = Math.max(1, (int) Math.ceil(n / 10.0));
        for (int i = 0; i < n; i += step) {
            double x = LEFT + plotW * i / xSpan;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"a\" text-anchor=\"middle\">%d</text>", x, H - BOTTOM + 16, i));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"a\" text-anchor=\"middle\">round</text>", LEFT + plotW / 2, H - 6));
        svg.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" class=\"a\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>",
                TOP + plotH / 2, TOP + plotH / 2, Html.escape(yLabel)));
        int shown = 0;
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            // A series with no value at all (KL at beta 0, a metric this run does not record) draws nothing and
            // takes no place in the legend, which would otherwise promise a line that is not there.
            if (java.util.Arrays.stream(s.values()).allMatch(Double::isNaN)) continue;
            String color = COLORS[k % COLORS.length];
            List<String> points = new ArrayList<>();
            for (int i = 0; i < s.values().length; i++) {
                double v = s.values()[i];
                if (Double.isNaN(v)) continue;
                double x = LEFT + plotW * i / xSpan, y = TOP + plotH - plotH * (v - lo) / ySpan;
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s, round %d: %s</title></circle>",
                        x, y, color, Html.escape(s.name()), i, tick(v, ySpan / 100)));
            }
            if (points.size() > 1) {
                svg.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>", color, String.join(" ", points)));
            }
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"a\">%s</text>",
                    LEFT + 150 * (shown % 3), 24 + 10 * (shown / 3), color, LEFT + 14 + 150 * (shown % 3), 29 + 10 * (shown / 3), Html.escape(s.name())));
            shown++;
        }
        if (shown == 0) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"a\" text-anchor=\"middle\">no data recorded</text>",
                    LEFT + plotW / 2, TOP + plotH / 2));
        }
        return svg.append("</svg>").toString();
    }

    /** The round step nearest above {@code raw}: 1, 2, 2.5 or 5 times a power of ten. */
    static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
    }

    /** Decimals that show every multiple of the step exactly: 0.25 needs two, 0.5 one, 200 none. */
    private static int decimals(double step) {
        for (int d = 0; d < 10; d++) {
            double scaled = step * Math.pow(10, d);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-6 * scaled) return d;
        }
        return 10;
    }

    private static String tick(double v, double span) {
        if (span >= 10) return String.format(Locale.ROOT, "%.0f", v);
        if (span >= 0.1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
