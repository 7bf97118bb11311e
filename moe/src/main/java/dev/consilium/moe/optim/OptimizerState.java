package dev.consilium.moe.optim;

import dev.consilium.moe.tensor.NamedTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An optimizer's resumable state: its kind ({@code "adamw"}, {@code "sgd"}), the number of updates taken
 * (AdamW's bias correction depends on it), and its per-parameter buffers named
 * {@code <parameter name>.<buffer>} ({@code model.norm.weight.exp_avg}).
 */
public record OptimizerState(String kind, long step, List<NamedTensor> tensors) {
    public OptimizerState {
        tensors = List.copyOf(tensors);
        if (step < 0) throw new IllegalArgumentException(kind + ": negative step " + step);
    }

    /**
     * Copies these tensors into {@code targets} by name. The names must match exactly, both ways, and each
     * shape must agree: state from another model or optimizer is refused before anything is written.
     */
    public void copyInto(String expectedKind, List<NamedTensor> targets) {
        if (!expectedKind.equals(kind)) {
            throw new IllegalArgumentException("optimizer state is for '" + kind + "', not '" + expectedKind + "'");
        }
        Map<String, NamedTensor> byName = new HashMap<>();
        for (NamedTensor t : tensors) byName.put(t.name(), t);
        List<String> problems = new ArrayList<>();
        Set<String> wanted = new HashSet<>();
        for (NamedTensor target : targets) {
            wanted.add(target.name());
            NamedTensor src = byName.get(target.name());
            if (src == null) {
                problems.add("missing '" + target.name() + "' " + Arrays.toString(target.shape()));
            } else if (!Arrays.equals(src.shape(), target.shape())) {
                problems.add("'" + target.name() + "' has shape " + Arrays.toString(src.shape()) + ", expected "
                        + Arrays.toString(target.shape()));
            }
        }
        for (NamedTensor t : tensors) {
            if (!wanted.contains(t.name())) problems.add("unexpected '" + t.name() + "'");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(10, problems.size());
            throw new IllegalArgumentException(kind + " state does not fit this model: "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : ""));
        }
        for (NamedTensor target : targets) {
            NamedTensor src = byName.get(target.name());
            System.arraycopy(src.data(), src.offset(), target.data(), target.offset(), target.size());
        }
    }
}
