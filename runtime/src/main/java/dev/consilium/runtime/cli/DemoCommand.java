package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.runtime.bench.Machine;
import dev.consilium.runtime.loop.Experiment;
import dev.consilium.runtime.loop.ExperimentFile;
import dev.consilium.runtime.loop.ExperimentRun;
import dev.consilium.runtime.loop.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The embedded demo, offline and without keys: experiments/demo.json run end to end. The shipped built-in policy
 * answers arithmetic tasks as a solver and a reviser, the shipped built-in judge reads each transcript and gives
 * its verdict in words, GRPO trains the policy on the judge's rewards, and held-out tasks measure it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The embedded demo: offline, no API key, a few minutes on a laptop CPU.",
                "Runs experiments/demo.json: a built-in MoE policy (solver -> reviser) is judged by a built-in LLM judge",
                "and trained with GRPO on its verdicts; prints held-out accuracy before and after, the judge's",
                "agreement with the ground truth, and the path of the HTML report."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--experiment", defaultValue = "experiments/demo.json", description = "Experiment file (default: ${DEFAULT-VALUE}).")
    Path experiment;
    @Option(names = "--out", description = "Run directory (default: the experiment's, runs/demo); an earlier demo run there is replaced.")
    Path out;
    @Option(names = "--seed", description = "Seed for rollouts and training (default: the experiment's).")
    Long seed;
    @Option(names = "--rounds", description = "Rounds of rollouts and training (default: the experiment's).")
    Integer rounds;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        long started = System.nanoTime();
        Experiment e = Experiment.load(experiment).with(rounds, seed, out == null ? null : out.toString());
        Path base = experiment.toAbsolutePath().getParent();
        o.println("Consilium demo: a built-in MoE policy improves from an LLM judge's verdicts on its own transcripts.");
        o.printf("policy %s, judge %s, workflow %s, %s, %d rounds of %d tasks x %d rollouts, seed %d%n", shown(base.resolve(e.policy())),
                e.judges().getFirst().model(), e.workflow().get("type").asText(), e.algorithm().name(), e.rounds(),
                e.tasksPerRound(), e.rolloutsPerTask(), e.seed());
        deleteRun(Path.of(e.out()));
        ExperimentRun run = ExperimentFile.start(e, base, experiment.toString(), PluginRegistry.load(DemoCommand.class.getClassLoader()), o);
        ExperimentRun.Result r = run.run();
        JsonNode before = r.before(), after = r.after();
        o.println();
        o.printf("held-out accuracy, greedy (%d tasks): before %s, after %s%n", after.get("heldout_total").asInt(),
                ExperimentRun.accuracy(before), ExperimentRun.accuracy(after));
        if (ExperimentRun.sampledAccuracy(after) != null) {
            o.printf(Locale.ROOT, "held-out accuracy, sampled at temperature %.1f (%d answers): before %s, after %s%n",
                    e.temperature(), after.get("heldout_sampled_total").asInt(), ExperimentRun.sampledAccuracy(before),
                    ExperimentRun.sampledAccuracy(after));
        }
        if (ExperimentRun.firstTurnAccuracy(before) != null && ExperimentRun.firstTurnAccuracy(after) != null) {
            // The demo's workflow is solver -> reviser: its first turn is the solver's answer, the final one the team's.
            o.printf("held-out accuracy, greedy, solver alone (first turn): before %s, after %s%n",
                    ExperimentRun.firstTurnAccuracy(before), ExperimentRun.firstTurnAccuracy(after));
        }
        o.printf(Locale.ROOT, "judge agreement with the ground truth: %s (abstained %s), over all rounds' rollouts%n",
                mean(r, "judge_agreement"), mean(r, "abstain_rate"));
        if (after.has("rollout_true_accuracy")) {
            o.printf(Locale.ROOT, "training reward %s against rollouts truly right %s, over all rounds' rollouts%n",
                    mean(r, "reward_mean"), mean(r, "rollout_true_accuracy"));
        }
        if (after.has("probes")) {
            o.printf(Locale.ROOT, "judge agreement on %d gold probes a round: %s, over all rounds%n", after.get("probes").asInt(),
                    mean(r, "probe_agreement"));
        }
        List<String> alarmed = r.rounds().stream().filter(m -> m.has("alarm")).map(m -> m.get("round").asText()).toList();
        if (!alarmed.isEmpty()) o.println("reward-hacking alarm in rounds " + String.join(", ", alarmed) + " (see the report)");
        o.println("report: " + r.report());
        o.println("policy: " + shown(r.policy()));
        o.printf(Locale.ROOT, "took %.0f s on %d threads (%s)%n", (System.nanoTime() - started) / 1e9, Parallel.threads(),
                Machine.cpuName());
        return 0;
    }

    private static String mean(ExperimentRun.Result r, String field) {
        List<JsonNode> rounds = r.rounds().stream().filter(m -> m.has(field)).toList();
        if (rounds.isEmpty()) return "n/a";
        return String.format(Locale.ROOT, "%.3f", rounds.stream().mapToDouble(m -> m.get(field).asDouble()).average().orElseThrow());
    }

    /** A path as the user would type it from here: relative to the working directory when under it. */
    private static Path shown(Path p) {
        Path here = Path.of("").toAbsolutePath(), q = p.toAbsolutePath().normalize();
        return q.startsWith(here) ? here.relativize(q) : q;
    }

    /** The demo always starts fresh: a finished or interrupted demo run in the same place is replaced. */
    private static void deleteRun(Path dir) {
        if (!Files.exists(dir.resolve("experiment.json"))) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot clear the earlier demo run in " + dir + ": " + ex.getMessage(), ex);
        }
    }
}
