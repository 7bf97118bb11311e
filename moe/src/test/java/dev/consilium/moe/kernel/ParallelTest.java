package dev.consilium.moe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 8, 9, 100, 1001})
    void forRangeCoversEveryIndexExactlyOnce(int n) {
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Parallel.forRange(n, 2, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i);
    }

    @Test
    void chunkBoundsDependOnlyOnTheSizeAndGrain() {
        List<String> first = ranges(1000, 10), second = ranges(1000, 10);
        assertEquals(first, second);
        int covered = 0;
        for (String r : first) {
            String[] p = r.split("-");
            assertEquals(covered, Integer.parseInt(p[0]), "ranges are contiguous");
            covered = Integer.parseInt(p[1]);
        }
        assertEquals(1000, covered);
    }

    @Test
    void aNestedCallFromInsideATaskCompletes() {
        AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
        Parallel.forEach(64, 1, i -> Parallel.forEach(64, 1, j -> hits.incrementAndGet(i * 64 + j)));
        for (int k = 0; k < 64 * 64; k++) assertEquals(1, hits.get(k), "cell " + k);
    }

    @Test
    void aFailureInAnyChunkReachesTheCaller() {
        IllegalStateException boom = new IllegalStateException("chunk 5 failed");
        var thrown = assertThrows(IllegalStateException.class, () -> Parallel.forEach(16, 1, i -> {
            if (i == 5) throw boom;
        }));
        assertSame(boom, thrown);
    }

    private static List<String> ranges(int n, int grain) {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(n, grain, (from, to) -> out.add(from + "-" + to));
        List<String> sorted = new ArrayList<>(out);
        sorted.sort((a, b) -> Integer.compare(Integer.parseInt(a.split("-")[0]), Integer.parseInt(b.split("-")[0])));
        return sorted;
    }
}
