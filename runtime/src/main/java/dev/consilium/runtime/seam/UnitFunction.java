package dev.consilium.runtime.seam;

import java.io.Serializable;

/**
 * What to do with one unit given the live worker. Serialisable, so it must capture no live object: everything
 * live comes from the worker, everything else from the unit. It must not write journals or files either: the
 * engine may run a unit twice (a lost executor, a speculative copy) and only the driver knows which result
 * counts.
 */
@FunctionalInterface
public interface UnitFunction<W, P extends Serializable, R extends Serializable> extends Serializable {

    R apply(W worker, WorkUnit<P> unit) throws Exception;
}
