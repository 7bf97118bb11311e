package dev.consilium.runtime.loop;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every experiment file the project ships resolves and validates as `consilium run` would take it. */
class ShippedExperimentsTest {
    private static final Path EXPERIMENTS = Path.of("..", "experiments");

    @TestFactory
    Stream<DynamicTest> everyShippedExperimentValidates() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXPERIMENTS)) {
            files = s.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no experiment files in " + EXPERIMENTS.toAbsolutePath());
        PluginRegistry plugins = PluginRegistry.load(getClass().getClassLoader());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Experiment resolved = ExperimentFile.resolvePaths(Experiment.load(f), f.toAbsolutePath().getParent(), f.toString());
            ExperimentFile.builder(resolved, f.toString(), plugins);
        }));
    }
}
