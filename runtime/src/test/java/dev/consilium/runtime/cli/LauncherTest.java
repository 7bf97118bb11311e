package dev.consilium.runtime.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code ./consilium} launcher and the build it starts, as a user's terminal sees them. */
class LauncherTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    record Ran(int exit, String out, String err) {}

    private static Ran run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        return new Ran(p.waitFor(), out, err.get());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    /** A copy of the launcher beside a built CLI whose main is {@link LauncherProbe}: nothing to build. */
    private static Path launcherWithProbe(Path dir) throws IOException {
        Files.copy(ROOT.resolve("consilium"), dir.resolve("consilium"));
        Path jar = Files.createDirectories(dir.resolve("runtime/target")).resolve("consilium.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream probe = LauncherProbe.class.getResourceAsStream("LauncherProbe.class")) {
            out.putNextEntry(new JarEntry(entry));
            probe.transferTo(out);
        }
        return dir.resolve("consilium");
    }

    @Test
    void theLauncherDropsTheIncubatorWarningAndNothingElse(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("bash") && onPath("mvn"), "the launcher needs bash, and mvn on the PATH");
        Path launcher = launcherWithProbe(dir);

        Ran r = run(dir, Map.of(), "bash", launcher.toString(), "demo", "--seed", "2");

        assertEquals(3, r.exit(), "the command's exit status: " + r.err());
        assertEquals("args demo --seed 2\n", r.out());
        assertEquals("step 1\rstep 2\rstep 3\nWARNING: something the user must see\n", r.err());
    }

    @Test
    void aQuietMavenBuildPrintsNoEscapeCodes() throws Exception {
        assumeTrue(onPath("mvn"), "mvn on the PATH");
        // the launcher's own Maven options, and none a developer's shell may add
        Map<String, String> env = Map.of("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow");

        Ran r = run(ROOT, env, "mvn", "-B", "-ntp", "-q", "-o", "-N", "-Dstyle.color=never", "validate");

        assertEquals(0, r.exit(), r.out() + r.err());
        assertFalse((r.out() + r.err()).contains("\u001b"), "raw escape codes: " + List.of(r.out(), r.err()));
    }
}
