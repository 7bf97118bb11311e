package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.TrajectoryJsonl;
import dev.consilium.agents.workflow.Workflows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One critique loop over 200 tasks, 32 at a time, trajectories appended to a JSONL file as they finish. */
public final class MapExample {
    public static void main(String[] args) {
        Agent solver = Agent.builder().name("solver").role("Answer with the number only.").model(OfflineModel.sloppy()).build();
        Agent critic = Agent.builder().name("critic").role("Check the answer: 'correct' or what is wrong.").model(OfflineModel.careful()).build();
        var review = Workflows.loop(solver, critic).until(turn -> turn.text().equals("correct")).maxRounds(3);

        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) tasks.add(Task.of("sum-" + i, "What is " + i + " + " + (3 * i + 7) + "?"));
        Path out = Path.of(args.length > 0 ? args[0] : "target/map-example.jsonl");

        try (TrajectoryJsonl jsonl = TrajectoryJsonl.appender(out)) {
            Workflows.map(review, tasks)
                    .concurrency(32)
                    .onProgress(p -> { if (p.done() % 50 == 0) System.out.println(p.done() + "/" + p.total() + " done"); })
                    .forEach(jsonl::append);
        }
        System.out.println("trajectories: " + out.toAbsolutePath() + " (" + TrajectoryJsonl.read(out).size() + " lines)");
    }
}
