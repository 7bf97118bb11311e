package dev.consilium.runtime.cli;

import dev.consilium.runtime.loop.Experiment;
import dev.consilium.runtime.loop.ExperimentRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code consilium run EXPERIMENT} and {@code consilium run --resume RUN_DIR}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a self-improvement experiment (JSON or YAML): rollouts, judgments, rewards and training, "
                + "round after round, into a durable run directory with report.html."})
final class RunCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "EXPERIMENT", description = "The experiment file.")
    Path experiment;
    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue this run from its last finished round.")
    Path resume;

    @Override
    public Integer call() {
        if ((experiment == null) == (resume == null)) {
            throw new IllegalArgumentException("give an experiment file, or --resume RUN_DIR (one of the two)");
        }
        ExperimentRun run = resume != null ? ExperimentRun.resume(resume, System.out)
                : ExperimentRun.start(Experiment.load(experiment), System.out);
        ExperimentRun.Result r = run.run();
        System.out.println("held-out accuracy: " + ExperimentRun.accuracy(r.before()) + " -> " + ExperimentRun.accuracy(r.after()));
        if (ExperimentRun.sampledAccuracy(r.after()) != null) {
            System.out.println("held-out accuracy, sampled: " + ExperimentRun.sampledAccuracy(r.before()) + " -> "
                    + ExperimentRun.sampledAccuracy(r.after()));
        }
        System.out.println("report: " + r.report());
        return 0;
    }
}
