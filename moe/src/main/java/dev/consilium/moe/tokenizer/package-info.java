/**
 * Byte-level BPE, GPT-2 and DeepSeek-V3 style, interchangeable with Hugging Face's {@code tokenizer.json}.
 *
 * <pre>{@code
 * BpeTokenizer tokenizer = BpeTokenizer.load(Path.of("tokenizer.json"));      // or BpeTokenizer.trainer()...train(text)
 * int[] ids = tokenizer.encode("Hello, 世界!");
 * String text = tokenizer.decode(ids);
 *
 * ChatTemplate chat = ChatTemplate.deepSeekV3(tokenizer);
 * ChatTokens sft = chat.render(List.of(TemplateMessage.user("17 + 25?"), TemplateMessage.assistant("42")), false);
 * int[] prompt = chat.prompt(List.of(TemplateMessage.user("17 + 25?")));        // ends with <｜Assistant｜>
 * }</pre>
 */
package dev.consilium.moe.tokenizer;
