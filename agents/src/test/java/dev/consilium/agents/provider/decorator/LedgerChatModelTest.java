package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.consilium.agents.provider.ledger.PriceTable;
import dev.consilium.agents.provider.ledger.Usage;
import dev.consilium.agents.provider.ledger.UsageRecord;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.consilium.agents.provider.testing.Streams;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LedgerChatModelTest {

    private static final Deployment FAST = Deployment.builder().name("fast").model("openai/gpt-4o-mini").build();

    @Test
    void eachCallIsRecordedOnceAndChargedToItsRunAndAgent() {
        Ledger ledger = Ledger.builder().build();
        var model = new LedgerChatModel(new FakeChatModel().then(FakeChatModel.reply("ok", 1000, 200)), ledger, FAST);

        model.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build(), Attribution.of("run-3", "critic").options());

        UsageRecord r = ledger.records().getFirst();
        assertEquals(1, ledger.size());
        assertEquals(new UsageRecord("run-3", "critic", "fast", "openai/gpt-4o-mini", new Usage(1000, 0, 0, 200, 0),
                1000 * 1.5e-7 + 200 * 6e-7, true), r);
    }

    @Test
    void aFailedCallRecordsNothing() {
        Ledger ledger = Ledger.builder().build();
        var model = new LedgerChatModel(new FakeChatModel().thenThrow(new RuntimeException("down")), ledger, FAST);

        assertThrows(RuntimeException.class, () -> model.chat("hi"));
        assertEquals(0, ledger.size());
    }

    @Test
    void aStreamIsRecordedWhenItCompletesAndRefusedThroughItsHandlerOnceTheBudgetIsSpent() {
        Ledger ledger = Ledger.builder().prices(PriceTable.of(java.util.Map.of("gpt-4o-mini", ModelPrice.of(1e-3, 1e-3))))
                .budgetUsd(0.01).build();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        StreamingChatModel vendor = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                opened.incrementAndGet();
                handler.onPartialResponse("o");
                handler.onCompleteResponse(FakeChatModel.reply("ok", 10, 0));
            }
        };
        var model = new LedgerStreamingChatModel(vendor, ledger, FAST);

        assertEquals("ok", Streams.run(model, "spends exactly $0.01").response().aiMessage().text());
        Throwable refused = Streams.run(model, "one too many").error();

        assertEquals(1, opened.get());
        assertEquals(1, ledger.size());
        assertTrue(refused instanceof BudgetExceededException, String.valueOf(refused));
    }

    @Test
    void onceTheBudgetIsSpentNoCallReachesTheModel() {
        Ledger ledger = Ledger.builder().prices(PriceTable.of(java.util.Map.of("gpt-4o-mini", ModelPrice.of(1e-3, 1e-3))))
                .budgetUsd(0.01).build();
        FakeChatModel fake = new FakeChatModel().then(FakeChatModel.reply("ok", 10, 0));
        var model = new LedgerChatModel(fake, ledger, FAST);

        model.chat("spends exactly $0.01");
        var e = assertThrows(BudgetExceededException.class, () -> model.chat("one too many"));

        assertEquals(1, fake.calls());
        assertEquals("budget of $0.0100 is spent ($0.010000 over 1 calls); no new model calls are made", e.getMessage());
    }
}
