package dev.consilium.rewards.calibration;

import java.util.Arrays;
import java.util.Comparator;

/** The agreement statistics calibration reports. Each returns NaN where it is undefined (too few items, no spread). */
public final class Stats {
    private Stats() {}

    /** Cohen's kappa of two raters' labels: (p_o - p_e) / (1 - p_e). Labels are small non-negative integers. */
    public static double cohensKappa(int[] a, int[] b) {
        int n = a.length, k = 0;
        if (n == 0) return Double.NaN;
        for (int i = 0; i < n; i++) k = Math.max(k, Math.max(a[i], b[i]) + 1);
        double[] pa = new double[k], pb = new double[k];
        double agree = 0;
        for (int i = 0; i < n; i++) {
            pa[a[i]]++;
            pb[b[i]]++;
            if (a[i] == b[i]) agree++;
        }
        double po = agree / n, pe = 0;
        for (int c = 0; c < k; c++) pe += (pa[c] / n) * (pb[c] / n);
        return pe == 1 ? Double.NaN : (po - pe) / (1 - pe);
    }

    /** Spearman's rank correlation: Pearson's r of the ranks, ties sharing their mean rank. */
    public static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    /** The least-squares slope of y on x. */
    public static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) return Double.NaN;
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    static double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) return Double.NaN;
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) r[order[t]] = mean;
            i = j + 1;
        }
        return r;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
