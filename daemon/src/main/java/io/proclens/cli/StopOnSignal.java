package io.proclens.cli;

import io.proclens.fuse.FuseSession;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * SIGTERM, SIGINT and SIGHUP unmount and let the daemon exit 0. The handlers are installed before the mount
 * exists, so a signal that arrives while mounting is not lost to the JVM's default (exit 143): it is
 * remembered and acted on as soon as the session is attached.
 */
final class StopOnSignal {
    private static final Logger LOG = Logger.getLogger(StopOnSignal.class.getName());

    private final AtomicReference<FuseSession> session = new AtomicReference<>();
    private volatile String requestedBy; // the signal's name, once one arrived

    static StopOnSignal install() {
        StopOnSignal stopper = new StopOnSignal();
        for (String name : List.of("TERM", "INT", "HUP")) {
            Signal.handle(new Signal(name), signal -> stopper.request("SIG" + signal.getName()));
        }
        return stopper;
    }

    private void request(String signal) {
        requestedBy = signal;
        FuseSession current = session.get();
        if (current != null) stopAsync(current);
    }

    /** From now on a signal stops {@code serving}; if one came already, it is stopped now. */
    void attach(FuseSession serving) {
        session.set(serving);
        if (requestedBy != null) stopAsync(serving);
    }

    private void stopAsync(FuseSession serving) {
        // stop() waits for the loop threads; the signal dispatcher thread must not.
        Thread.ofPlatform().name("stop").start(() -> {
            LOG.info(requestedBy + ": unmounting " + serving.mountpoint());
            serving.stop();
        });
    }
}
