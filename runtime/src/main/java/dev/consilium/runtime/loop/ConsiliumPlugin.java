package dev.consilium.runtime.loop;

/**
 * A jar's contribution to experiment files: workflow types, reward functions, judge prompts, task readers and
 * answer checks, each under a name an experiment file can use. Found with {@link java.util.ServiceLoader}: list
 * the implementing class in the jar's {@code META-INF/services/dev.consilium.runtime.loop.ConsiliumPlugin}, and
 * give the jar to {@code consilium run --classpath JAR} (or drop it into {@code plugins/}).
 */
public interface ConsiliumPlugin {

    void register(PluginRegistry registry);
}
