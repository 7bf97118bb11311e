package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds a whole call, retries and fallbacks included. The call runs on the caller's own thread; a timer
 * interrupts that thread when the deadline passes, which cancels the JDK HTTP exchange or the retry sleep in
 * progress, and the caller gets a {@link DeadlineExceededException}. Once the deadline has passed the call fails
 * even if an answer arrives after all: a caller is never handed an answer later than it asked for.
 *
 * <p>Why not run the call on a thread of its own and wait for it with a timeout: that costs two thread hand-offs
 * per call (start it, then wake the caller), tens of microseconds each on a busy machine, where arming and
 * cancelling a timer costs about one. The one thing it would add, returning on time from code that ignores
 * interrupts, no vendor client here needs: the JDK HTTP client cancels its exchange when interrupted.
 */
public final class DeadlineChatModel extends ForwardingChatModel {

    /** One timer thread for every deadline of the process; cancelled timers leave its queue at once. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final String name;
    private final Duration deadline;

    public DeadlineChatModel(ChatModel delegate, String name, Duration deadline) {
        super(delegate);
        this.name = name;
        this.deadline = deadline;
    }

    private static ScheduledThreadPoolExecutor timer() {
        var timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("consilium-deadlines").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        Expiry expiry = new Expiry(Thread.currentThread());
        ScheduledFuture<?> timer = TIMER.schedule(expiry, deadline.toNanos(), TimeUnit.NANOSECONDS);
        ChatResponse response;
        try {
            response = delegate.chat(request, options);
        } catch (RuntimeException | Error e) {
            if (expiry.finishInTime()) throw e;
            DeadlineExceededException late = exceeded();
            late.addSuppressed(e);
            throw late;
        } finally {
            timer.cancel(false);
        }
        if (!expiry.finishInTime()) throw exceeded();
        return response;
    }

    private DeadlineExceededException exceeded() {
        return new DeadlineExceededException(name + ": no answer within the deadline of " + deadline.toMillis()
                + " ms; the call was cancelled");
    }

    /**
     * The race between the call's end and the timer, settled once. The timer interrupts the caller only if it
     * wins; a caller that loses waits until that interrupt has landed and then clears it, so no stray interrupt
     * outlives the call to break the caller's next blocking operation.
     */
    private static final class Expiry extends AtomicInteger implements Runnable {
        private static final int RUNNING = 0, FINISHED = 1, FIRING = 2, FIRED = 3;

        private final Thread caller;

        Expiry(Thread caller) {
            this.caller = caller;
        }

        @Override
        public void run() {
            if (compareAndSet(RUNNING, FIRING)) {
                caller.interrupt();
                set(FIRED);
            }
        }

        /** True if the call ended before the deadline; false once the timer fired (its interrupt cleared). */
        boolean finishInTime() {
            if (compareAndSet(RUNNING, FINISHED)) return true;
            while (get() == FIRING) Thread.onSpinWait(); // the timer is between its CAS and interrupt()
            Thread.interrupted();
            return false;
        }
    }
}
