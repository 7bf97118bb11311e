package dev.consilium.runtime.cli;

import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.datasets.JudgeGoldDataset;
import dev.consilium.runtime.datasets.ArithmeticDialogues;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Regenerates the shipped task data; each file in datasets/ names the command that made it. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "Generate task data with ground truth true by construction.",
        subcommands = {DatasetsCommand.Arithmetic.class, DatasetsCommand.Judge.class, DatasetsCommand.Dialogues.class,
                DatasetsCommand.JudgeDialogues.class})
final class DatasetsCommand {

    @Command(name = "arithmetic", mixinStandardHelpOptions = true,
            description = "Addition and subtraction problems of graded difficulty, train and held-out splits.")
    static final class Arithmetic implements Runnable {
        @Option(names = "--out", defaultValue = "datasets/arithmetic", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--seed", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--train", defaultValue = "4000", description = "Training problems (default: ${DEFAULT-VALUE}).")
        int train;
        @Option(names = "--heldout", defaultValue = "200", description = "Held-out problems (default: ${DEFAULT-VALUE}).")
        int heldout;

        @Override
        public void run() {
            ArithmeticDataset.generate(seed, train, heldout).writeTo(out);
            System.out.printf("wrote %d train and %d held-out problems to %s%n", train, heldout, out);
        }
    }

    @Command(name = "judge", mixinStandardHelpOptions = true,
            description = {"Judge gold sets labelled by construction: arithmetic transcripts of each kind (right, wrong, a digit "
                    + "off, digits swapped, off by ten, a reviser breaking or fixing or confirming, hedged, missing), and pairs."})
    static final class Judge implements Runnable {
        @Option(names = "--heldout", defaultValue = "datasets/arithmetic/heldout.jsonl", description = "Questions never to use (default: ${DEFAULT-VALUE}).")
        Path heldout;
        @Option(names = "--out", defaultValue = "datasets/judge/arithmetic.jsonl", description = "Output file (default: ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--seed", defaultValue = "11", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--per-kind", defaultValue = "40", description = "Pointwise items of each kind, and pairs (default: ${DEFAULT-VALUE}).")
        int perKind;

        @Override
        public void run() {
            List<GoldItem> items = JudgeGoldDataset.arithmetic(seed, perKind, ArithmeticDataset.read(heldout));
            GoldSet.write(out, items);
            long pairs = items.stream().filter(GoldItem::isPairwise).count();
            System.out.printf("wrote %d gold items (%d pointwise, %d pairwise) to %s%n", items.size(), items.size() - pairs, pairs, out);
        }
    }

    @Command(name = "dialogues", mixinStandardHelpOptions = true,
            description = "The demo policy's warm-up chats: solver and reviser turns on fresh problems, none held out.")
    static final class Dialogues implements Runnable {
        @Option(names = "--heldout", defaultValue = "datasets/arithmetic/heldout.jsonl", description = "Questions never to use (default: ${DEFAULT-VALUE}).")
        Path heldout;
        @Option(names = "--out", defaultValue = "datasets/arithmetic/dialogues.jsonl", description = "Output file (default: ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--seed", defaultValue = "11", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--count", defaultValue = "40000", description = "Chats to write (default: ${DEFAULT-VALUE}).")
        int count;
        @Option(names = "--hedge", defaultValue = "0", description = "Share of answers written \"I think N\" instead of \"N\" (default: ${DEFAULT-VALUE}).")
        double hedge;

        @Override
        public void run() {
            if (!(hedge >= 0 && hedge <= 1)) throw new IllegalArgumentException("--hedge must lie in [0, 1], was " + hedge);
            ArithmeticDialogues.write(out, seed, count, ArithmeticDataset.read(heldout), hedge);
            System.out.printf("wrote %d chats to %s%n", count, out);
        }
    }

    @Command(name = "judge-dialogues", mixinStandardHelpOptions = true,
            description = "The demo judge's training chats: its fenced prompt for a transcript and the reference, and a verdict in words.")
    static final class JudgeDialogues implements Runnable {
        @Option(names = "--heldout", defaultValue = "datasets/arithmetic/heldout.jsonl", description = "Questions never to use (default: ${DEFAULT-VALUE}).")
        Path heldout;
        @Option(names = "--out", defaultValue = "datasets/arithmetic/judge-dialogues.jsonl", description = "Output file (default: ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--seed", defaultValue = "13", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--count", defaultValue = "40000", description = "Chats to write (default: ${DEFAULT-VALUE}).")
        int count;
        @Option(names = "--solver-only-every", defaultValue = "3", description = "One transcript in N ends after the solver's turn; 0 for none (default: ${DEFAULT-VALUE}).")
        int solverOnlyEvery;

        @Override
        public void run() {
            if (solverOnlyEvery < 0) throw new IllegalArgumentException("--solver-only-every must be >= 0, was " + solverOnlyEvery);
            dev.consilium.runtime.datasets.JudgeDialogues.write(out, seed, count, ArithmeticDataset.read(heldout), solverOnlyEvery);
            System.out.printf("wrote %d chats to %s%n", count, out);
        }
    }
}
