package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Models;
import dev.consilium.agents.RunOptions;
import dev.consilium.agents.Task;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;
import dev.langchain4j.model.chat.ChatModel;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The ways to compose workflows. Every result is itself a {@link Workflow}, so they nest; each is immutable, and
 * its fluent options ({@code named}, {@code until}, {@code maxRounds}, ...) return a new one.
 * <pre>{@code
 * Workflow review = Workflows.loop(solver, critic)
 *         .until(turn -> turn.text().contains("correct"))
 *         .maxRounds(3);
 * Trajectory t = review.run(Task.of("What is 17 + 25?"));
 * }</pre>
 */
public final class Workflows {

    private Workflows() {}

    /** {@code steps} one after another; the last one's turn is the answer. */
    public static Sequence sequence(Workflow... steps) {
        return new Sequence("sequence", List.of(steps));
    }

    /** {@code branches} at once on the same input; add a {@link Parallel#combiner} to merge their turns. */
    public static Parallel parallel(Workflow... branches) {
        return new Parallel("parallel", List.of(branches), null);
    }

    /** The reviser answers and the critic reviews, until {@link Loop#until} accepts a critique; 3 rounds at most. */
    public static Loop loop(Workflow reviser, Workflow critic) {
        return new Loop("loop", reviser, critic, turn -> false, 3);
    }

    /** {@code debaters} answer, then revise on seeing each other's answers for {@code rounds} rounds in all. */
    public static Debate debate(List<? extends Workflow> debaters, int rounds, Workflow aggregator) {
        return new Debate("debate", List.copyOf(debaters), rounds, aggregator);
    }

    /** {@code n} samples of {@code voter}, one picked by {@code strategy}. */
    public static Vote vote(Workflow voter, int n, VoteStrategy strategy) {
        return new Vote("vote", voter, n, strategy);
    }

    /** {@code model} picks which of {@code routes} acts next, until it says FINISH; 8 steps at most. */
    public static Router router(ChatModel model, Workflow... routes) {
        return new Router("router", model, List.of(routes), 8);
    }

    /** A router whose model is a model ref resolved through {@link Models}. */
    public static Router router(String modelRef, Workflow... routes) {
        return router(Models.chatModel(modelRef), routes);
    }

    /** A node that runs code on the conversation and answers with the text it returns. */
    public static Step step(String name, Function<Conversation, String> body) {
        return new Step(name, body);
    }

    /** {@code workflow} over every task, 16 at a time by default. */
    public static MapRun map(Workflow workflow, Iterable<Task> tasks) {
        return new MapRun(workflow, tasks, 16, RunOptions.DEFAULT, null);
    }

    /** The last turn's text of a conversation, or the task's input when there is none; handy in steps. */
    public static String lastText(Conversation c) {
        List<Turn> turns = c.turns();
        return turns.isEmpty() ? c.task().input() : turns.getLast().text();
    }

    static List<Workflow> requireNodes(String kind, List<Workflow> nodes) {
        Objects.requireNonNull(nodes, kind);
        if (nodes.isEmpty()) throw new IllegalArgumentException(kind + ": needs at least one node");
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) == null) throw new IllegalArgumentException(kind + ": node " + i + " is null");
        }
        return List.copyOf(nodes);
    }
}
