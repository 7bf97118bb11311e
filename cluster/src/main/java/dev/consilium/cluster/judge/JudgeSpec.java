package dev.consilium.cluster.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.WorkerSpec;
import dev.consilium.rewards.judge.Judge;
import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.Scale;

import java.util.Objects;

/**
 * A pointwise judge as a value an executor can rebuild: the providers file's content (deployments name the
 * variables holding keys, never keys), the model ref, rubric, scale and the options that make its requests
 * reproducible across processes (temperature, nonce seed, structured output). {@link #build} gives the judge
 * the driver would build from the same fields, so a verdict does not depend on where it was computed.
 */
public record JudgeSpec(String providersJson, String modelRef, String rubric, int scaleMin, int scaleMax,
                        String scaleDescription, Double temperature, long nonceSeed,
                        JudgeModel.StructuredOutput structuredOutput) implements WorkerSpec<Judge> {

    private static final ObjectMapper JSON = new ObjectMapper();

    public JudgeSpec {
        Objects.requireNonNull(providersJson, "providersJson");
        Objects.requireNonNull(modelRef, "modelRef");
        Objects.requireNonNull(rubric, "rubric");
        Objects.requireNonNull(structuredOutput, "structuredOutput");
        new Scale(scaleMin, scaleMax, scaleDescription);
    }

    /** A judge of {@code modelRef} as resolved by {@code providers}, on {@code scale}. */
    public static JudgeSpec of(ProvidersConfig providers, String modelRef, String rubric, Scale scale, long nonceSeed) {
        try {
            return new JudgeSpec(JSON.writeValueAsString(providers), modelRef, rubric, scale.min(), scale.max(),
                    scale.description(), 0.0, nonceSeed, JudgeModel.StructuredOutput.AUTO);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("providers config of judge " + modelRef + " cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    public JudgeSpec withStructuredOutput(JudgeModel.StructuredOutput mode) {
        return new JudgeSpec(providersJson, modelRef, rubric, scaleMin, scaleMax, scaleDescription, temperature, nonceSeed, mode);
    }

    public Scale scale() {
        return new Scale(scaleMin, scaleMax, scaleDescription);
    }

    @Override
    public Judge build(SecretEnv secrets) {
        Providers providers = Providers.builder()
                .config(ProvidersConfig.parse(providersJson, "judge " + modelRef + "'s providers"))
                .env(secrets::get)
                .build();
        JudgeModel model = JudgeModel.builder().model(providers.chatModel(modelRef)).name(modelRef)
                .temperature(temperature).nonceSeed(nonceSeed).structuredOutput(structuredOutput).build();
        return PointwiseJudge.builder().model(model).rubric(rubric).scale(scale()).build();
    }

    /** Leaves out the nonce seed: nonces are what keeps judged content from forging the judge's delimiters. */
    @Override
    public String toString() {
        return "JudgeSpec[" + modelRef + ", scale " + scaleMin + ".." + scaleMax + "]";
    }
}
