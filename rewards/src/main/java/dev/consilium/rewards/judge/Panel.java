package dev.consilium.rewards.judge;

import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Several judges (typically different models) on the same item, asked concurrently on virtual threads and
 * pooled by vote or mean on the common [0, 1] scale; members that abstain are left out and counted.
 */
public final class Panel implements Judge {

    private final List<Judge> members;
    private final Pooling pooling;
    private final String name;

    private Panel(Pooling pooling, List<Judge> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("a panel needs at least one judge");
        this.members = List.copyOf(members);
        this.pooling = pooling;
        this.name = members.stream().map(Judge::name)
                .collect(Collectors.joining(", ", "panel(" + pooling.name().toLowerCase(Locale.ROOT) + ": ", ")"));
    }

    public static Panel of(Pooling pooling, List<Judge> members) {
        return new Panel(pooling, members);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verdict evaluate(JudgedItem item) {
        List<Verdict> verdicts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Verdict>> running = new ArrayList<>();
            for (Judge j : members) running.add(pool.submit(() -> j.evaluate(item)));
            for (Future<Verdict> f : running) verdicts.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("panel " + name + " interrupted", e);
        } catch (ExecutionException e) {
            // Members never throw (they abstain); reaching here is a bug in a member, not a judgment.
            throw new IllegalStateException("panel member failed: " + e.getCause(), e.getCause());
        }
        return pooling.pool(verdicts, true, Distribution.Source.POOLED, java.util.Set.of(), name, "");
    }
}
