package dev.consilium.runtime.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MainTest {

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsEverySubcommand() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        for (String command : new String[] {"demo", "chat", "train", "generate", "serve", "bench", "datasets", "judge", "quantize"}) {
            assertTrue(r.out().contains("  " + command + " "), command + " missing from:\n" + r.out());
        }
    }

    /** Each command's line in its parent's list is the first element of its description: a whole sentence. */
    @Test
    void everyCommandListShowsWholeDescriptions() {
        List<CommandLine> parents = new ArrayList<>(List.of(Main.commandLine()));
        int checked = 0;
        while (!parents.isEmpty()) {
            CommandLine parent = parents.removeFirst();
            StringWriter help = new StringWriter();
            parent.usage(new PrintWriter(help));
            String shown = help.toString().replaceAll("\\s+", " ");
            for (CommandLine sub : parent.getSubcommands().values()) {
                if (sub.getCommandName().equals("help")) continue;
                String summary = sub.getCommandSpec().usageMessage().description()[0];
                assertTrue(summary.endsWith("."), sub.getCommandSpec().qualifiedName() + ": \"" + summary + "\" stops mid-sentence");
                assertTrue(shown.contains(summary.replaceAll("\\s+", " ")), summary + " not whole in:\n" + help);
                parents.add(sub);
                checked++;
            }
        }
        assertTrue(checked > 15, "commands checked: " + checked);
    }

    @Test
    void everySubcommandHasHelp() {
        for (String command : new String[] {"demo", "chat", "train", "generate", "serve", "bench", "datasets", "judge", "quantize"}) {
            Run r = run(command, "--help");
            assertEquals(0, r.exit(), command);
            assertTrue(r.out().startsWith("Usage: consilium " + command), r.out());
        }
    }

    @Test
    void aFailingCommandPrintsOneLineNamingTheProblem(@TempDir Path dir) {
        Path missing = dir.resolve("nope.jsonl");
        Run r = run("train", "--data", missing.toString(), "--steps", "1", "--out", dir.resolve("out").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("consilium train: cannot read " + missing), r.err());
    }

    @Test
    void generateFromACorruptCheckpointPrintsTheLoadersErrorOnOneLine(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("config.json"), "{not json");
        Run r = run("generate", "--model", dir.toString(), "--prompt", "hi");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("consilium generate: ") && r.err().contains("config.json"), r.err());
    }

    @Test
    void anUnknownConfigIsNamed(@TempDir Path dir) {
        Run r = run("bench", "train", "--config", "huge");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no config named \"huge\""), r.err());
    }

    @Test
    void serveRefusesAnApiKeyVariableThatIsNotSet(@TempDir Path dir) {
        Run r = run("serve", "--model", dir.toString(), "--api-key-env", "CONSILIUM_TEST_UNSET_KEY");
        assertEquals(1, r.exit());
        assertEquals("consilium serve: --api-key-env CONSILIUM_TEST_UNSET_KEY: the environment variable is not set",
                r.err().strip());
    }
}
