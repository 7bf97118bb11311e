package dev.consilium.runtime.cli;

import dev.consilium.runtime.loop.ExperimentRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** {@code consilium report RUN_DIR}: regenerates report.html from the run's journals. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Regenerate a run's report.html from its journals.")
final class ReportCommand implements Runnable {
    @Parameters(paramLabel = "RUN_DIR", description = "The run directory.")
    Path dir;

    @Override
    public void run() {
        System.out.println("report: " + ExperimentRun.report(dir));
    }
}
