package io.proclens.handover;

import io.proclens.handover.HolderState.Action;
import io.proclens.handover.HolderState.Connection;
import io.proclens.handover.HolderState.Give;
import io.proclens.handover.HolderState.Kill;
import io.proclens.handover.HolderState.Later;
import io.proclens.handover.HolderState.Reject;
import io.proclens.handover.HolderState.Reply;
import io.proclens.handover.HolderState.Resend;
import io.proclens.handover.HolderState.Spawn;
import io.proclens.handover.HolderState.Tell;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every transition of the holder, as events in and actions out (logs left out of the comparisons). */
class HolderStateTest {
    static final Path JAR = Path.of("/opt/proclens.jar");
    static final Path NEW_JAR = Path.of("/opt/proclens-2.jar");

    /** The actions but the log lines. */
    static List<Action> acts(List<Action> actions) {
        return actions.stream().filter(a -> !(a instanceof HolderState.Log)).toList();
    }

    /** A holder whose worker 1 serves. */
    static HolderState serving(boolean standby) {
        HolderState state = new HolderState("/mnt", JAR, standby);
        state.start();
        state.started(1, 101);
        state.hello(1);
        state.serving(1);
        return state;
    }

    @Test
    void theFirstWorkerGetsTheDescriptorAndAnswersTheInit() {
        HolderState state = new HolderState("/mnt", JAR, false);
        assertEquals(List.of(new Spawn(1, JAR, false)), acts(state.start()));
        state.started(1, 101);
        assertEquals(List.of(new Give(1, true)), acts(state.hello(1)));
        assertEquals(List.of(), acts(state.serving(1)));
        assertFalse(state.finished());
    }

    @Test
    void aHelloFromAnUnknownWorkerOrASecondHelloIsRejected() {
        HolderState state = serving(false);
        assertEquals(List.of(new Reject(7)), acts(state.hello(7)));
        assertEquals(List.of(new Reject(1)), acts(state.hello(1)));
    }

    @Test
    void aWorkerThatDiesIsReplacedAndItsRequestsResent() {
        HolderState state = serving(false);
        assertEquals(List.of(new Resend(), new Spawn(2, JAR, false)), acts(state.exited(1, 137, Connection.ALIVE)));
        state.started(2, 102);
        assertEquals(List.of(new Give(2, false)), acts(state.hello(2)), "the INIT was answered by worker 1");
    }

    @Test
    void aStandbyTakesOverAtOnceAndAnotherStandbyIsStarted() {
        HolderState state = new HolderState("/mnt", JAR, true);
        state.start();
        state.hello(1);
        assertEquals(List.of(new Spawn(2, JAR, false)), acts(state.serving(1)), "a standby");
        assertEquals(List.of(), acts(state.hello(2)), "the standby waits");
        assertEquals(List.of(new Resend(), new Give(2, false), new Spawn(3, JAR, false)),
                acts(state.exited(1, 137, Connection.ALIVE)));
    }

    @Test
    void workersThatKeepFailingAreRestartedAfterAGrowingPause() {
        HolderState state = new HolderState("/mnt", JAR, false);
        state.start();
        assertEquals(List.of(new Spawn(2, JAR, false)), acts(state.exited(1, 1, Connection.ALIVE)), "the first at once");
        List<Action> second = acts(state.exited(2, 1, Connection.ALIVE));
        assertEquals(List.of(new Later(400, new HolderState.RestartDue())), second);
        assertEquals(List.of(new Spawn(3, JAR, false)), acts(state.timer(new HolderState.RestartDue())));
        assertEquals(List.of(new Later(800, new HolderState.RestartDue())), acts(state.exited(3, 1, Connection.ALIVE)));
        for (int id = 4; id < 10; id++) {
            state.timer(new HolderState.RestartDue());
            List<Action> later = acts(state.exited(id, 1, Connection.ALIVE));
            assertTrue(((Later) later.getFirst()).millis() <= 5000, later.toString());
        }
    }

    @Test
    void anUpgradeHandsOverOnceTheNewWorkerServesAndTheOldRetires() {
        HolderState state = serving(false);
        List<Action> asked = acts(state.upgrade(NEW_JAR, 5));
        assertEquals(List.of(new Spawn(2, NEW_JAR, true), new Later(HolderState.UPGRADE_TIMEOUT_MILLIS,
                new HolderState.UpgradeDue(2))), asked);
        assertEquals(List.of(new Give(2, false)), acts(state.hello(2)));
        List<Action> served = acts(state.serving(2));
        assertEquals(new Tell(1, Message.Kind.RETIRE), served.get(0));
        assertEquals(Message.Kind.DONE, ((Reply) served.get(1)).kind());
        assertEquals(5, ((Reply) served.get(1)).client());
        // the old worker retires: no resend (it answered everything), no replacement (the new one serves)
        assertEquals(List.of(new Resend()), acts(state.exited(1, 0, Connection.ALIVE)),
                "it held the descriptor: what it had not answered goes to the new one");
        // a restart now runs the new jar
        assertEquals(List.of(new Resend(), new Spawn(3, NEW_JAR, false)), acts(state.exited(2, 137, Connection.ALIVE)));
    }

