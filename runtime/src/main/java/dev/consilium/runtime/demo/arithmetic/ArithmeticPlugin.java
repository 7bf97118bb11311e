package dev.consilium.runtime.demo.arithmetic;

import dev.consilium.runtime.loop.AnswerCheck;
import dev.consilium.runtime.loop.ConsiliumPlugin;
import dev.consilium.runtime.loop.PluginRegistry;
import dev.consilium.runtime.loop.TaskReader;
import dev.consilium.runtime.loop.TaskRecord;
import dev.consilium.runtime.verifier.VerifierRefresh;

import java.util.Set;

/**
 * The embedded demo as a plugin, registered like any user's (META-INF/services): the {@code solver-reviser}
 * workflow, the {@code arithmetic-judge} prompt (and its judge's refresh,
 * {@link VerifierRefresh}), the {@code arithmetic} task reader ({@code id}, {@code question},
 * {@code answer} lines; the difficulty stays out of the tasks' metadata) and the {@code arithmetic} answer check
 * (the answer, stripped, is the number as the reference writes it).
 */
public final class ArithmeticPlugin implements ConsiliumPlugin {
    public static final String NAME = "arithmetic";

    @Override
    public void register(PluginRegistry registry) {
        registry.workflow(SolverReviser.TYPE, Set.of(), (spec, model) -> SolverReviser.create(model))
                .judgePrompt(ArithmeticJudge.PROMPT.name(), ArithmeticJudge::over)
                .trainableJudge(ArithmeticJudge.PROMPT.name(), new VerifierRefresh())
                .taskReader(NAME, (file, referenceRequired) -> TaskReader.jsonl().read(file, true).stream()
                        .map(t -> TaskRecord.of(t.id(), t.input(), t.reference())).toList())
                .answerCheck(NAME, AnswerCheck.exact());
    }
}
