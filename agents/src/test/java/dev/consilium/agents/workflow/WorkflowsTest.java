package dev.consilium.agents.workflow;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.WorkflowException;
import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.Message;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per pattern on scripted models; each checks the answer, the step paths and the JSON round trip. */
class WorkflowsTest {

    static Agent agent(String name, ChatModel model) {
        return Agent.builder().name(name).model(model).build();
    }

    static Agent says(String name, String text) {
        return agent(name, ScriptedChatModel.constant(text));
    }

    static List<String> paths(Trajectory t) {
        return t.calls().stream().map(ModelCall::path).toList();
    }

    static Trajectory roundTrips(Trajectory t) {
        assertEquals(t, Trajectory.fromJson(t.toJson()));
        return t;
    }

    @Test
    void sequence() {
        Trajectory t = roundTrips(Workflows.sequence(says("draft", "41"), says("fix", "42")).run(Task.of("17 + 25?")));
        assertEquals("42", t.output());
        assertEquals(List.of("sequence/draft", "sequence/fix"), paths(t));
        assertEquals(Message.of("user", "draft: 41"), t.calls().get(1).messages().getLast());
    }

    @Test
    void parallelWithACombinerThatSeesEveryBranch() {
        Agent combiner = agent("combiner", ScriptedChatModel.of(r -> "saw " + r.messages().size() + " messages"));
        Trajectory t = roundTrips(Workflows.parallel(says("a", "1"), says("b", "2")).combiner(combiner).run(Task.of("q")));
        assertEquals("saw 3 messages", t.output());
        assertEquals(List.of("parallel/a", "parallel/b", "parallel/combiner"), paths(t).stream().sorted().toList());
    }

    @Test
    void parallelWithoutACombinerListsTheBranches() {
        Trajectory t = Workflows.parallel(says("x", "1"), says("x", "2")).run(Task.of("q"));
        assertEquals("x-1: 1\n\nx-2: 2", t.output());
    }

    @Test
    void loopStopsWhenTheCriticAccepts() {
        AtomicInteger drafts = new AtomicInteger();
        Agent reviser = agent("reviser", ScriptedChatModel.of(r -> String.valueOf(40 + drafts.incrementAndGet())));
        Agent critic = agent("critic", ScriptedChatModel.of(r -> ScriptedChatModel.lastUser(r).endsWith("42") ? "correct" : "too low"));
        Trajectory t = roundTrips(Workflows.loop(reviser, critic).until(turn -> turn.text().contains("correct"))
                .maxRounds(5).run(Task.of("17 + 25?")));
        assertEquals("42", t.output());
        assertEquals(List.of("loop/round-1/reviser", "loop/round-1/critic", "loop/round-2/reviser", "loop/round-2/critic"), paths(t));
        List<Message> secondDraft = t.calls().get(2).messages();
        assertEquals(List.of(Message.of("user", "17 + 25?"), Message.of("assistant", "41"), Message.of("user", "critic: too low")), secondDraft);
    }

    @Test
    void loopStopsAtMaxRounds() {
        Trajectory t = Workflows.loop(says("reviser", "41"), says("critic", "no")).maxRounds(2).run(Task.of("q"));
        assertEquals(4, t.calls().size());
        assertEquals("41", t.output());
    }

    @Test
    void debateShowsEachDebaterTheOthersPreviousAnswers() {
        Agent a = agent("a", ScriptedChatModel.of(r -> r.messages().size() == 1 ? "41" : "42"));
        Agent b = says("b", "42");
        Agent judge = agent("judge", ScriptedChatModel.of(r -> ScriptedChatModel.lastUser(r).contains("One agent's answer: 42\n\nOne agent's answer: 42") ? "42" : "?"));
        Trajectory t = roundTrips(Workflows.debate(List.of(a, b), 2, judge).run(Task.of("17 + 25?")));

        assertEquals("42", t.output());
        List<String> paths = new ArrayList<>(paths(t));
        Collections.sort(paths);
        assertEquals(List.of("debate/aggregate/judge", "debate/round-1/a", "debate/round-1/b", "debate/round-2/a", "debate/round-2/b"), paths);
        ModelCall aRound2 = t.calls().stream().filter(c -> c.path().equals("debate/round-2/a")).findFirst().orElseThrow();
        assertEquals(Message.of("assistant", "41"), aRound2.messages().get(1));
        assertTrue(aRound2.messages().get(2).content().contains("One agent's answer: 42"));
        assertTrue(aRound2.messages().get(2).content().contains("give an updated answer"));
    }

    @Test
    void voteTakesTheMajority() {
        AtomicInteger n = new AtomicInteger();
        Agent sampler = agent("solver", ScriptedChatModel.of(r -> n.incrementAndGet() % 3 == 0 ? "41" : "42."));
        Trajectory t = roundTrips(Workflows.vote(sampler, 5, VoteStrategy.majority()).run(Task.of("q")));
        assertEquals("42.", t.output());
        assertEquals(5, t.calls().size());
        assertTrue(paths(t).contains("vote/sample-5/solver"));
    }

