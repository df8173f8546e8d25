package io.proclens.cli;

import io.proclens.mounts.RunFiles;
import io.proclens.control.ControlClient;

import java.io.IOException;
import java.nio.file.Path;

/** A request to the control socket of the daemon serving a mountpoint, for the commands that talk to one. */
final class DaemonControl {
    private DaemonControl() {
    }

    /** The daemon's reply to {@code request}; a missing daemon or an "error: ..." reply is the user's error. */
    static String ask(Path mountpoint, String request) {
        Path socket = RunFiles.controlSocket(mountpoint);
        String reply;
        try {
            reply = ControlClient.send(socket, request);
        } catch (IOException e) {
            throw new UserError("no proclens daemon answers for " + mountpoint + " (" + socket + ": "
                    + e.getMessage() + ")");
        }
        if (reply.startsWith("error: ")) throw new UserError(reply.substring("error: ".length()));
        return reply;
    }
}
