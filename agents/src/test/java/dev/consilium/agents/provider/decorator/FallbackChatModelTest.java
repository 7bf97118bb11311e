package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.consilium.agents.provider.testing.ManualClock;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FallbackChatModelTest {

    private final ManualClock clock = new ManualClock();
    private final FakeChatModel first = new FakeChatModel();
    private final FakeChatModel second = new FakeChatModel().then(FakeChatModel.reply("from second"));
    private final CircuitBreaker firstBreaker = new CircuitBreaker(1, Duration.ofSeconds(30), clock);
    private final FallbackChatModel group = new FallbackChatModel(List.of(
            new FallbackChatModel.Member("first", first, firstBreaker),
            new FallbackChatModel.Member("second", second, new CircuitBreaker(1, Duration.ofSeconds(30), clock))));

    private static RuntimeException serverError() {
        return new InternalServerException(new HttpException(503, "unavailable"));
    }

    @Test
    void theNextDeploymentAnswersWhenTheFirstFails() {
        first.thenThrow(serverError());

        assertEquals("from second", group.chat("hi"));
        assertEquals(1, first.calls());
    }

    @Test
    void anInvalidRequestIsThrownWithoutTryingTheOthers() {
        var invalid = new InvalidRequestException(new HttpException(400, "bad temperature"));
        first.thenThrow(invalid);

        assertSame(invalid, assertThrows(InvalidRequestException.class, () -> group.chat("hi")));
        assertEquals(0, second.calls());
    }

    @Test
    void aDeploymentWhoseBreakerIsOpenIsSkipped() {
        first.thenThrow(serverError());
        group.chat("hi");

        group.chat("hi");

        assertEquals(1, first.calls(), "its breaker opened after one failure");
        assertEquals(2, second.calls());
    }

    @Test
    void whenEveryDeploymentFailsTheErrorListsThemAll() {
        FakeChatModel a = new FakeChatModel().thenThrow(serverError());
        FakeChatModel b = new FakeChatModel().thenThrow(new RuntimeException(new HttpException(401, "bad key")));
        var all = new FallbackChatModel(List.of(
                new FallbackChatModel.Member("a", a, new CircuitBreaker(5, Duration.ofSeconds(30), clock)),
                new FallbackChatModel.Member("b", b, new CircuitBreaker(5, Duration.ofSeconds(30), clock))));

        var e = assertThrows(FallbackExhaustedException.class, () -> all.chat("hi"));

        assertEquals("no deployment of the fallback group answered (a: HTTP 503: unavailable; b: HTTP 401: bad key)",
                e.getMessage());
        assertEquals(2, e.getSuppressed().length);
    }

    @Test
    void theCallersOptionsReachTheDeploymentThatAnswers() {
        first.thenThrow(serverError());
        var who = Attribution.of("run-1", "critic");

        group.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build(), who.options());

        assertEquals(who, Attribution.from(second.options().getFirst()));
    }
}
