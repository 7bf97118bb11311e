package dev.consilium.runtime.cli;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scripted judges for CLI tests, by ref: {@code test-oracle/perfect} computes each arithmetic task and grades the
 * fenced answer's last line's last number against it, a hedged answer wrong (a judge that is always right); {@code test-oracle/yes} passes
 * everything and prefers whichever answer is shown first (a sycophantic, position-biased judge).
 */
public final class OracleJudgeProvider implements ChatModelProvider {

    private static final Pattern TASK = Pattern.compile("What is (\\d+) ([+-]) (\\d+)\\?");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    @Override
    public String name() {
        return "test-oracle";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        boolean perfect = target.modelName().equals("perfect");
        return new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
                String prompt = "";
                for (ChatMessage m : request.messages()) if (m instanceof UserMessage u) prompt = u.singleText();
                String text = prompt.contains("Answer A:") ? pairwise(prompt, perfect) : pointwise(prompt, perfect);
                return ChatResponse.builder().aiMessage(AiMessage.from(text)).tokenUsage(new TokenUsage(prompt.length() / 4, 3)).build();
            }
        };
    }

    private static String pointwise(String prompt, boolean perfect) {
        if (!perfect) return "Looks great.\nScore: 1";
        return "Checked.\nScore: " + (correct(prompt, fenced(prompt, "answer")) ? 1 : 0);
    }

    private static String pairwise(String prompt, boolean perfect) {
        if (!perfect) return "[[A]]";
        return correct(prompt, fenced(prompt, "answer_a")) ? "[[A]]" : "[[B]]";
    }

    public static boolean correct(String prompt, String answer) {
        Matcher t = TASK.matcher(fenced(prompt, "task"));
        if (!t.find()) return false;
        int a = Integer.parseInt(t.group(1)), b = Integer.parseInt(t.group(3));
        int expected = t.group(2).equals("+") ? a + b : a - b;
        String lastTurn = answer.strip().lines().reduce((first, second) -> second).orElse("");
        Matcher n = NUMBER.matcher(lastTurn.replaceFirst("^[a-z]+:", ""));
        String last = null;
        while (n.find()) last = n.group();
        return last != null && Integer.parseInt(last) == expected && !lastTurn.contains("I think"); // a hedge is no answer
    }

    private static String fenced(String prompt, String tag) {
        int open = prompt.indexOf("<" + tag + "-");
        return prompt.substring(prompt.indexOf('\n', open) + 1, prompt.indexOf("</" + tag + "-", open));
    }
}
