/**
 * A prefix cache for generation: per-token rows (the built-in model's MLA latents) of prompts already computed,
 * reused when a new prompt starts with the same tokens, as multi-agent conversations and GRPO groups do.
 *
 * <ul>
 *   <li>{@link dev.consilium.moe.prefixcache.PrefixCache}: blocks of tokens keyed by a hash chain, LRU over bytes
 *       in memory, optionally one checksummed file per block on disk so other runs and processes start warm.</li>
 *   <li>{@link dev.consilium.moe.prefixcache.CheckpointIdentity}: a hash of a checkpoint's weights and config, the
 *       model id that keeps rows of different weights apart.</li>
 * </ul>
 *
 * <pre>{@code
 * PrefixCache cache = PrefixCache.builder()
 *         .modelId(CheckpointIdentity.of(Path.of("checkpoints/tiny")))
 *         .rowWidth(rowWidth)
 *         .directory(Path.of("prefix-cache"))
 *         .build();
 * }</pre>
 * The cache knows nothing of the model: the generation engine decides what a row holds and passes a
 * {@code PrefixCache} to its {@code Generator}.
 */
package dev.consilium.moe.prefixcache;
