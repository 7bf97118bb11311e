package dev.consilium.runtime.loop;

import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkerSpec;
import dev.langchain4j.model.chat.ChatModel;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.util.Objects;

/**
 * A stage's policy as a worker spec: the checkpoint, the experiment's workflow by its registry name and
 * parameters ({@link WorkflowSpec} JSON), and the sampling options. On the driver it wraps the live model and
 * workflow; on an executor it loads the checkpoint once per JVM and rebuilds the workflow from the plugins on the
 * executor's class path, so a workflow made of lambdas in Java cannot travel (it has no name to rebuild it by).
 */
final class PolicySpec implements WorkerSpec<PolicySpec.Worker> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** One unit: the worker's workflow on the unit's task, sampled with its seed or greedy. */
    static final UnitFunction<Worker, PolicyUnit, TrajectoryResult> RUN = (w, u) -> new TrajectoryResult(w.run(u.payload()));

    private final PolicyCheckpoint checkpoint;
    private final String workflowJson;
    private final Sampling sampling;
    private final transient PolicyWorkflow workflow;

    private PolicySpec(PolicyCheckpoint checkpoint, PolicyWorkflow workflow, String workflowJson, Sampling sampling) {
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        this.workflow = workflow;
        this.workflowJson = workflowJson;
        this.sampling = Objects.requireNonNull(sampling, "sampling");
    }

    static PolicySpec of(PolicyCheckpoint checkpoint, PolicyWorkflow workflow, Sampling sampling) {
        return new PolicySpec(checkpoint, workflow, workflow instanceof PolicyWorkflow.Named n ? n.spec().toJson() : null, sampling);
    }

    /** Null where the workflow can be rebuilt elsewhere; otherwise why not, and what to do instead. */
    static String whyNotTravelling(PolicyWorkflow workflow) {
        if (workflow instanceof PolicyWorkflow.Named) return null;
        return "workflow: a workflow built in Java from a lambda (" + workflow.getClass().getName() + ") cannot be sent to "
                + "executors in other JVMs, which rebuild it by name; register its type in a ConsiliumPlugin (on the "
                + "executors' class path too) and give it with .workflow(factory, WorkflowSpec.of(type, ...)), or run in-process";
    }

    /** The live policy, its workflow and sampling, as one unit of the round's work needs them. */
    record Worker(ChatModel chat, PolicyWorkflow workflow, Sampling sampling, AutoCloseable resources) implements AutoCloseable {
        Trajectory run(PolicyUnit u) {
            ChatModel model = u.greedy() ? sampling.greedy(chat) : sampling.sampled(chat, u.seed());
            return workflow.over(model).run(new Task(u.taskId(), u.input(), u.metadata()));
        }

        @Override
        public void close() throws Exception {
            resources.close();
        }
    }

    @Override
    public Worker build(SecretEnv secrets) {
        PolicyWorkflow w = workflow != null ? workflow : PolicyWorkflow.registered(WorkflowSpec.parse(workflowJson),
                PluginRegistry.load(Thread.currentThread().getContextClassLoader()));
        PolicyCheckpoint.Served served = checkpoint.serve();
        return new Worker(served.chat(), w, sampling, served.resources());
    }

    /** A new round's policy replaces the last one on an executor. */
    @Override
    public boolean supersedes(WorkerSpec<?> other) {
        return other instanceof PolicySpec && !other.equals(this);
    }

    long checkpointBytes() throws NotSerializableException {
        return checkpoint.bytes();
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        if (workflowJson == null) throw new NotSerializableException(whyNotTravelling(workflow));
        out.defaultWriteObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicySpec s && s.checkpoint.equals(checkpoint) && Objects.equals(s.workflowJson, workflowJson)
                && s.sampling.equals(sampling);
    }

    @Override
    public int hashCode() {
        return Objects.hash(checkpoint, workflowJson, sampling);
    }

    @Override
    public String toString() {
        return "PolicySpec[" + checkpoint + ", " + workflowJson + ", " + sampling + "]";
    }
}
