package dev.consilium.moe.kernel;

/**
 * The built-in model's kernels use the JDK's Vector API, an incubator module the JVM loads only when asked. A
 * program that forgets the flag would otherwise fail deep inside a kernel with a bare NoClassDefFoundError; the
 * model's entry points check here first and say what to add.
 */
public final class VectorApi {
    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VectorApi() {}

    /** Throws, naming the flag, when the JVM was started without {@code --add-modules jdk.incubator.vector}. */
    public static void require() {
        if (!PRESENT) {
            throw new IllegalStateException("the built-in model needs the JDK's Vector API: start java with "
                    + "--add-modules jdk.incubator.vector (for Maven's tests and exec, put it in the JVM arguments too)");
        }
    }
}
