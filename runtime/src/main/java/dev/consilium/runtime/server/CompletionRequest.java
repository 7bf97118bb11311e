package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated {@code POST /v1/completions} body (the legacy API): a prompt given as text or as token ids.
 *
 * @param promptText the prompt when given as a string, else null
 * @param promptIds  the prompt when given as token ids, else null
 * @param logprobs   alternatives per token to report (0 = only the chosen one); null = no logprobs
 */
record CompletionRequest(String model, String promptText, int[] promptIds, Sampling sampling, Integer logprobs,
                         boolean echo) {

    static CompletionRequest parse(JsonNode body, ServerLimits limits) {
        Params p = new Params(body);
        String model = p.requiredString("model");
        JsonNode prompt = p.node("prompt");
        if (prompt == null) throw ApiException.invalid("prompt", "Missing required parameter: 'prompt'");
        // a one-element batch is what some clients send for a single prompt
        if (prompt.isArray() && prompt.size() == 1 && (prompt.get(0).isTextual() || prompt.get(0).isArray())) {
            prompt = prompt.get(0);
        }
        String text = null;
        int[] ids = null;
        if (prompt.isTextual()) {
            text = prompt.textValue();
        } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isNumber()) {
            ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode t = prompt.get(i);
                if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
                    throw ApiException.invalid("prompt", "'prompt' token " + i + " must be a non-negative integer, was " + t);
                }
                ids[i] = t.intValue();
            }
        } else if (prompt.isArray() && prompt.size() > 1) {
            throw ApiException.unsupported("prompt", "'prompt' holds " + prompt.size() + " prompts; this server takes "
                    + "one prompt per request (use n for several completions of it)");
        } else {
            throw ApiException.invalid("prompt", "'prompt' must be a string or a non-empty array of token ids");
        }
        boolean echo = p.bool("echo");
        // 0 is allowed with echo, to score the prompt alone
        Sampling sampling = Sampling.read(p, limits, echo ? 0 : 1, "max_tokens");
        Integer logprobs = p.integer("logprobs", 0, 20);
        if (echo && sampling.stream()) {
            throw ApiException.unsupported("echo", "'echo' is not supported with 'stream'");
        }
        for (String unsupported : new String[] {"suffix", "best_of"}) {
            JsonNode n = p.node(unsupported);
            if (n != null && !(unsupported.equals("best_of") && n.isNumber() && n.intValue() == sampling.n())) {
                throw ApiException.unsupported(unsupported, "'" + unsupported + "' is not supported by this server");
            }
        }
        return new CompletionRequest(model, text, ids, sampling, logprobs, echo);
    }
}
