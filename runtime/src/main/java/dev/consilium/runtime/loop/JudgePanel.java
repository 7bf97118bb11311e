package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkerSpec;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A round's judges (pointwise and group) as a worker spec, by their index among the run's judges. In the driver's JVM it
 * wraps the live judges (nothing is rebuilt or serialised); sent to executors it is the judges' {@link JudgeRecipe}s
 * (null where a judge is judged on the driver), rebuilt once per executor JVM and kept while the judges stay the
 * same: a refreshed judge is a new recipe, so a new panel, which supersedes the last one.
 */
final class JudgePanel implements WorkerSpec<JudgePanel.Worker> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** One unit: judge {@code judge}'s verdict on the item; back as JSON when it travels. */
    static final UnitFunction<Worker, Item, VerdictResult> EVALUATE =
            (w, u) -> new VerdictResult(w.judges().get(u.payload().judge()).evaluate(u.payload().judged()));

    /** One unit: group judge {@code judge}'s verdicts on the group's members, in their order; back as JSON when it travels. */
    static final UnitFunction<Worker, Group, VerdictsResult> EVALUATE_GROUP = (w, u) -> {
        GroupJudgeFunction judge = (GroupJudgeFunction) w.judges().get(u.payload().judge());
        return new VerdictsResult(judge.group().evaluate(u.payload().judged()));
    };

    /** What one group judge is asked about in one call: a task's transcripts (or a probe's group) side by side. */
    record Group(int judge, List<Item> members) implements Serializable {
        static Group of(int judge, List<JudgedItem> members) {
            return new Group(judge, members.stream().map(m -> Item.of(judge, m)).toList());
        }

        List<JudgedItem> judged() {
            return members.stream().map(Item::judged).toList();
        }
    }

    /** What one judge is asked about: the task, the transcript judged, the reference. */
    record Item(int judge, String task, String answer, String reference) implements Serializable {
        static Item of(int judge, JudgedItem item) {
            return new Item(judge, item.task(), item.answer(), item.reference());
        }

        JudgedItem judged() {
            return JudgedItem.of(task, answer, reference);
        }
    }

    /** The live judges by index (null where this panel holds none), and what to close with them. */
    record Worker(List<RewardFunction> judges, List<AutoCloseable> resources) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            for (AutoCloseable r : resources) r.close();
        }
    }

    private final ArrayList<JudgeRecipe> recipes;
    private final transient List<RewardFunction> live;

    private JudgePanel(List<JudgeRecipe> recipes, List<RewardFunction> live) {
        this.recipes = recipes == null ? null : new ArrayList<>(recipes);
        this.live = live;
    }

    /** The driver's own judges, used as they are. */
    static JudgePanel live(List<RewardFunction> judges) {
        return new JudgePanel(null, judges);
    }

    /** Judges rebuilt where the units run, from {@code recipes} (null entries: not sent). */
    static JudgePanel sent(List<JudgeRecipe> recipes) {
        return new JudgePanel(Objects.requireNonNull(recipes, "recipes"), null);
    }

    @Override
    public Worker build(SecretEnv secrets) {
        if (live != null) return new Worker(live, List.of());
        PluginRegistry plugins = PluginRegistry.load(Thread.currentThread().getContextClassLoader());
        List<RewardFunction> judges = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        for (JudgeRecipe r : recipes) {
            if (r == null) {
                judges.add(null);
                continue;
            }
            JudgeRecipe.Built b = r.build(secrets, plugins);
            judges.add(b.judge());
            resources.add(b.resources());
        }
        return new Worker(judges, resources);
    }

    /** A refreshed judge's panel replaces the last one on an executor. */
    @Override
    public boolean supersedes(WorkerSpec<?> other) {
        return other instanceof JudgePanel && !other.equals(this);
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        if (recipes == null) throw new NotSerializableException("a panel of the driver's live judges cannot leave its JVM; send recipes");
        out.defaultWriteObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JudgePanel p && (live != null ? live == p.live : Objects.equals(recipes, p.recipes));
    }

    @Override
    public int hashCode() {
        return live != null ? System.identityHashCode(live) : Objects.hashCode(recipes);
    }

    @Override
    public String toString() {
        return "JudgePanel" + (live != null ? "[live " + live.size() + "]" : recipes);
    }
}
