package dev.consilium.runtime.cli;

import java.io.PrintStream;

/**
 * A one-line terminal progress bar: redrawn in place on a terminal, printed as plain lines at most every
 * few seconds otherwise, so logs and CI output stay readable.
 */
final class ProgressBar {
    private static final int WIDTH = 24;
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private long lastPrint;
    private int lastLength;

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = System.console() != null && System.console().isTerminal();
    }

    /** Shows {@code done} of the total with a free-form status after the bar. */
    void update(long done, String status) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!terminal && !last && now - lastPrint < LOG_EVERY_NANOS && lastPrint != 0) return;
        lastPrint = now;
        int filled = (int) (WIDTH * Math.min(1.0, (double) done / Math.max(1, total)));
        String line = String.format("%s [%s%s] %d/%d %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                done, total, status);
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            if (last) out.println();
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }
}
