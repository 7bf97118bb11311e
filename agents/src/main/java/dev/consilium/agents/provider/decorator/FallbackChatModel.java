package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * Tries a group's deployments in order until one answers, skipping those whose {@link CircuitBreaker} is open.
 * A failure that is the caller's own ({@link Failures#isCallerFault}: an invalid request, a spent budget) is
 * thrown at once, since another deployment would refuse it too. Each member is normally already wrapped in its
 * own retry decorator, so a member counts as failed only once its retries are spent.
 */
public final class FallbackChatModel extends ForwardingChatModel {

    /** One deployment of the group: its name for messages, its (decorated) model and its breaker. */
    public record Member(String name, ChatModel model, CircuitBreaker breaker) {}

    private final List<Member> members;

    /** @param members in the order they are tried; the first one's defaults are the group's defaults */
    public FallbackChatModel(List<Member> members) {
        super(first(members));
        this.members = List.copyOf(members);
    }

    private static ChatModel first(List<Member> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("a fallback group needs at least one deployment");
        return members.getFirst().model();
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        List<String> reasons = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (Member m : members) {
            if (!m.breaker().tryAcquire()) {
                reasons.add(m.name() + ": circuit open until " + m.breaker().reopensAt());
                continue;
            }
            try {
                ChatResponse response = m.model().chat(request, options);
                m.breaker().onSuccess();
                return response;
            } catch (RuntimeException e) {
                if (Failures.isCallerFault(e)) {
                    m.breaker().release();
                    throw e;
                }
                m.breaker().onFailure();
                failures.add(e);
                reasons.add(m.name() + ": " + Failures.describe(e));
            }
        }
        var exhausted = new FallbackExhaustedException("no deployment of the fallback group answered ("
                + String.join("; ", reasons) + ")");
        failures.forEach(exhausted::addSuppressed);
        throw exhausted;
    }
}
