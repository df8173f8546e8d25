package io.proclens.heal;

import io.proclens.sys.MountCalls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs mount calls inside another process's mount namespace, from a JVM thread of ours: a new platform thread
 * gives itself its own root and working directory (unshare(CLONE_FS), without which setns refuses a thread of a
 * multi-threaded process), enters the namespace, takes the process's root as its own (mountinfo's paths are
 * relative to it) and ends when done, so that no other thread ever sees the container's mounts.
 */
final class InNamespace {
    private InNamespace() {
    }

    interface Work {
        void run() throws IOException;
    }

    /**
     * @param namespace the namespace {@code pid} was seen in: a process that exited and whose pid was taken by
     *                  another is refused
     */
    static void run(int pid, long namespace, Work work) throws IOException {
        int ns = MountCalls.openReadOnly("/proc/" + pid + "/ns/mnt");
        try {
            int root = MountCalls.openDirectoryPath("/proc/" + pid + "/root");
            try {
                if (ProcBinds.namespaceOf(Path.of("/proc/" + pid)) != namespace) {
                    throw new IOException("process " + pid + " exited and its pid was taken over");
                }
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread thread = Thread.ofPlatform().name("proclens-remount-" + pid).start(() -> {
                    try {
                        MountCalls.unshareFs();
                        MountCalls.enterMountNamespace(ns);
                        MountCalls.changeRoot(root);
                        work.run();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                joinUninterruptibly(thread); // the thread uses our descriptors until it ends
                Throwable t = failure.get();
                if (t instanceof IOException e) throw e;
                if (t != null) throw new IOException(t);
            } finally {
                MountCalls.close(root);
            }
        } finally {
            MountCalls.close(ns);
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
