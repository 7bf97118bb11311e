package dev.consilium.agents.workflow;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Workflow;
import dev.langchain4j.model.chat.ChatModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a {@link WorkflowSpec} into a workflow whose agents all use one model (an experiment's policy).
 * The standard types:
 * <ul>
 *   <li>{@code single} {role}: one agent, {@code solver}.</li>
 *   <li>{@code solver-critic-reviser} {rounds = 1}: the solver answers, then {@code rounds} times the critic
 *       reviews and the reviser revises.</li>
 *   <li>{@code debate} {agents = 2, rounds = 2}: {@link Debate} among {@code debater-1..n}, then {@code aggregator}.</li>
 *   <li>{@code vote} {n = 5}: {@link Vote} of the solver by {@link VoteStrategy#majority()}.</li>
 * </ul>
 * Unknown types and parameters are errors that list the known ones. {@link #with} registers more.
 */
public final class WorkflowFactory {

    /** Builds one type of workflow from its spec and the model its agents use. */
    @FunctionalInterface
    public interface Maker {
        Workflow make(WorkflowSpec spec, ChatModel model);
    }

    private record Entry(Set<String> params, Maker maker) {}

    static final String SOLVER = "You solve the task. Think briefly, then give the answer.";
    static final String CRITIC = "You check the latest answer to the task. Say 'correct' if it is right, else say what is wrong.";
    static final String REVISER = "You revise the latest answer to the task using the critique. Give the corrected answer.";
    static final String AGGREGATOR = "You read the debaters' final answers and give the single best answer.";

    private final Map<String, Entry> types;

    private WorkflowFactory(Map<String, Entry> types) {
        this.types = Map.copyOf(types);
    }

    public static WorkflowFactory standard() {
        Map<String, Entry> t = new LinkedHashMap<>();
        t.put("single", new Entry(Set.of("role"), (s, m) -> agent("solver", s.stringParam("role", SOLVER), m)));
        t.put("solver-critic-reviser", new Entry(Set.of("rounds"), (s, m) -> {
            List<Workflow> steps = new ArrayList<>();
            steps.add(agent("solver", SOLVER, m));
            for (int r = 0; r < s.intParam("rounds", 1); r++) {
                steps.add(agent("critic", CRITIC, m));
                steps.add(agent("reviser", REVISER, m));
            }
            return new Sequence(s.type(), steps);
        }));
        t.put("debate", new Entry(Set.of("agents", "rounds"), (s, m) -> {
            List<Workflow> debaters = new ArrayList<>();
            for (int i = 1; i <= s.intParam("agents", 2); i++) debaters.add(agent("debater-" + i, SOLVER, m));
            return Workflows.debate(debaters, s.intParam("rounds", 2), agent("aggregator", AGGREGATOR, m));
        }));
        t.put("vote", new Entry(Set.of("n"), (s, m) ->
                Workflows.vote(agent("solver", SOLVER, m), s.intParam("n", 5), VoteStrategy.majority())));
        return new WorkflowFactory(t);
    }

    /** This factory plus {@code type}, which accepts the parameters {@code params}. */
    public WorkflowFactory with(String type, Set<String> params, Maker maker) {
        Map<String, Entry> t = new LinkedHashMap<>(types);
        t.put(type, new Entry(Set.copyOf(params), maker));
        return new WorkflowFactory(t);
    }

    public Workflow create(WorkflowSpec spec, ChatModel model) {
        Entry e = types.get(spec.type());
        if (e == null) {
            throw new IllegalArgumentException("workflow spec: unknown type \"" + spec.type() + "\"; known: " + new TreeSet<>(types.keySet()));
        }
        for (String p : spec.params().keySet()) {
            if (!e.params().contains(p)) {
                throw new IllegalArgumentException("workflow spec \"" + spec.type() + "\": unknown parameter \"" + p
                        + "\"; it takes " + new TreeSet<>(e.params()));
            }
        }
        return e.maker().make(spec, model);
    }

    public Set<String> types() {
        return new TreeSet<>(types.keySet());
    }

    private static Agent agent(String name, String role, ChatModel model) {
        return Agent.builder().name(name).role(role).model(model).build();
    }
}
