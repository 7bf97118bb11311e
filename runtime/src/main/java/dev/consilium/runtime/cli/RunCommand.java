package dev.consilium.runtime.cli;

import dev.consilium.runtime.loop.ExperimentFile;
import dev.consilium.runtime.loop.ExperimentRun;
import dev.consilium.runtime.loop.PluginRegistry;
import dev.consilium.runtime.seam.ExecutorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code consilium run EXPERIMENT} and {@code consilium run --resume RUN_DIR}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a self-improvement experiment (JSON or YAML): rollouts, judgments, rewards and training, "
                + "round after round, into a durable run directory with report.html.",
                "Plugins (jars with a dev.consilium.runtime.loop.ConsiliumPlugin service) add workflow types, rewards, "
                + "judge prompts, task readers and answer checks the experiment can name: give them with --classpath, "
                + "or put them in plugins/."})
final class RunCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "EXPERIMENT", description = "The experiment file; its paths are relative to it.")
    Path experiment;
    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue this run from its last finished round.")
    Path resume;
    @Mixin
    PluginOptions plugins;
    @Option(names = "--executor", paramLabel = "NAME", description = "Where rollouts and held-out answers run: in-process "
            + "(default) or spark (the cluster module; ./consilium adds it). Overrides the experiment's \"executor\".")
    String executor;
    @Option(names = "--master", paramLabel = "URL", description = "The engine's master: spark://HOST:7077, k8s://..., yarn, "
            + "local-cluster[N,1,MB] (default: the experiment's, or spark-submit's).")
    String master;
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "An engine setting (spark.executor.memory=8g); repeat for more. "
            + "Never an API key: engines print their settings; keys are read from the driver's environment.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() {
        if ((experiment == null) == (resume == null)) {
            throw new IllegalArgumentException("give an experiment file, or --resume RUN_DIR (one of the two)");
        }
        PluginRegistry registry = plugins.registry();
        ExperimentRun run = resume != null ? ExperimentFile.resume(resume, registry, System.out)
                : ExperimentFile.start(experiment, registry, System.out);
        if (executor != null) run = run.withExecutor(new ExecutorOptions(executor, master, conf));
        else if (master != null || !conf.isEmpty()) throw new IllegalArgumentException("--master and --conf go with --executor NAME");
        ExperimentRun.Result r = run.run();
        System.out.println("held-out accuracy: " + ExperimentRun.accuracy(r.before()) + " -> " + ExperimentRun.accuracy(r.after()));
        if (ExperimentRun.sampledAccuracy(r.after()) != null) {
            System.out.println("held-out accuracy, sampled: " + ExperimentRun.sampledAccuracy(r.before()) + " -> "
                    + ExperimentRun.sampledAccuracy(r.after()));
        }
        if (ExperimentRun.firstTurnAccuracy(r.before()) != null && ExperimentRun.firstTurnAccuracy(r.after()) != null) {
            System.out.println("held-out accuracy, first turn alone: " + ExperimentRun.firstTurnAccuracy(r.before()) + " -> "
                    + ExperimentRun.firstTurnAccuracy(r.after()));
        }
        System.out.println("report: " + r.report());
        System.out.println("policy: " + r.policy());
        return 0;
    }
}
