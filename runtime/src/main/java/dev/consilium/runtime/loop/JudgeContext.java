package dev.consilium.runtime.loop;

import dev.consilium.agents.provider.Providers;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Whether a built-in judge's prompt fits its model's context, checked before a run starts: the prompt for the
 * longest task, with a one-word transcript, plus the verdict's tokens. A prompt over the context would make the
 * judge abstain on every transcript, which is a mistake in the experiment, not a finding of the run.
 */
final class JudgeContext {
    private JudgeContext() {}

    static void check(JudgePrompt prompt, String ref, int verdictTokens, List<TaskRecord> tasks, String key) {
        Path dir = builtinDir(ref);
        if (dir == null || tasks.isEmpty()) return;   // an API model's context is the provider's to report
        TaskRecord longest = tasks.stream().max(Comparator.comparingInt(
                t -> t.input().length() + (t.reference() == null ? 0 : t.reference().length()))).orElseThrow();
        Capture capture = new Capture();
        prompt.judge(capture, ref, 0).evaluate(JudgedItem.of(longest.input(), "x", longest.reference()));
        if (capture.request == null) return;
        List<TemplateMessage> messages = new ArrayList<>();
        for (var m : capture.request.messages()) {
            switch (m) {
                case SystemMessage s -> messages.add(TemplateMessage.system(s.text()));
                case UserMessage u -> messages.add(TemplateMessage.user(u.singleText()));
                case AiMessage a -> messages.add(TemplateMessage.assistant(a.text()));
                default -> { }
            }
        }
        int context = ModelConfig.load(dir.resolve("config.json")).maxPositionEmbeddings();
        int tokens = ChatTemplate.deepSeekV3(BpeTokenizer.load(dir.resolve("tokenizer.json"))).prompt(messages).length;
        if (tokens + verdictTokens > context) {
            throw new IllegalArgumentException("\"" + key + "\": the judge's prompt for task " + longest.id() + " takes " + tokens
                    + " tokens before any transcript, and its verdict up to " + verdictTokens + ", over " + ref + "'s context of "
                    + context + " tokens; use a shorter prompt or a model with a longer context");
        }
    }

    /** The checkpoint directory of a {@code builtin/} ref, as the built-in provider finds it; null for other refs. */
    private static Path builtinDir(String ref) {
        if (ref == null || !ref.startsWith(Providers.BUILTIN + "/")) return null;
        String name = ref.substring(Providers.BUILTIN.length() + 1);
        for (Path p : List.of(Path.of(name), Path.of("models").resolve(name))) {
            if (Files.isRegularFile(p.resolve("config.json")) && Files.isRegularFile(p.resolve("tokenizer.json"))) return p;
        }
        return null;
    }

    /** Keeps the first request and answers it with a verdict line, so the judge goes no further. */
    private static final class Capture implements ChatModel {
        volatile ChatRequest request;

        @Override
        public ChatResponse doChat(ChatRequest r) {
            if (request == null) request = r;
            return ChatResponse.builder().aiMessage(AiMessage.from("Score: 0")).build();
        }
    }
}
