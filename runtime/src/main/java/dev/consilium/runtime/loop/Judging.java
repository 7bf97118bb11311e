package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.rewards.function.Compose;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.function.RewardFunctions;
import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.Prompts;
import dev.consilium.rewards.judge.Scale;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.demo.ArithmeticJudge;
import dev.langchain4j.model.chat.ChatModel;

import java.util.ArrayList;
import java.util.List;

/**
 * An experiment's judges and reward functions over a rollout: each judge's verdict on the transcript, each
 * reward function's on its final answer, and their weighted sum; with per-turn credit also that sum on the
 * transcript up to each turn, whose last answer is then the one judged.
 */
final class Judging {
    private static final ObjectMapper JSON = new ObjectMapper();
    // the arithmetic judge's reading of a 4-digit answer is about 60 tokens; a derailed 5-digit one needs more
    static final int JUDGE_TOKENS = 96;

    private final Experiment experiment;
    private final List<RewardFunction> judges;

    Judging(Experiment experiment, Providers providers) {
        this.experiment = experiment;
        this.judges = judges(experiment, providers);
    }

    /**
     * One judged rollout: each judge's verdict, each reward function's, and their weighted sum, on the whole
     * transcript; with per-turn credit, {@code turns} holds the weighted sum on the transcript up to each turn
     * (the last is {@code combined}), otherwise it is empty.
     */
    record Judged(List<Verdict> judges, List<Verdict> functions, Verdict combined, boolean exact, List<Verdict> turns) {
        ObjectNode record(String id) {
            ObjectNode o = JSON.createObjectNode().put("id", id).put("exact_match", exact);
            ArrayNode js = o.putArray("judges");
            for (Verdict v : judges) js.add(verdictJson(v));
            o.set("combined", verdictJson(combined));
            if (!turns.isEmpty()) {
                ArrayNode ts = o.putArray("turns");
                for (Verdict v : turns) ts.add(verdictJson(v));
            }
            return o;
        }
    }

    Judged judge(Trajectory t, Problem p) {
        int n = t.calls().size();
        Judged outcome = judge(p, Transcripts.of(t), t.output() == null ? "" : t.output());
        if (!experiment.perTurnCredit() || n == 0) return outcome;
        List<Verdict> turns = new ArrayList<>(n);
        for (int k = 0; k < n - 1; k++) {
            String said = t.calls().get(k).output();
            turns.add(judge(p, Transcripts.upTo(t, k + 1), said == null ? "" : said).combined());
        }
        turns.add(outcome.combined());
        return new Judged(outcome.judges(), outcome.functions(), outcome.combined(), outcome.exact(), turns);
    }

    /** The judges' and reward functions' verdicts on one transcript whose last answer is {@code finalAnswer}. */
    private Judged judge(Problem p, String transcript, String finalAnswer) {
        boolean exact = finalAnswer.strip().equals(p.answer());
        JudgedItem item = JudgedItem.of(p.question(), transcript, p.answer());
        List<Verdict> judgeVerdicts = new ArrayList<>();
        List<Compose.Weighted> terms = new ArrayList<>();
        for (int j = 0; j < judges.size(); j++) {
            Verdict v = judges.get(j).evaluate(item);
            judgeVerdicts.add(v);
            terms.add(Compose.term(fixed(judges.get(j).name(), v), weight(experiment.judges().get(j).weight())));
        }
        List<Verdict> fnVerdicts = new ArrayList<>();
        for (Experiment.RewardSpec r : experiment.rewards()) {
            Verdict v = RewardFunctions.exactMatch().evaluate(item.withAnswer(finalAnswer));
            fnVerdicts.add(v);
            terms.add(Compose.term(fixed("exact-match", v), weight(r.weight())));
        }
        return new Judged(judgeVerdicts, fnVerdicts, Compose.weightedSum(terms).evaluate(item), exact, List.of());
    }

    /** Share of rollouts where the first judge's verdict (score >= 0.5) agrees with exact match; NaN if none. */
    static double agreement(List<Judged> judged) {
        int n = 0, agree = 0;
        for (Judged j : judged) {
            if (j.judges().isEmpty() || !(j.judges().getFirst() instanceof Verdict.Score s)) continue;
            n++;
            if ((s.normalized() >= 0.5) == j.exact()) agree++;
        }
        return n == 0 ? Double.NaN : (double) agree / n;
    }

    private static double weight(Double w) {
        return w == null ? 1.0 : w;
    }

    private static RewardFunction fixed(String name, Verdict v) {
        return new RewardFunction() {
            @Override public String name() { return name; }
            @Override public Verdict evaluate(JudgedItem item) { return v; }
        };
    }

    static List<RewardFunction> judges(Experiment experiment, Providers providers) {
        List<RewardFunction> out = new ArrayList<>();
        for (int j = 0; j < experiment.judges().size(); j++) {
            Experiment.JudgeSpec s = experiment.judges().get(j);
            String prompt = s.prompt() == null ? "arithmetic-judge" : s.prompt();
            out.add(switch (prompt) {
                case "arithmetic-judge" -> ArithmeticJudge.over(greedy(providers.chatModel(s.model())), s.model(), experiment.seed() + j);
                case "pointwise" -> PointwiseJudge.builder()
                        .model(JudgeModel.builder().model(greedy(providers.chatModel(s.model()))).name(s.model()).nonceSeed(experiment.seed() + j).build())
                        .rubric(ArithmeticJudge.RUBRIC).scale(Scale.BINARY).prompt(Prompts.POINTWISE).build();
                default -> throw new IllegalArgumentException("judges[" + j + "].prompt: unknown prompt \"" + prompt
                        + "\"; known: arithmetic-judge, pointwise");
            });
        }
        return out;
    }

    /** Judges decide, they do not sample: temperature 0, a bounded verdict length. */
    static ChatModel greedy(ChatModel model) {
        return new GreedyChatModel(model, JUDGE_TOKENS);
    }

    static ObjectNode verdictJson(Verdict v) {
        ObjectNode o = JSON.createObjectNode().put("judge", v.provenance().judge());
        switch (v) {
            case Verdict.Score s -> o.put("type", "score").put("value", s.value()).put("normalized", s.normalized())
                    .put("rationale", s.rationale()).put("raw", s.provenance().rawOutput());
            case Verdict.Abstain a -> o.put("type", "abstain").put("reason", a.reason().name()).put("detail", a.detail())
                    .put("raw", a.provenance().rawOutput());
        }
        return o;
    }

}
