package dev.consilium.runtime.loop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ExperimentTest {
    private static final String JSON = """
            {"name": "demo", "policy": "models/demo-policy",
             "workflow": {"type": "solver-reviser"},
             "tasks": {"train": "train.jsonl", "heldout": "heldout.jsonl", "heldout_limit": 50},
             "judges": [{"model": "builtin/models/demo-judge", "prompt": "arithmetic-judge", "weight": 1.0}],
             "rewards": [{"type": "exact_match", "weight": 0.0}],
             "algorithm": {"name": "grpo", "lr": 2e-4, "clip_low": 0.2, "clip_high": 0.28, "beta": 0.0},
             "rounds": 3, "tasks_per_round": 16, "rollouts_per_task": 8, "seed": 7, "out": "runs/demo"}
            """;

    private static final String YAML = """
            name: demo
            policy: models/demo-policy
            workflow:
              type: solver-reviser
            tasks:
              train: train.jsonl
              heldout: heldout.jsonl
              heldout_limit: 50
            judges:
              - model: builtin/models/demo-judge
                prompt: arithmetic-judge
                weight: 1.0
            rewards:
              - type: exact_match
                weight: 0.0
            algorithm: {name: grpo, lr: 2.0e-4, clip_low: 0.2, clip_high: 0.28, beta: 0.0}
            rounds: 3
            tasks_per_round: 16
            rollouts_per_task: 8
            seed: 7
            out: runs/demo
            """;

    @TempDir
    Path dir;

    @Test
    void jsonAndYamlSayTheSameExperiment() throws IOException {
        Experiment json = Experiment.load(write("e.json", JSON));
        Experiment yaml = Experiment.load(write("e.yaml", YAML));
        assertEquals(json, yaml);
        assertEquals("models/demo-policy", json.policy());
        assertEquals(new Experiment.Tasks("train.jsonl", "heldout.jsonl", 50), json.tasks());
        assertEquals(List.of(new Experiment.JudgeSpec("builtin/models/demo-judge", "arithmetic-judge", 1.0)), json.judges());
        assertEquals(0.28, json.algorithm().clipHigh());
        assertEquals(8, json.rolloutsPerTask());
        assertEquals(7, json.seed());
        assertEquals(1.0, json.temperature(), "the default rollout temperature");
        assertEquals(json, Experiment.fromJson(json.toJson(), "experiment.json"), "the run directory's copy reads back");
    }

    @Test
    void omittedOptionsTakeTheirDefaults() throws IOException {
        Experiment e = Experiment.load(write("e.json", """
                {"name": "small", "policy": "p", "workflow": {"type": "solver-reviser"},
                 "tasks": {"train": "t", "heldout": "h"}, "rewards": [{"type": "exact_match"}], "rounds": 1}"""));
        assertEquals("grpo", e.algorithm().name());
        assertEquals(16, e.tasksPerRound());
        assertEquals(8, e.rolloutsPerTask());
        assertEquals("runs/small", e.out());
        assertEquals(List.of(), e.judges());
        assertFalse(e.perTurnCredit(), "every turn shares the outcome unless asked otherwise");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key            | "rounds": 3,               | "round": 3,                      | unknown field "round"
            unknown nested key     | "beta": 0.0}               | "beta": 0.0, "clip": 0.2}        | unknown field "algorithm.clip"
            missing policy         | "policy": "models/demo-policy", |                             | missing "policy"
            missing held-out split | "heldout": "heldout.jsonl", |                                 | missing "tasks.heldout"
            no rounds              | "rounds": 3,               | "rounds": 0,                     | "rounds" must be >= 1, was 0
            one rollout per task   | "rollouts_per_task": 8,    | "rollouts_per_task": 1,          | "rollouts_per_task" must be >= 2
            wrong algorithm        | "name": "grpo"             | "name": "ppo"                    | "algorithm.name" must be grpo, rft or dpo, was ppo
            unknown credit         | "rounds": 3,               | "rounds": 3, "credit": "shared", | "credit" must be outcome or per-turn, was shared
            warm-up over the steps | "beta": 0.0}               | "beta": 0.0, "warmup": 9}        | "algorithm.warmup" (9) must be between 0 and the run's optimizer steps, rounds x minibatches = 3
            judge without model    | "model": "builtin/models/demo-judge", |                       | missing "judges[0].model"
            text for a number      | "rounds": 3,               | "rounds": "x",                   | field "rounds"
            list for an object     | "tasks": {"train": "train.jsonl", "heldout": "heldout.jsonl", "heldout_limit": 50}, | "tasks": [], | field "tasks"
            """)
    void aBadFieldIsAnErrorThatNamesTheFileAndTheField(String what, String from, String to, String message) throws IOException {
        String text = JSON.replace(from, to == null ? "" : to);
        assertNotEquals(JSON, text, what + ": the edit should apply");
        Path file = write("bad.json", text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiment.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("dev.consilium"), "no Java class names: " + e.getMessage());
    }

    @Test
    void aYamlTypoIsNamedToo() throws IOException {
        Path file = write("bad.yml", YAML.replace("rounds: 3", "rounds: 3\nround: 4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiment.load(file));
        assertTrue(e.getMessage().contains("unknown field \"round\""), e.getMessage());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
