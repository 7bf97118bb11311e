package dev.consilium.examples;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in model so the examples run offline: it does addition tasks ("What is 17 + 25?") and plays the
 * role its system prompt names: a solver (a sloppy one is off by one on every third answer until criticized),
 * a checker, an aggregator of several answers, or a router. Swap it for a real model with one line:
 * {@code .model("openai/gpt-4o-mini")}, or the shipped built-in policy, {@code .model("builtin/demo-policy")} (run
 * from the project directory; elsewhere {@code "builtin/" + Path.of("models/demo-policy").toAbsolutePath()}).
 */
public final class OfflineModel implements ChatModel {

    private static final Pattern SUM = Pattern.compile("(\\d+)\\s*\\+\\s*(\\d+)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    private final boolean sloppy;
    private final AtomicInteger answers = new AtomicInteger();

    private OfflineModel(boolean sloppy) {
        this.sloppy = sloppy;
    }

    public static ChatModel careful() {
        return new OfflineModel(false);
    }

    public static ChatModel sloppy() {
        return new OfflineModel(true);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        String system = "", first = null, last = "";
        for (ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) system = s.text().toLowerCase();
            if (m instanceof UserMessage u) {
                if (first == null) first = u.singleText();
                last = u.singleText();
            }
        }
        Matcher sum = SUM.matcher(first == null ? "" : first);
        long truth = sum.find() ? Long.parseLong(sum.group(1)) + Long.parseLong(sum.group(2)) : 0;
        String text;
        if (system.contains("coordinate")) {
            text = last.contains("checker: correct") ? "FINISH" : last.contains("solver:") ? "checker" : "solver";
        } else if (system.contains("check")) {
            text = lastNumber(last) == truth ? "correct" : "wrong: recompute the sum";
        } else if (system.contains("final answers") || last.contains("final answers")) {
            text = String.valueOf(mostCommon(last));
        } else {
            boolean criticized = request.messages().stream().anyMatch(m -> m instanceof UserMessage u && u.singleText().contains("wrong"));
            text = String.valueOf(sloppy && !criticized && answers.incrementAndGet() % 3 == 1 ? truth + 1 : truth);
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).modelName("offline")
                .tokenUsage(new TokenUsage(request.messages().size() * 8, 2)).build();
    }

    private static long lastNumber(String s) {
        Matcher m = NUMBER.matcher(s);
        long n = Long.MIN_VALUE;
        while (m.find()) n = Long.parseLong(m.group());
        return n;
    }

    private static long mostCommon(String s) {
        Map<Long, Integer> counts = new HashMap<>();
        Matcher m = NUMBER.matcher(s);
        long best = 0;
        int top = 0;
        while (m.find()) {
            long n = Long.parseLong(m.group());
            int c = counts.merge(n, 1, Integer::sum);
            if (c > top) {
                top = c;
                best = n;
            }
        }
        return best;
    }
}