    @Test
    void voteWithAScorerTakesTheHighest() {
        AtomicInteger n = new AtomicInteger();
        Agent sampler = agent("solver", ScriptedChatModel.of(r -> "x".repeat(n.incrementAndGet())));
        Turn best = VoteStrategy.highest(turn -> turn.text().length()).pick(List.of(Turn.of("s", "ab"), Turn.of("s", "abc"), Turn.of("s", "a")));
        assertEquals("abc", best.text());
        assertEquals(3, Workflows.vote(sampler, 3, VoteStrategy.highest(turn -> turn.text().length())).run(Task.of("q")).output().length());
    }

    @Test
    void routerFollowsTheModelUntilFinish() {
        AtomicInteger step = new AtomicInteger();
        ChatModel routing = ScriptedChatModel.of(r -> switch (step.incrementAndGet()) {
            case 1 -> "solver";
            case 2 -> "\"Critic.\"";
            default -> "FINISH";
        });
        Trajectory t = roundTrips(Workflows.router(routing, says("solver", "42"), says("critic", "correct")).run(Task.of("q")));
        assertEquals("correct", t.output());
        assertEquals(List.of("router", "router/step-1/solver", "router", "router/step-2/critic", "router"), paths(t));
        assertEquals("router", t.calls().getFirst().agent());
        assertTrue(t.calls().get(2).messages().get(1).content().contains("solver: 42"));
    }

    @Test
    void routerStopsAtItsStepCap() {
        Trajectory t = Workflows.router(ScriptedChatModel.constant("solver"), says("solver", "42")).maxSteps(3).run(Task.of("q"));
        assertEquals(6, t.calls().size());
        assertEquals("42", t.output());
    }

    @Test
    void routerNamingNoAgentFailsQuotingTheReply() {
        WorkflowException e = assertThrows(WorkflowException.class,
                () -> Workflows.router(ScriptedChatModel.constant("the wizard"), says("solver", "42")).run(Task.of("q")));
        assertTrue(e.getMessage().contains("the model answered \"the wizard\""), e.getMessage());
        assertEquals("router", e.agent());
    }

    @Test
    void nestedWorkflowsComposeTheirPaths() {
        Workflow inner = Workflows.sequence(says("a", "1"), says("b", "2")).named("inner");
        Trajectory t = Workflows.sequence(inner, says("c", "3")).named("outer").run(Task.of("q"));
        assertEquals(List.of("outer/inner/a", "outer/inner/b", "outer/c"), paths(t));
    }

    @Test
    void mapHandsOnEveryDebateWithAllItsCallsOrThrowsTheErrorThatEndedOne() {
        // The 10,000-debate bench lost debates this way: out of file descriptors, an error path's class could not
        // load, and the NoClassDefFoundError left a branch without a turn and its run without a trajectory.
        Agent debater = agent("alice", ScriptedChatModel.of(r -> {
            if (ScriptedChatModel.lastUser(r).equals("q13")) throw new NoClassDefFoundError("dev/example/Missing");
            return "42";
        }));
        Workflow debate = Workflows.debate(List.of(debater, debater.toBuilder().name("bob").build()), 2, says("judge", "42"));
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) tasks.add(Task.of("d" + i, "q" + i));
        List<Trajectory> seen = new ArrayList<>();

        NoClassDefFoundError e = assertThrows(NoClassDefFoundError.class,
                () -> Workflows.map(debate, tasks).concurrency(8).forEach(seen::add));

        assertEquals("dev/example/Missing", e.getMessage());
        assertTrue(seen.size() < tasks.size(), "the debate that failed was not handed on");
        for (Trajectory t : seen) {
            assertTrue(t.completed(), t.task().id());
            assertEquals(5, t.calls().size(), t.task().id());
        }
    }

    @Test
    void mapRunsEveryTaskBoundedAndReportsProgressAndFailures() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Agent echo = agent("echo", ScriptedChatModel.of(r -> {
            int now = inFlight.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            Thread.yield();
            inFlight.decrementAndGet();
            if (ScriptedChatModel.lastUser(r).equals("bad")) throw new IllegalStateException("boom");
            return ScriptedChatModel.lastUser(r);
        }));
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) tasks.add(Task.of("t" + i, i == 7 ? "bad" : "task " + i));
        List<Progress> progress = new ArrayList<>();

        List<Trajectory> out = Workflows.map(echo, tasks).concurrency(4).onProgress(progress::add).run();

        assertEquals(50, out.size());
        for (int i = 0; i < 50; i++) assertEquals("t" + i, out.get(i).task().id());
        assertEquals("task 3", out.get(3).output());
        assertEquals(Trajectory.FAILED, out.get(7).status());
        assertTrue(peak.get() <= 4, "peak " + peak.get());
        assertEquals(new Progress(50, 1, 50), progress.getLast());
    }
}
