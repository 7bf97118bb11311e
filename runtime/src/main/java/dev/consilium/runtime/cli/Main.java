package dev.consilium.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code consilium} command line. Each subcommand lives in its own class, named for it. */
@Command(name = "consilium",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Multi-agent reward modeling and self-improvement, with a built-in DeepSeek-V3-style MoE model.",
        subcommands = {DemoCommand.class, ChatCommand.class, TrainCommand.class, GenerateCommand.class, ServeCommand.class,
                BenchCommand.class, DatasetsCommand.class, JudgeCommand.class, RunCommand.class, EvalCommand.class, ReportCommand.class, QuantizeCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests drive it directly. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // A user error deserves one line naming the problem, not a stack trace.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("consilium " + cmd.getCommandName() + ": " + message(e));
            if (Boolean.getBoolean("consilium.stacktrace")) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        // Jackson and others append a multi-line location; the first line names the problem
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"consilium " + (v == null ? "(development build)" : v),
                    "Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores"};
        }
    }
}
