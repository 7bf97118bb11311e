package dev.consilium.runtime.cli;

import dev.consilium.runtime.loop.PluginRegistry;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Where the plugins an experiment file names come from: {@code --classpath} and the jars in {@code --plugins} (run, eval). */
final class PluginOptions {
    @Option(names = {"--classpath", "-cp"}, paramLabel = "JARS", split = "[:;]",
            description = "Plugin jars or class directories (separated by ':' or ';'), besides plugins/*.jar.")
    List<Path> classpath = List.of();
    @Option(names = "--plugins", paramLabel = "DIR", defaultValue = "plugins", description = "Folder of plugin jars (default: ${DEFAULT-VALUE}).")
    Path folder;

    /** The built-in names and those of every plugin on the given class path and in the folder. */
    PluginRegistry registry() {
        return PluginRegistry.load(classLoader(classpath, folder));
    }

    /** This program's classes, then the given jars and directories and every jar in {@code folder}. */
    static ClassLoader classLoader(List<Path> entries, Path folder) {
        List<URL> urls = new ArrayList<>();
        try {
            for (Path p : entries) {
                if (!Files.exists(p)) throw new IllegalArgumentException("--classpath: no file or directory " + p);
                urls.add(p.toUri().toURL());
            }
            if (folder != null && Files.isDirectory(folder)) {
                try (Stream<Path> jars = Files.list(folder)) {
                    for (Path j : jars.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) urls.add(j.toUri().toURL());
                }
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        ClassLoader parent = PluginOptions.class.getClassLoader();
        return urls.isEmpty() ? parent : new URLClassLoader(urls.toArray(URL[]::new), parent);
    }
}