    @Test
    void anUpgradeWhoseWorkerDiesBeforeServingFailsAndTheOldGoesOn() {
        HolderState state = serving(false);
        state.upgrade(null, 5);
        state.started(2, 102);
        state.hello(2);
        List<Action> died = acts(state.exited(2, 1, Connection.ALIVE));
        assertEquals(new Resend(), died.get(0), "it held the descriptor");
        Reply reply = (Reply) died.get(1);
        assertEquals(Message.Kind.FAILED, reply.kind());
        assertTrue(reply.text().contains("worker 2 (pid 102) exited with status 1 before serving; worker 1"), reply.text());
        assertEquals(2, died.size(), "worker 1 goes on serving: nothing started");
    }

    @Test
    void anUpgradeThatCannotStartFailsAndOnlyOneUpgradeAtATime() {
        HolderState state = serving(false);
        state.upgrade(NEW_JAR, 5);
        assertEquals(List.of(new Reply(6, Message.Kind.FAILED, "an upgrade is under way")), acts(state.upgrade(null, 6)));
        List<Action> failed = acts(state.startFailed(2, NEW_JAR + " is not a file"));
        assertEquals(List.of(new Reply(5, Message.Kind.FAILED, NEW_JAR + " is not a file")), failed);
        assertEquals(List.of(new Spawn(3, JAR, true), new Later(HolderState.UPGRADE_TIMEOUT_MILLIS,
                new HolderState.UpgradeDue(3))), acts(state.upgrade(null, 7)), "the next upgrade may start");
    }

    @Test
    void anUpgradeThatDoesNotServeInTimeIsKilled() {
        HolderState state = serving(false);
        state.upgrade(NEW_JAR, 5);
        assertEquals(List.of(new Kill(2, true)), acts(state.timer(new HolderState.UpgradeDue(2))));
        state.hello(2);
        state.serving(2);
        assertEquals(List.of(), acts(state.timer(new HolderState.UpgradeDue(2))), "served meanwhile: left alone");
    }

    @Test
    void aStopTellsTheActiveWorkerToUnmountAndEndsTheOthers() {
        HolderState state = new HolderState("/mnt", JAR, true);
        state.start();
        state.hello(1);
        state.serving(1); // standby 2 started
        state.upgrade(NEW_JAR, 5); // candidate 3
        List<Action> stop = acts(state.stop("SIGTERM"));
        assertEquals(List.of(new Reply(5, Message.Kind.FAILED, "the daemon is stopping"),
                new Tell(1, Message.Kind.STOP), new Later(HolderState.STOP_TIMEOUT_MILLIS, new HolderState.StopDue(1)),
                new Kill(2, false), new Kill(3, false)), stop);
        assertEquals(List.of(), acts(state.stop("SIGINT")), "once");
        assertEquals(List.of(new Tell(2, Message.Kind.RETIRE)), acts(state.hello(2)), "a late hello retires");
        assertEquals(List.of(new Reply(9, Message.Kind.FAILED, "the daemon is stopping")), acts(state.upgrade(null, 9)));
        assertEquals(List.of(new Kill(1, true)), acts(state.timer(new HolderState.StopDue(1))), "did not stop in time");
        state.exited(2, 143, Connection.ALIVE);
        state.exited(3, 143, Connection.ALIVE);
        assertFalse(state.finished());
        assertEquals(List.of(), acts(state.exited(1, 0, Connection.UNMOUNTED)), "no resend, no replacement");
        assertTrue(state.finished());
        assertEquals(0, state.exitStatus());
    }

    @Test
    void anUnmountFromOutsideStopsTheHolderWithStatusZero() {
        HolderState state = serving(false);
        assertEquals(List.of(), acts(state.exited(1, 1, Connection.UNMOUNTED)), "no resend, no new worker");
        assertTrue(state.finished());
        assertEquals(0, state.exitStatus());
    }

    @Test
    void anAbortedConnectionStopsTheHolderWithStatusOne() {
        HolderState state = new HolderState("/mnt", JAR, true);
        state.start();
        state.hello(1);
        state.serving(1); // standby 2
        assertEquals(List.of(new Kill(2, false)), acts(state.exited(1, 1, Connection.ABORTED)));
        assertFalse(state.finished(), "the standby is still to exit");
        state.exited(2, 143, Connection.ABORTED);
        assertTrue(state.finished());
        assertEquals(1, state.exitStatus());
    }

    @Test
    void aWorkerThatNeverHeldTheDescriptorExitsWithoutResendOrStop() {
        HolderState state = new HolderState("/mnt", JAR, true);
        state.start();
        state.hello(1);
        state.serving(1); // standby 2
        assertEquals(List.of(), acts(state.exited(2, 1, Connection.UNMOUNTED)),
                "a standby's exit says nothing of the connection, and the next standby comes with the next hand-over");
        assertFalse(state.finished());
        assertEquals(List.of(new Resend(), new Spawn(3, JAR, false)), acts(state.exited(1, 137, Connection.ALIVE)));
    }

    @Test
    void aWorkerKilledBeforeItServesIsLoggedAndReplaced() {
        HolderState state = new HolderState("/mnt", JAR, false);
        state.start();
        state.started(1, 101);
        List<Action> actions = state.exited(1, 128 + 11, Connection.ALIVE);
        assertTrue(actions.contains(new HolderState.Log(java.util.logging.Level.WARNING,
                "worker 1 (pid 101) was killed by SIGSEGV (11) before serving")), actions.toString());
        assertTrue(acts(actions).stream().anyMatch(a -> a instanceof Spawn || a instanceof Later), actions.toString());
    }
}
