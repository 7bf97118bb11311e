/**
 * The built-in model over OpenAI's wire format, so that any OpenAI client (LangChain4j, the Python {@code openai}
 * package, LiteLLM, curl) and Consilium's own {@code openai-compatible/...} provider can use it.
 *
 * <p>{@link dev.consilium.runtime.server.OpenAiServer} is the whole public surface: a builder over a
 * {@link dev.consilium.moe.generate.Generator}, started on a host and port, closed gracefully. Inside, one file per
 * concern:
 * <ul>
 *   <li>requests: {@code Params} (typed reads that name the field in their 400), {@code ChatRequest},
 *       {@code CompletionRequest}, {@code Sampling} (the options both share), {@code ResponseFormat} (JSON mode and
 *       its check);</li>
 *   <li>generation: {@code Generation} (a request's {@code n} choices in flight, streamed from a queue so the decode
 *       thread never waits on a client), {@code Choice} (one choice, generated again while JSON mode rejects it);</li>
 *   <li>endpoints: {@code ChatEndpoint} (DeepSeek-V3 chat template, stop at end of turn), {@code CompletionsEndpoint}
 *       (raw prompts, echo, prompt logprobs);</li>
 *   <li>responses: {@code Wire} (OpenAI's shapes as records, written snake_case), {@code Vocabulary} (tokens as
 *       text and bytes for logprobs), {@code SseWriter}, {@code ApiException} (OpenAI's error object and status);</li>
 *   <li>HTTP: {@code Exchange} (one request and its response, blocking on the request's virtual thread, over Jetty),
 *       {@code JsonErrorHandler} (what Jetty refuses before an endpoint runs, in OpenAI's error shape).</li>
 * </ul>
 *
 * <p>Semantics a client may not expect: {@code n > 1} with a {@code seed} samples choice {@code i} with
 * {@code seed + i}; JSON mode checks outputs instead of constraining decoding and returns a {@code warning} on a choice
 * no attempt got right; a streamed JSON-mode choice arrives as one content chunk, after its check; logprobs cover
 * the content, never the end-of-turn token that stopped it.
 */
package dev.consilium.runtime.server;
