package dev.consilium.rewards.judge;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge prompt, named and versioned so every verdict records which wording produced it ({@code id()} lands in
 * its provenance). Placeholders are {@code {{name}}}; values are substituted in one pass, so judged content that
 * contains {@code {{rubric}}} stays literal. Replace a built-in ({@link Prompts}) by building a judge with your
 * own template using the same placeholders; bump the version whenever the wording changes.
 */
public record PromptTemplate(String name, String version, String system, String user) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");

    public static PromptTemplate of(String name, String version, String system, String user) {
        return new PromptTemplate(name, version, system, user);
    }

    public String id() {
        return name + "@" + version;
    }

    String renderSystem(Map<String, String> values) {
        return render(system, values);
    }

    String renderUser(Map<String, String> values) {
        return render(user, values);
    }

    private String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 256);
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("prompt " + id() + ": no value for {{" + m.group(1) + "}}; this judge fills "
                        + values.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        return m.appendTail(out).toString();
    }
}
