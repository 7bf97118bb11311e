package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.generate.TokenLogprob;
import dev.consilium.moe.tokenizer.ChatTemplate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/completions}, the legacy API: a raw prompt (text, encoded with special tokens recognised and
 * no BOS added, or token ids), generation until {@code <｜end▁of▁sentence｜>} when the tokenizer has it.
 * {@code echo} puts the prompt before the output and, with {@code logprobs}, scores the prompt's tokens (the
 * first has none); {@code max_tokens: 0} with {@code echo} scores the prompt alone.
 */
final class CompletionsEndpoint {
    /** OpenAI's legacy default for max_tokens. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    private final ServedModel model;
    private final Set<Integer> stops;

    CompletionsEndpoint(ServedModel model) {
        this.model = model;
        Integer eos = null;
        if (model.tokenizer() != null) {
            try {
                eos = model.tokenizer().tokenId(ChatTemplate.END_OF_SENTENCE);
            } catch (IllegalArgumentException e) {
                // a tokenizer without DeepSeek's end token: generation runs to max_tokens or a stop string
            }
        }
        this.stops = eos == null ? Set.of() : Set.of(eos);
    }

    void handle(Exchange exchange, JsonNode body) throws IOException {
        CompletionRequest r = CompletionRequest.parse(body, model.limits());
        model.requireModel(r.model());
        int[] prompt;
        String promptText;
        if (r.promptIds() != null) {
            prompt = r.promptIds();
            model.checkTokenIds(prompt, "prompt");
            promptText = model.tokenizer() == null ? "" : model.tokenizer().decode(prompt, false);
        } else {
            if (model.tokenizer() == null) {
                throw ApiException.unsupported("prompt", "This model is served without a tokenizer; send 'prompt' as token ids");
            }
            promptText = r.promptText();
            prompt = model.tokenizer().encode(promptText);
        }
        if (prompt.length == 0) throw ApiException.invalid("prompt", "'prompt' is empty");
        Sampling s = r.sampling();
        int budget = model.budget(s.maxTokens(), DEFAULT_MAX_TOKENS, prompt.length, "prompt");
        boolean scoreOnly = budget == 0; // max_tokens 0, which only echo allows
        String id = OpenAiServer.newId("cmpl-");
        long created = OpenAiServer.now();
        if (scoreOnly && r.logprobs() == null) {
            // nothing to compute: the prompt echoed back
            List<Wire.TextChoice> choices = new ArrayList<>();
            for (int i = 0; i < s.n(); i++) choices.add(new Wire.TextChoice(promptText, i, null, "length"));
            exchange.sendJson(200, new Wire.TextCompletion(id, "text_completion", created, model.name(),
                    choices, Wire.Usage.of(prompt.length, 0, 0)));
            return;
        }
        // scoring the prompt still takes one decode step, whose token is dropped
        int maxNew = scoreOnly ? 1 : budget;
        boolean logprobs = r.logprobs() != null;
        int top = logprobs ? r.logprobs() : 0;
        SamplingParams params = s.params(maxNew, stops, logprobs, top, r.echo() && logprobs);
        Generation g = new Generation(model, prompt, s, params, ResponseFormat.TEXT, s.stream());
        if (!s.stream()) {
            List<Choice.Outcome> outcomes = g.await();
            List<Wire.TextChoice> choices = new ArrayList<>(outcomes.size());
            for (int i = 0; i < outcomes.size(); i++) {
                Completion c = outcomes.get(i).completion();
                String generated = scoreOnly ? "" : c.text();
                String text = r.echo() ? promptText + generated : generated;
                Wire.LegacyLogprobs lp = null;
                if (logprobs) {
                    lp = new Wire.LegacyLogprobs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                    if (r.echo()) model.vocabulary().append(lp, prompt, c.promptLogprobs(), 0);
                    if (!scoreOnly) appendGenerated(lp, c, r.echo() ? promptText.length() : 0);
                }
                choices.add(new Wire.TextChoice(text, i, lp, scoreOnly ? "length" : ServedModel.finishReason(c)));
            }
            Wire.Usage usage = scoreOnly
                    ? Wire.Usage.of(prompt.length, 0, outcomes.getFirst().completion().cachedPromptTokens())
                    : g.usage(outcomes);
            exchange.sendJson(200, new Wire.TextCompletion(id, "text_completion", created, model.name(),
                    choices, usage));
            return;
        }
        int[] offsets = new int[s.n()];
        g.stream(new SseWriter(exchange), new Generation.Chunks() {
            @Override
            public List<?> piece(Generation.Piece p) {
                boolean scored = logprobs && !stops.contains(p.token().token());
                if (p.text().isEmpty() && !scored) return List.of();
                Wire.LegacyLogprobs lp = null;
                if (scored) {
                    lp = model.vocabulary().legacy(new int[] {p.token().token()}, List.of(p.token()), offsets[p.choice()]);
                }
                offsets[p.choice()] += p.text().length();
                return List.of(chunk(new Wire.TextChoice(p.text(), p.choice(), lp, null)));
            }

            @Override
            public List<?> done(Generation.Done d) {
                return List.of(chunk(new Wire.TextChoice("", d.choice(), null,
                        ServedModel.finishReason(d.outcome().completion()))));
            }

            @Override
            public Object usage(Wire.Usage usage) {
                return new Wire.TextCompletion(id, "text_completion", created, model.name(), List.of(), usage);
            }

            private Wire.TextCompletion chunk(Wire.TextChoice choice) {
                return new Wire.TextCompletion(id, "text_completion", created, model.name(), List.of(choice), null);
            }
        }, s.includeUsage());
    }

    /** The generated tokens' logprobs, a stop token left out; offsets count from {@code textOffset}. */
    private void appendGenerated(Wire.LegacyLogprobs lp, Completion c, int textOffset) {
        List<TokenLogprob> kept = ServedModel.contentLogprobs(c, stops);
        int[] ids = new int[kept.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = kept.get(i).token();
        model.vocabulary().append(lp, ids, kept, textOffset);
    }
}
