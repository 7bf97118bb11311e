package dev.consilium.runtime.loop;

import dev.consilium.runtime.cli.OracleJudgeProvider;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Judge models for loop tests, asked through the real pointwise prompt (its fences and all): one that calls every
 * number a match (the demo judge's failure, in the extreme), and an oracle that works each arithmetic task out and
 * grades the fenced transcript's last number against it. Each keeps the prompts it was asked, in order.
 */
final class ScriptedJudgeModels {
    private ScriptedJudgeModels() {}

    /** A model that answers each prompt (its last user message) with {@code verdict}, and records the prompts. */
    static final class Recording implements ChatModel {
        final List<String> prompts = new CopyOnWriteArrayList<>();
        private final java.util.function.Function<String, String> verdict;

        Recording(java.util.function.Function<String, String> verdict) {
            this.verdict = verdict;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            String prompt = "";
            for (ChatMessage m : request.messages()) if (m instanceof UserMessage u) prompt = u.singleText();
            prompts.add(prompt);
            return ChatResponse.builder().aiMessage(AiMessage.from(verdict.apply(prompt))).build();
        }
    }

    /** Calls every number a match. */
    static Recording yes() {
        return new Recording(prompt -> "The final answer matches the reference.\nScore: 1");
    }

    /** Always right on arithmetic tasks. */
    static Recording oracle() {
        return new Recording(prompt -> "Checked.\nScore: " + (OracleJudgeProvider.correct(prompt, fenced(prompt, "answer")) ? 1 : 0));
    }

    /** The text between {@code <tag-NONCE>} and {@code </tag-NONCE>}, as the pointwise prompt fences it. */
    static String fenced(String prompt, String tag) {
        int open = prompt.indexOf("<" + tag + "-");
        return prompt.substring(prompt.indexOf('\n', open) + 1, prompt.indexOf("</" + tag + "-", open)).strip();
    }
}
