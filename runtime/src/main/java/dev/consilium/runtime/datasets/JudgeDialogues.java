package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.demo.arithmetic.ArithmeticJudge;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The demo judge's training chats: the exact prompt {@link ArithmeticJudge} sends for a solver → reviser
 * transcript and the task's reference answer (rendered by the real judge, nonce-tagged fences included, so the
 * model learns the prompt it will be given), and the judge's answer in words ({@link ArithmeticJudge#verdict}). Labels are true by
 * construction. Problems are drawn fresh and never from the held-out split.
 *
 * <p>Transcripts vary the way rollouts do: either turn right or wrong, and now and then a final answer that is
 * missing or not a bare number. Some stop after the solver's turn, as the transcript up to a turn does when
 * each turn is judged on its own.
 */
public final class JudgeDialogues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JudgeDialogues() {}

    /**
     * Writes {@code count} judge chats to {@code file}, from {@code seed}, avoiding {@code exclude}'s questions;
     * one transcript in {@code solverOnlyEvery} (none when 0) ends after the solver's turn.
     */
    public static void write(Path file, long seed, int count, List<Problem> exclude, int solverOnlyEvery) {
        Random rng = new Random(seed);
        Set<String> held = new HashSet<>();
        for (Problem p : exclude) held.add(p.question());
        StringBuilder out = new StringBuilder();
        for (int written = 0; written < count; ) {
            Problem p = ArithmeticDataset.draw(rng, "");
            if (held.contains(p.question())) continue;
            String solver = answer(rng, p.answer());
            String transcript = ArithmeticJudge.line("solver", solver);
            String last = solver;
            // Some end at the solver: the loop credits each turn by judging the transcript up to it. With none, no
            // draw is made, so the chats the first demo judge was trained on are written again byte for byte.
            if (solverOnlyEvery == 0 || rng.nextInt(solverOnlyEvery) != 0) {
                last = rng.nextInt(4) == 0 ? solver : answer(rng, p.answer());
                transcript += "\n" + ArithmeticJudge.line("reviser", last);
            }
            List<ChatMessage> prompt = prompt(p.question(), transcript, p.answer(), rng.nextLong());
            if (prompt == null) continue; // the judge refused to judge it (e.g. an empty transcript)
            out.append(chat(prompt, ArithmeticJudge.verdict(p.answer(), last))).append('\n');
            written++;
        }
        ArithmeticDataset.writeAtomically(file, out);
    }

    /**
     * The messages {@link ArithmeticJudge} sends for {@code transcript} of {@code question} with {@code reference}
     * (fences tagged with a nonce from {@code nonceSeed}), or null where the judge refuses to judge it.
     */
    public static List<ChatMessage> prompt(String question, String transcript, String reference, long nonceSeed) {
        Capture capture = new Capture();
        ArithmeticJudge.over(capture, "capture", nonceSeed).evaluate(JudgedItem.of(question, transcript, reference));
        return capture.seen;
    }

    /** Mostly a plausible answer, right or near; now and then what a derailed policy emits. */
    private static String answer(Random rng, String truth) {
        return switch (rng.nextInt(20)) {
            case 0 -> "";
            case 1 -> "I think " + truth;
            case 2 -> truth + truth.charAt(truth.length() - 1);
            default -> ArithmeticDialogues.proposal(rng, truth);
        };
    }

    /** {@code prompt} and {@code reply} as a chat line, {@code {"messages": [...]}}, the trainer's format. */
    public static ObjectNode chat(List<ChatMessage> prompt, String reply) {
        ObjectNode chat = JSON.createObjectNode();
        ArrayNode messages = chat.putArray("messages");
        for (ChatMessage m : prompt) {
            switch (m) {
                case SystemMessage s -> messages.addObject().put("role", "system").put("content", s.text());
                case UserMessage u -> messages.addObject().put("role", "user").put("content", u.singleText());
                default -> throw new IllegalStateException("the judge prompt holds a " + m.type() + " message");
            }
        }
        messages.addObject().put("role", "assistant").put("content", reply);
        return chat;
    }

    /** A stand-in judge model that keeps the prompt it is sent; its answer is a verdict the parser reads. */
    private static final class Capture implements ChatModel {
        List<ChatMessage> seen;

        @Override
        public ChatResponse doChat(ChatRequest request) {
            seen = request.messages();
            return ChatResponse.builder().aiMessage(AiMessage.from("Score: 0")).build();
        }
    }
}
