package dev.consilium.runtime.cli;

import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.rewards.calibration.Calibration;
import dev.consilium.rewards.calibration.CalibrationReport;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.consilium.rewards.calibration.Probes;
import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PairwiseJudge;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.Scale;
import dev.langchain4j.model.chat.ChatModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.runtime.loop.Experiment;
import dev.consilium.runtime.loop.ExperimentJudges;
import dev.consilium.runtime.verifier.JudgeAgreement;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;

/** LLM-as-judge tools: calibrate a judge against a gold set; train a built-in model as a judge. */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = "Measure how far an LLM judge can be trusted, and train a built-in one.",
        subcommands = {JudgeCommand.Calibrate.class, JudgeTrainCommand.class})
final class JudgeCommand {

    @Command(name = "calibrate", mixinStandardHelpOptions = true,
            description = "Run a judge over a gold set: accuracy, Cohen's kappa, Spearman, order consistency, "
                    + "length bias, probe false-positive rate, abstain rate, cost.")
    static final class Calibrate implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--judge", description = "Model ref of the judge, e.g. openai/gpt-4o-mini, or a deployment name, asked with a generic prompt.")
        String judge;
        @Option(names = "--experiment", description = "Measure this experiment file's judges exactly as its run builds them (prompt, model, decoding), on the gold set's pointwise items, per kind.")
        Path experiment;
        @Option(names = "--json", description = "With --experiment: print the figures as JSON.")
        boolean json;
        @Option(names = "--gold", required = true, description = "Gold set JSONL (see datasets/judge/).")
        Path gold;
        @Option(names = "--providers", description = "Providers file (deployments, keys by environment variable, prices).")
        Path providers;
        @Option(names = "--scale", defaultValue = "binary", description = "binary, 1-5 or 1-10 (default: ${DEFAULT-VALUE}).")
        String scale;
        @Option(names = "--rubric", defaultValue = "The answer states the correct result of the task.",
                description = "What a good answer does (default: ${DEFAULT-VALUE}).")
        String rubric;
        @Option(names = "--limit", defaultValue = "0", description = "Use only the first N pointwise and N pairwise items (0: all).")
        int limit;
        @Option(names = "--probe-tasks", defaultValue = "10", description = "Tasks each probe answer is judged on (default: ${DEFAULT-VALUE}).")
        int probeTasks;

        @Override
        public void run() {
            if ((judge == null) == (experiment == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --judge and --experiment");
            }
            List<GoldItem> items = limited(GoldSet.read(gold), limit);
            if (experiment != null) {
                runExperimentJudges(items);
                return;
            }
            Providers p = Providers.builder().config(providers == null ? ProvidersConfig.EMPTY : ProvidersConfig.load(providers)).build();
            ChatModel chat = p.chatModel(judge);
            JudgeModel model = JudgeModel.builder().model(chat).name(judge).price(p.deployment(judge).price()).nonceSeed(0).build();
            PointwiseJudge pointwise = PointwiseJudge.builder().model(model).rubric(rubric).scale(scale(scale)).build();
            PairwiseJudge pairwise = PairwiseJudge.builder().model(model).rubric(rubric).build();
            CalibrationReport report = Calibration.run(pointwise, pairwise, items, Probes.DEFAULT, probeTasks);
            spec.commandLine().getOut().print(report.toText());
            spec.commandLine().getOut().flush();
        }

        private void runExperimentJudges(List<GoldItem> items) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode all = m.createArrayNode();
            var out = spec.commandLine().getOut();
            int groupSize = ExperimentJudges.groupSize(experiment);
            for (RewardFunction j : ExperimentJudges.of(experiment)) {
                JudgeAgreement a = JudgeAgreement.measure(j, items, groupSize);
                if (json) all.add(a.toJson(m));
                else out.print(a.toText());
            }
            if (json) out.println(all.toPrettyString());
            out.flush();
        }

        static Scale scale(String name) {
            return switch (name) {
                case "binary" -> Scale.BINARY;
                case "1-5" -> Scale.ONE_TO_FIVE;
                case "1-10" -> Scale.ONE_TO_TEN;
                default -> throw new IllegalArgumentException("--scale must be binary, 1-5 or 1-10, got \"" + name + "\"");
            };
        }

        private static List<GoldItem> limited(List<GoldItem> items, int limit) {
            if (limit <= 0) return items;
            List<GoldItem> point = items.stream().filter(i -> !i.isPairwise()).limit(limit).toList();
            List<GoldItem> pair = items.stream().filter(GoldItem::isPairwise).limit(limit).toList();
            return java.util.stream.Stream.concat(point.stream(), pair.stream()).toList();
        }
    }
}
