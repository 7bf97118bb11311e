package dev.consilium.runtime.loop;

import dev.consilium.rewards.calibration.GoldItem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Judge refresh during a run: between rounds, the built-in judge at index {@code judge} of the run's judges is
 * fine-tuned by {@code trainer} on {@code goldPerRefresh} items drawn from {@code gold} and on the round's rollouts
 * labelled by the run's answer check against the tasks' references, so that its agreement with the truth holds as
 * the policy's outputs move. It happens every {@code every} rounds (0: never on a schedule) and, with the alarm's
 * action {@link Alarm.Action#REFRESH}, in every round whose alarm fires. {@code heldBack} of the refresh's items are
 * not trained on: the judge's agreement on them before and after is journaled.
 *
 * <p>The refreshed judge is a checkpoint in the run directory ({@code judges/round-NNNN}, written atomically), the
 * judge of every later round, and of a resumed run: the judge is rebuilt from a checkpoint path with {@code prompt},
 * named {@code name}, its fences seeded by {@code nonceSeed}, as the run built it at first.
 *
 * <p>The gold probes measure the judge, so the judge never trains on them: {@link #without} drops every item whose task
 * is a probe's (the builder does so), and an experiment file whose refresh names no gold set of its own splits the
 * probes' set by task ({@link GoldProbes#splitByTask}).
 */
public record JudgeRefresh(int judge, Path checkpoint, JudgePrompt prompt, String name, long nonceSeed, TrainableJudge trainer,
                           int every, TrainableJudge.Options options, List<GoldItem> gold, int goldPerRefresh, int heldBack) {

    public JudgeRefresh {
        if (judge < 0) throw new IllegalArgumentException("\"judge_refresh.judge\" must be >= 0, was " + judge);
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (!Files.isRegularFile(checkpoint.resolve("config.json"))) {
            throw new IllegalArgumentException("\"judge_refresh\": the judge's checkpoint " + checkpoint + " holds no config.json; "
                    + "only a built-in judge (a checkpoint directory) can be refreshed");
        }
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(options, "options");
        requireAtLeast(every, 0, "every");
        gold = gold == null ? List.of() : gold.stream().filter(g -> !g.isPairwise() && g.reference() != null).toList();
        requireAtLeast(goldPerRefresh, 0, "gold_per_refresh");
        requireAtLeast(heldBack, 1, "held_back");
    }

    /** The defaults of an experiment file's {@code judge_refresh} and of {@link #builder()}. */
    static final TrainableJudge.Options DEFAULT_OPTIONS = new TrainableJudge.Options(40, 3e-4, 8);
    static final int DEFAULT_GOLD_PER_REFRESH = 64, DEFAULT_HELD_BACK = 32;

    private static void requireAtLeast(int value, int min, String key) {
        if (value < min) throw new IllegalArgumentException("\"judge_refresh." + key + "\" must be >= " + min + ", was " + value);
    }

    /** Steps 40, lr 3e-4, 8 sequences a step; 64 gold items and 32 held back a refresh. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether round {@code round} refreshes: on the schedule, or because its alarm fired with action refresh. */
    boolean due(int round, boolean alarmRefreshes) {
        return alarmRefreshes || (every > 0 && round % every == 0);
    }

    /** This refresh without the gold items whose task is one of {@code probes}' (the judge is measured there). */
    JudgeRefresh without(List<GoldItem> probes) {
        Set<String> tasks = new HashSet<>();
        for (GoldItem p : probes) tasks.add(p.task());
        return new JudgeRefresh(judge, checkpoint, prompt, name, nonceSeed, trainer, every, options,
                gold.stream().filter(g -> !tasks.contains(g.task())).toList(), goldPerRefresh, heldBack);
    }

    /** An experiment file's {@code judge_refresh} values checked alone (a judge index among {@code judges} of them). */
    static void check(Experiment.JudgeRefreshSpec s, int judges) {
        int judge = s.judge() == null ? 0 : s.judge();
        if (judges == 0) throw new IllegalArgumentException("\"judge_refresh\": refreshes a judge; give a built-in one in \"judges\"");
        if (judge < 0 || judge >= judges) {
            throw new IllegalArgumentException("\"judge_refresh.judge\" must name one of the " + judges + " judges (0 to "
                    + (judges - 1) + "), was " + judge);
        }
        if (s.every() != null) requireAtLeast(s.every(), 0, "every");
        options(s);
        if (s.goldPerRefresh() != null) requireAtLeast(s.goldPerRefresh(), 0, "gold_per_refresh");
        if (s.heldBack() != null) requireAtLeast(s.heldBack(), 1, "held_back");
    }

    static TrainableJudge.Options options(Experiment.JudgeRefreshSpec s) {
        TrainableJudge.Options d = DEFAULT_OPTIONS;
        return new TrainableJudge.Options(s.steps() == null ? d.steps() : s.steps(), s.lr() == null ? d.lr() : s.lr(),
                s.batchSize() == null ? d.batchSize() : s.batchSize());
    }

    public static final class Builder {
        private int judge, every, goldPerRefresh = DEFAULT_GOLD_PER_REFRESH, heldBack = DEFAULT_HELD_BACK;
        private Path checkpoint;
        private JudgePrompt prompt;
        private String name;
        private long nonceSeed;
        private TrainableJudge trainer;
        private TrainableJudge.Options options = DEFAULT_OPTIONS;
        private List<GoldItem> gold = List.of();

        private Builder() {}

        /** Which of the run's judges (in the order they were added) is refreshed; 0 by default. */
        public Builder judge(int v) { judge = v; return this; }
        /** The judge's starting checkpoint directory: the one its judge was built over. */
        public Builder checkpoint(Path v) { checkpoint = v; return this; }
        /** How the judge is asked, to rebuild it over a refreshed checkpoint, as {@code name} with fences from {@code nonceSeed}. */
        public Builder prompt(JudgePrompt v, String name, long nonceSeed) { prompt = v; this.name = name; this.nonceSeed = nonceSeed; return this; }
        public Builder trainer(TrainableJudge v) { trainer = v; return this; }
        /** Refresh after every {@code v}-th round; 0 (default): only when the alarm with action refresh fires. */
        public Builder every(int v) { every = v; return this; }
        public Builder options(TrainableJudge.Options v) { options = v; return this; }
        /** Gold-labelled items to draw {@code perRefresh} of each refresh. */
        public Builder gold(List<GoldItem> v, int perRefresh) { gold = v; goldPerRefresh = perRefresh; return this; }
        /** Items of each refresh kept out of its training to measure the judge before and after. */
        public Builder heldBack(int v) { heldBack = v; return this; }

        public JudgeRefresh build() {
            return new JudgeRefresh(judge, checkpoint, prompt, name, nonceSeed, trainer, every, options, gold, goldPerRefresh, heldBack);
        }
    }
}
