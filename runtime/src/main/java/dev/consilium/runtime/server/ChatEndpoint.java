package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.SamplingParams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/chat/completions}: messages rendered with DeepSeek-V3's chat template, generation until the
 * end-of-turn token. Under a JSON response format a streamed choice arrives as one content chunk, since its
 * output must be checked whole (and maybe generated again) before any of it is sent.
 */
final class ChatEndpoint {
    private final ServedModel model;

    ChatEndpoint(ServedModel model) {
        this.model = model;
    }

    void handle(Exchange exchange, JsonNode body) throws IOException {
        ChatRequest r = ChatRequest.parse(body, model.limits());
        model.requireModel(r.model());
        if (model.template() == null) {
            throw ApiException.unsupported("messages", "This model has no chat template (its tokenizer lacks "
                    + "DeepSeek-V3's chat tokens); use /v1/completions");
        }
        int[] prompt = model.template().prompt(r.messages());
        Sampling s = r.sampling();
        int maxNew = model.budget(s.maxTokens(), null, prompt.length, "messages");
        Set<Integer> stops = Set.of(model.template().endOfTurn());
        SamplingParams params = s.params(maxNew, stops, r.logprobs(), r.topLogprobs(), false);
        String id = OpenAiServer.newId("chatcmpl-");
        long created = OpenAiServer.now();
        Generation g = new Generation(model, prompt, s, params, r.format(), s.stream());
        if (!s.stream()) {
            List<Choice.Outcome> outcomes = g.await();
            List<Wire.ChatChoice> choices = new ArrayList<>(outcomes.size());
            for (int i = 0; i < outcomes.size(); i++) {
                Choice.Outcome o = outcomes.get(i);
                Completion c = o.completion();
                choices.add(new Wire.ChatChoice(i, new Wire.Message("assistant", c.text()), logprobs(r, c, stops),
                        ServedModel.finishReason(c), warning(o)));
            }
            exchange.sendJson(200,
                    new Wire.ChatCompletion(id, "chat.completion", created, model.name(), choices, g.usage(outcomes)));
            return;
        }
        g.stream(new SseWriter(exchange), new Generation.Chunks() {
            @Override
            public List<?> start() {
                List<Wire.ChatChunk> roles = new ArrayList<>();
                for (int i = 0; i < s.n(); i++) roles.add(chunk(new Wire.ChunkChoice(i, new Wire.Delta("assistant", ""), null, null, null)));
                return roles;
            }

            @Override
            public List<?> piece(Generation.Piece p) {
                boolean scored = r.logprobs() && !stops.contains(p.token().token());
                if (p.text().isEmpty() && !scored) return List.of();
                Wire.ChatLogprobs lp = scored ? model.vocabulary().chat(List.of(p.token())) : null;
                return List.of(chunk(new Wire.ChunkChoice(p.choice(), new Wire.Delta(null, p.text()), lp, null, null)));
            }

            @Override
            public List<?> done(Generation.Done d) {
                Completion c = d.outcome().completion();
                Wire.ChunkChoice end = new Wire.ChunkChoice(d.choice(), new Wire.Delta(null, null), null,
                        ServedModel.finishReason(c), warning(d.outcome()));
                if (!r.format().json()) return List.of(chunk(end));
                Wire.ChunkChoice whole = new Wire.ChunkChoice(d.choice(), new Wire.Delta(null, c.text()),
                        logprobs(r, c, stops), null, null);
                return List.of(chunk(whole), chunk(end));
            }

            @Override
            public Object usage(Wire.Usage usage) {
                return new Wire.ChatChunk(id, "chat.completion.chunk", created, model.name(), List.of(), usage);
            }

            private Wire.ChatChunk chunk(Wire.ChunkChoice choice) {
                return new Wire.ChatChunk(id, "chat.completion.chunk", created, model.name(), List.of(choice), null);
            }
        }, s.includeUsage());
    }

    private Wire.ChatLogprobs logprobs(ChatRequest r, Completion c, Set<Integer> stops) {
        return r.logprobs() ? model.vocabulary().chat(ServedModel.contentLogprobs(c, stops)) : null;
    }

    private static String warning(Choice.Outcome o) {
        if (o.formatError() == null) return null;
        return "response_format: no output satisfied the format in " + o.attempts() + " attempt"
                + (o.attempts() == 1 ? "" : "s") + "; the last one is returned as is: " + o.formatError();
    }
}
