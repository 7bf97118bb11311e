package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.Agent;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.runtime.cli.Main;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** A user's jar, built here from source, registers a workflow type and a reward that an experiment file names. */
class PluginJarTest {

    private static final String SOURCE = """
            package userplugin;

            import dev.consilium.agents.Agent;
            import dev.consilium.rewards.function.RewardFunctions;
            import dev.consilium.runtime.loop.ConsiliumPlugin;
            import dev.consilium.runtime.loop.PluginRegistry;
            import java.util.Set;

            public final class FivePlugin implements ConsiliumPlugin {
                @Override
                public void register(PluginRegistry r) {
                    r.workflow("five-sayer", Set.of(), (spec, model) ->
                            Agent.builder().name("five-sayer").role("You solve the task.").model(model).build());
                    r.reward("says-five", RewardFunctions.lambda("says-five", item -> item.answer().strip().equals("5") ? 1 : 0));
                }
            }
            """;

    @Test
    void anExperimentFileNamesAPluginsWorkflowAndReward(@TempDir Path dir) throws IOException {
        Path jar = pluginJar(dir);
        LoopFixture fixture = LoopFixture.create(dir.resolve("fixture"));
        Path out = dir.resolve("run");
        ObjectNode e = fixture.experiment(out).put("rounds", 1);
        e.with("workflow").put("type", "five-sayer");
        e.putArray("rewards").addObject().put("type", "says-five").put("weight", 1.0);
        Path file = dir.resolve("experiment.json");
        Files.writeString(file, e.toPrettyString());

        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute("run", "--classpath", jar.toString(), file.toString()), err.toString());

        JsonNode t = LoopFixture.lines(out.resolve("trajectories.jsonl")).getFirst().get("trajectory");
        assertEquals("five-sayer", t.get("calls").get(0).get("agent").asText(), "the plugin's workflow ran the rollouts");
        JsonNode v = LoopFixture.lines(out.resolve("verdicts.jsonl")).getFirst();
        assertTrue(v.get("combined").get("judge").asText().contains("says-five"), "the plugin's reward scored them: " + v);

        // eval reaches the plugin's workflow the same way, and measures the run's checkpoint as the run did.
        StringWriter evalErr = new StringWriter();
        cli.setErr(new PrintWriter(evalErr, true));
        java.io.ByteArrayOutputStream evalOut = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(evalOut, true));
        int evalExit;
        try {
            evalExit = cli.execute("eval", "--classpath", jar.toString(), "--experiment", file.toString(),
                    "--policy", out.resolve("rounds/round-0001").toString(), "--json");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, evalExit, evalErr.toString());
        JsonNode round1 = LoopFixture.lines(out.resolve("metrics.jsonl")).getLast();
        assertEquals(round1.get("heldout_correct").asInt(), LoopFixture.JSON.readTree(evalOut.toString()).get("correct").asInt());
        assertNotEquals(0, cli.execute("eval", "--plugins", dir.resolve("none").toString(), "--experiment", file.toString(),
                "--policy", out.resolve("rounds/round-0001").toString()));

        // Without the jar, the same file names what nobody registered.
        StringWriter err2 = new StringWriter();
        cli.setErr(new PrintWriter(err2, true));
        Files.writeString(file, e.put("out", dir.resolve("run2").toString()).toPrettyString());
        assertNotEquals(0, cli.execute("run", "--plugins", dir.resolve("none").toString(), file.toString()));
        assertTrue(err2.toString().contains("\"workflow.type\": unknown \"five-sayer\""), err2.toString());
    }

    /** Compiles {@link #SOURCE} against this module's classes and jars it with its service file. */
    private static Path pluginJar(Path dir) throws IOException {
        Path src = dir.resolve("src/userplugin/FivePlugin.java"), classes = dir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, SOURCE);
        List<String> cp = new ArrayList<>();
        for (Class<?> c : List.of(ConsiliumPlugin.class, RewardFunction.class, Agent.class, ChatModel.class, JsonNode.class,
                com.fasterxml.jackson.core.JsonParser.class)) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().getPath()).toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, OutputStream.nullOutputStream(), "-d", classes.toString(),
                "-cp", String.join(java.io.File.pathSeparator, cp), src.toString());
        assertEquals(0, rc, "the plugin source compiles");
        Path jar = dir.resolve("five-plugin.jar");
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
            }
            j.putNextEntry(new JarEntry("META-INF/services/" + ConsiliumPlugin.class.getName()));
            j.write("userplugin.FivePlugin\n".getBytes());
        }
        return jar;
    }
}
