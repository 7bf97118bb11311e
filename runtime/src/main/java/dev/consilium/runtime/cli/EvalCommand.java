package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.runtime.loop.Evaluation;
import dev.consilium.runtime.loop.ExperimentFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code consilium eval}: a checkpoint measured exactly as a run of the experiment measures its policy on held-out
 * tasks each round, so a run's round checkpoint gives the greedy figures that round recorded.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure a policy checkpoint as an experiment's runs do: it answers a task file greedily through the "
                + "experiment's workflow, and the experiment's answer check counts its final answers and, beside them, its "
                + "first turn's (in the demo: the team after the reviser, and the solver alone). Prints correct / total.",
                "Plugins the experiment names come from --classpath or plugins/, as for run."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--experiment", required = true, paramLabel = "FILE",
            description = "The experiment file (JSON or YAML) whose workflow, answer check and task reader to use.")
    Path experiment;
    @Option(names = "--policy", required = true, paramLabel = "CHECKPOINT",
            description = "The checkpoint directory to measure, e.g. a run's rounds/round-0008.")
    Path policy;
    @Option(names = "--tasks", paramLabel = "FILE",
            description = "Tasks to answer, read by the experiment's task reader (default: its held-out file, cut to its heldout_limit).")
    Path tasks;
    @Option(names = "--json", description = "Print one JSON object: tasks, correct, accuracy, first_turn_correct, first_turn_accuracy.")
    boolean json;
    @Mixin
    PluginOptions plugins;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(experiment)) throw new IllegalArgumentException("--experiment: no file " + experiment);
        if (!Files.isDirectory(policy)) {
            throw new IllegalArgumentException("--policy: no checkpoint directory " + policy
                    + " (give a directory with config.json, model.safetensors and tokenizer.json, e.g. a run's rounds/round-NNNN)");
        }
        if (tasks != null && !Files.isRegularFile(tasks)) throw new IllegalArgumentException("--tasks: no file " + tasks);
        Evaluation e = ExperimentFile.evaluate(experiment, plugins.registry(), policy, tasks);
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode().put("experiment", experiment.toString()).put("policy", policy.toString())
                    .put("tasks_file", tasks == null ? null : tasks.toString()).put("tasks", e.total())
                    .put("correct", e.correct()).put("accuracy", e.accuracy())
                    .put("first_turn_correct", e.firstTurnCorrect()).put("first_turn_accuracy", e.firstTurnAccuracy());
            System.out.println(o);
        } else {
            System.out.printf("accuracy, greedy (%d tasks): %s%n", e.total(), fraction(e.correct(), e.total()));
            System.out.printf("accuracy of the first turn alone: %s%n", fraction(e.firstTurnCorrect(), e.total()));
        }
        return 0;
    }

    /** As the loop and the demo state a held-out figure: correct/total (percent). */
    private static String fraction(int correct, int total) {
        return String.format(Locale.ROOT, "%d/%d (%.1f%%)", correct, total, total == 0 ? 0 : 100.0 * correct / total);
    }
}
