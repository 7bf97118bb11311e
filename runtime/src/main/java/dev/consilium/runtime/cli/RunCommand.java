package dev.consilium.runtime.cli;

import dev.consilium.runtime.loop.ExperimentFile;
import dev.consilium.runtime.loop.ExperimentRun;
import dev.consilium.runtime.loop.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

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
    @Option(names = {"--classpath", "-cp"}, paramLabel = "JARS", split = "[:;]",
            description = "Plugin jars or class directories (separated by ':' or ';'), besides plugins/*.jar.")
    List<Path> classpath = List.of();
    @Option(names = "--plugins", paramLabel = "DIR", defaultValue = "plugins", description = "Folder of plugin jars (default: ${DEFAULT-VALUE}).")
    Path plugins;

    @Override
    public Integer call() {
        if ((experiment == null) == (resume == null)) {
            throw new IllegalArgumentException("give an experiment file, or --resume RUN_DIR (one of the two)");
        }
        PluginRegistry registry = PluginRegistry.load(classLoader(classpath, plugins));
        ExperimentRun run = resume != null ? ExperimentFile.resume(resume, registry, System.out)
                : ExperimentFile.start(experiment, registry, System.out);
        ExperimentRun.Result r = run.run();
        System.out.println("held-out accuracy: " + ExperimentRun.accuracy(r.before()) + " -> " + ExperimentRun.accuracy(r.after()));
        if (ExperimentRun.sampledAccuracy(r.after()) != null) {
            System.out.println("held-out accuracy, sampled: " + ExperimentRun.sampledAccuracy(r.before()) + " -> "
                    + ExperimentRun.sampledAccuracy(r.after()));
        }
        System.out.println("report: " + r.report());
        return 0;
    }

    /** This program's classes, then the given jars and directories and every jar in {@code folder}. */
    static ClassLoader classLoader(List<Path> entries, Path folder) {
        List<URL> urls = new ArrayList<>();
        try {
            for (Path p : entries) {
                if (!Files.exists(p)) throw new IllegalArgumentException("--classpath: no file or directory " + p);
                urls.add(p.toUri().toURL());
            }
            if (folder != null && Files.isDirectory(folder)) {
                try (Stream<Path> jars = Files.list(folder)) {
                    for (Path j : jars.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) urls.add(j.toUri().toURL());
                }
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        ClassLoader parent = RunCommand.class.getClassLoader();
        return urls.isEmpty() ? parent : new URLClassLoader(urls.toArray(URL[]::new), parent);
    }
}
