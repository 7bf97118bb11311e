package dev.consilium.moe.optim;

import dev.consilium.moe.tensor.NamedTensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The element ranges of a flat buffer that named views cover, each with one flag (AdamW: weight decay),
 * sorted and merged. Optimizers update only covered elements: anything else (alignment padding) is not a
 * named parameter, so a checkpoint could not save it and a resumed run would diverge.
 */
final class Segments {
    final int length;
    private final int[] from, to;
    private final boolean[] flag;

    @FunctionalInterface
    interface Body {
        void run(int from, int to, boolean flag);
    }

    private Segments(int length, int[] from, int[] to, boolean[] flag) {
        this.length = length;
        this.from = from;
        this.to = to;
        this.flag = flag;
    }

    /** Views must address buffers of one length and must not overlap. */
    static Segments of(List<NamedTensor> views, Predicate<NamedTensor> flagOf) {
        if (views.isEmpty()) throw new IllegalArgumentException("no parameters");
        NamedTensor first = views.getFirst();
        List<NamedTensor> sorted = new ArrayList<>(views);
        sorted.sort(Comparator.comparingInt(NamedTensor::offset));
        List<int[]> ranges = new ArrayList<>();
        List<Boolean> flags = new ArrayList<>();
        NamedTensor prev = null;
        for (NamedTensor v : sorted) {
            if (v.data().length != first.data().length) {
                throw new IllegalArgumentException(v.name() + ": view over a buffer of " + v.data().length
                        + ", but " + first.name() + " is over one of " + first.data().length);
            }
            if (prev != null && v.offset() < prev.offset() + prev.size()) {
                throw new IllegalArgumentException(v.name() + " overlaps " + prev.name());
            }
            prev = v;
            if (v.size() == 0) continue;
            boolean f = flagOf.test(v);
            int lo = v.offset(), hi = v.offset() + v.size();
            if (!ranges.isEmpty() && ranges.getLast()[1] == lo && flags.getLast() == f) ranges.getLast()[1] = hi;
            else {
                ranges.add(new int[]{lo, hi});
                flags.add(f);
            }
        }
        boolean[] fl = new boolean[flags.size()];
        for (int i = 0; i < fl.length; i++) fl[i] = flags.get(i);
        return new Segments(first.data().length, ranges.stream().mapToInt(r -> r[0]).toArray(),
                ranges.stream().mapToInt(r -> r[1]).toArray(), fl);
    }

    /** Runs body over the covered parts of [lo, hi), in order. */
    void forRange(int lo, int hi, Body body) {
        int a = 0, b = to.length;
        while (a < b) { // first segment ending after lo
            int mid = (a + b) >>> 1;
            if (to[mid] <= lo) a = mid + 1;
            else b = mid;
        }
        for (int k = a; k < from.length && from[k] < hi; k++) {
            body.run(Math.max(lo, from[k]), Math.min(hi, to[k]), flag[k]);
        }
    }
}
