package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.trajectory.Message;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.consilium.moe.train.policy.Rollout;
import dev.consilium.moe.train.policy.TokenPreferencePair;
import dev.consilium.rewards.advantage.GroupCredit;
import dev.consilium.rewards.advantage.PreferencePair;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.loop.Judging.Judged;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a round trains on, in tokens: every policy turn as a sample with its credited reward and advantage, and
 * per task a preference pair of first turns (best against worst) where the group offers one; plus the pairs
 * as the preferences journal keeps them, and the temperature the turns were sampled at.
 */
record TrainingBatch(List<Rollout> samples, List<TokenPreferencePair> pairs, List<ObjectNode> preferences, double temperature) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TrainingBatch of(Rollouts rollouts, Judgments judgments, RoundCredit credit, double pairMargin, ChatTemplate template,
                            double temperature) {
        List<Rollout> samples = new ArrayList<>();
        List<TokenPreferencePair> pairs = new ArrayList<>();
        List<ObjectNode> journal = new ArrayList<>();
        int g = rollouts.groupSize();
        for (int t = 0; t < rollouts.tasks().size(); t++) {
            List<Trajectory> group = rollouts.group(t);
            GroupCredit c = credit.groups().get(t);
            for (int i = 0; i < g; i++) {
                List<ModelCall> calls = group.get(i).calls();
                for (int k = 0; k < calls.size(); k++) {
                    Rollout r = sample(calls.get(k), template, c.reward()[i][k], c.advantage()[i][k]);
                    if (r != null) samples.add(r);
                }
            }
            // Pairs contrast first turns (asked the same prompt in every rollout), so with per-turn credit they are
            // ranked by the first turn's own verdict.
            List<Judged> judged = judgments.group(t, g);
            List<Verdict> firstTurns = judged.stream()
                    .map(j -> credit.perTurn() && !j.turns().isEmpty() ? j.turns().getFirst() : j.combined()).toList();
            List<String> firstAnswers = group.stream().map(r -> r.calls().isEmpty() ? null : r.calls().getFirst().output()).toList();
            Optional<PreferencePair.Choice> choice = PreferencePair.choose(firstAnswers, firstTurns, pairMargin);
            if (choice.isEmpty()) continue;
            ModelCall chosen = group.get(choice.get().chosen()).calls().getFirst();
            ModelCall rejected = group.get(choice.get().rejected()).calls().getFirst();
            TaskRecord task = rollouts.tasks().get(t);
            journal.add(JSON.createObjectNode().put("id", "r" + rollouts.round() + "/" + task.id()).put("prompt", task.input())
                    .put("chosen", chosen.output()).put("rejected", rejected.output()).put("margin", choice.get().margin()));
            Rollout a = sample(chosen, template, 1, 1), b = sample(rejected, template, 0, -1);
            if (a != null && b != null) pairs.add(new TokenPreferencePair(a.prompt(), a.completion(), b.completion()));
        }
        return new TrainingBatch(samples, pairs, journal, temperature);
    }

    /**
     * The samples with {@code logProbs} (one array per sample, in order; null entries or a null list: none) as their
     * sampling log-probs, GRPO's pi_old.
     */
    TrainingBatch withSamplingLogProbs(List<float[]> logProbs) {
        List<Rollout> out = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) out.add(samples.get(i).withLogProbs(logProbs == null ? null : logProbs.get(i)));
        return new TrainingBatch(out, pairs, preferences, temperature);
    }

    /**
     * A policy turn as a training sample: the prompt exactly as the template renders the recorded messages, and the
     * log-probs the model reported while sampling it (its own distribution's, at temperature 1).
     */
    static Rollout sample(ModelCall c, ChatTemplate template, double reward, double advantage) {
        if (c.failed() || c.tokens().isEmpty()) return null;
        List<TemplateMessage> messages = new ArrayList<>();
        for (Message msg : c.messages()) {
            switch (msg.role()) {
                case "system" -> messages.add(TemplateMessage.system(msg.content()));
                case "user" -> messages.add(TemplateMessage.user(msg.content()));
                case "assistant" -> messages.add(TemplateMessage.assistant(msg.content()));
                default -> { return null; }
            }
        }
        int[] completion = new int[c.tokens().size()];
        float[] logProbs = new float[completion.length];
        for (int i = 0; i < completion.length; i++) {
            completion[i] = c.tokens().get(i).id();
            logProbs[i] = (float) c.tokens().get(i).logprob();
        }
        return Rollout.builder(template.prompt(messages), completion).logProbs(logProbs).reward(reward).advantage(advantage).build();
    }
}
