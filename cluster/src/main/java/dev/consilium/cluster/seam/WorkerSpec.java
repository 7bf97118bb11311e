package dev.consilium.cluster.seam;

import java.io.Serializable;

/**
 * What a worker JVM builds once and reuses across tasks: a judge, a policy loaded from a checkpoint. The spec
 * is a value (a record): two equal specs build interchangeable workers, so {@link WorkerCache} keys on it and a
 * new checkpoint, being a new spec, builds a new worker. {@link #build} runs where the work runs, never on the
 * driver on behalf of an executor.
 *
 * @param <W> the live object, never serialised
 */
public interface WorkerSpec<W> extends Serializable {

    /** Builds the live worker; {@code secrets} holds the API keys the driver shipped with the job. */
    W build(SecretEnv secrets);
}
