package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel pool's size is fixed per JVM, so other thread counts run in child JVMs. Every reduction in the
 * model has a fixed order, so loss and gradients must agree to the bit.
 */
class ThreadCountDeterminismTest {

    /** Child entry point: prints a digest of one training step's loss, log-probs and gradients. */
    public static void main(String[] args) {
        System.out.println(digest());
    }

    static String digest() {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(true, 1, false), 31);
        m.setLossWeights(new LossWeights(0.5f, 0.1f));
        Batch batch = DeepSeekV3ModelTest.randomBatch(32, 29, 4, 24);
        ForwardPass f = m.forward(batch);
        Loss loss = m.backward();
        long h = Float.floatToRawIntBits(loss.total());
        for (float v : f.logProbs()) h = h * 31 + Float.floatToRawIntBits(v);
        for (float v : m.grads()) h = h * 31 + Float.floatToRawIntBits(v);
        return Long.toHexString(h);
    }

    static String childDigest(int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dconsilium.threads=" + threads,
                "-cp", System.getProperty("java.class.path"), ThreadCountDeterminismTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "child JVM with " + threads + " threads failed: " + out);
        return out;
    }

    @Test
    void oneThreeAndDefaultThreadsGiveBitIdenticalGradients() throws Exception {
        String here = digest();
        assertEquals(here, childDigest(1), "1 thread");
        assertEquals(here, childDigest(3), "3 threads");
    }
}
