package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.RecordingChatModel;
import dev.consilium.agents.Run;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;

import java.util.List;
import java.util.Objects;

/**
 * A model picks which node acts next, step after step, until it answers {@value #FINISH} or {@code maxSteps}
 * nodes have acted: the hard cap that keeps a confused router from looping forever. The answer is the last
 * node's turn (the router's own reply if it finished before any acted). A reply naming no node is an error
 * that quotes it.
 */
public record Router(String name, ChatModel model, List<Workflow> routes, int maxSteps) implements Workflow {

    public static final String FINISH = "FINISH";

    public Router {
        model = RecordingChatModel.wrap(Objects.requireNonNull(model, "model"));
        routes = Workflows.requireNodes("router", routes);
        if (maxSteps < 1) throw new IllegalArgumentException("router '" + name + "': maxSteps must be >= 1, got " + maxSteps);
    }

    public Router named(String name) {
        return new Router(name, model, routes, maxSteps);
    }

    public Router maxSteps(int steps) {
        return new Router(name, model, routes, steps);
    }

    @Override
    public Turn respond(Conversation conversation) {
        SystemMessage system = SystemMessage.from(systemPrompt());
        List<String> segments = Run.segments(routes);
        Conversation c = conversation;
        Turn last = null;
        for (int step = 1; step <= maxSteps; step++) {
            String reply = model.chat(ChatRequest.builder().messages(system, UserMessage.from(transcript(c))).build())
                    .aiMessage().text();
            int chosen = choose(reply, segments, step);
            if (chosen < 0) return last != null ? last : Turn.of(name, reply == null ? "" : reply);
            last = Run.step(routes.get(chosen), "step-" + step + "/" + segments.get(chosen), c, true);
            c = c.with(last);
        }
        return last;
    }

    private String systemPrompt() {
        StringBuilder sb = new StringBuilder("You coordinate agents working on a task. The agents:\n");
        for (Workflow w : routes) sb.append("- ").append(w.name()).append(": ").append(w.description()).append('\n');
        return sb.append("Reply with only the name of the agent that should act next, or ").append(FINISH)
                .append(" when the latest answer completes the task.").toString();
    }

    private static String transcript(Conversation c) {
        StringBuilder sb = new StringBuilder("Task: ").append(c.task().input());
        if (c.turns().isEmpty()) return sb.append("\n\nNo agent has acted yet.").toString();
        sb.append("\n\nSo far:");
        for (Turn t : c.turns()) sb.append("\n\n").append(t.isInstruction() ? "note" : t.agent()).append(": ").append(t.text());
        return sb.toString();
    }

    /** The route the reply names, or -1 for FINISH; names compare without case, quotes or a final period. */
    private int choose(String reply, List<String> segments, int step) {
        String r = reply == null ? "" : reply.strip().replaceAll("^[\"'`*]+|[\"'`*.]+$", "").strip();
        if (r.equalsIgnoreCase(FINISH)) return -1;
        for (int i = 0; i < routes.size(); i++) {
            if (r.equalsIgnoreCase(routes.get(i).name()) || r.equalsIgnoreCase(segments.get(i))) return i;
        }
        throw new IllegalStateException("router '" + name + "' step " + step + ": the model answered \""
                + (reply == null ? "" : reply.length() > 100 ? reply.substring(0, 100) + "..." : reply)
                + "\", which is neither " + FINISH + " nor one of " + segments);
    }
}
