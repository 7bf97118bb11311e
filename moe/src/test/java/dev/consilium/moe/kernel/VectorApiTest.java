package dev.consilium.moe.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A JVM started without the Vector API module is told which flag to add, not thrown a NoClassDefFoundError. */
class VectorApiTest {

    /** Builds a model in a fresh JVM and prints what happened. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                new dev.consilium.moe.model.DeepSeekV3Model(dev.consilium.moe.config.ModelConfig.named("tiny"), 1);
                System.out.println("built");
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    static String probe(boolean withFlag) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withFlag) cmd.add("--add-modules=jdk.incubator.vector");
        String cp = String.join(java.io.File.pathSeparator, location(VectorApi.class), location(Probe.class),
                location(com.fasterxml.jackson.databind.ObjectMapper.class), location(com.fasterxml.jackson.core.JsonParser.class),
                location(com.fasterxml.jackson.annotation.JsonProperty.class));
        cmd.addAll(List.of("-cp", cp, Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe JVM finished");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String location(Class<?> c) {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
    }

    @Test
    void withoutTheModuleTheErrorNamesTheFlag() throws Exception {
        String out = probe(false);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
        assertFalse(out.contains("NoClassDefFoundError"), out);
    }

    @Test
    void withTheModuleTheModelIsBuilt() throws Exception {
        assertTrue(probe(true).contains("built"), "the check lets a JVM with the module through");
    }
}
