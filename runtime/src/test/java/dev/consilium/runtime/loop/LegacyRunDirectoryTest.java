package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run directory written before experiment files were resolved keeps its paths as written, relative to the
 * working directory; resuming it still finds them.
 */
class LegacyRunDirectoryTest {

    @Test
    void aRunWhoseExperimentKeptWorkingDirectoryPathsResumes(@TempDir Path dir) throws IOException {
        LoopFixture fixture = LoopFixture.create(dir);
        Path out = dir.resolve("run");
        ExperimentRun.start(LoopFixture.parse(fixture.experiment(out).put("rounds", 1)), LoopFixture.quiet()).run();

        Path here = Path.of("").toAbsolutePath();
        ObjectNode legacy = fixture.experiment(out).put("policy", here.relativize(fixture.policy()).toString());
        legacy.with("tasks").put("train", here.relativize(fixture.train()).toString())
                .put("heldout", here.relativize(fixture.heldout()).toString());
        Files.writeString(out.resolve("experiment.json"), legacy.toPrettyString());

        ExperimentRun.Result r = ExperimentRun.resume(out, LoopFixture.quiet()).run();
        assertEquals(3, r.rounds().size(), "round 2 ran after the resumed round 1");
    }
}
