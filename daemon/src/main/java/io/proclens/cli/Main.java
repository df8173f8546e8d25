package io.proclens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The {@code proclens} command. */
@Command(name = "proclens", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Serves a cgroup-aware /proc over FUSE: every container reads its own limits.",
        subcommands = {MountCommand.class, OptionsCommand.class, CheckCommand.class, DockerFlagsCommand.class,
                VersionCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        configureLogging();
        CommandLine commandLine = new CommandLine(new Main());
        // A user error is one clear line, never a stack trace.
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            if (e instanceof UserError) {
                cl.getErr().println("proclens: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** One line per record, readable in a terminal, a journal or `docker logs`. */
    static void configureLogging() {
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) root.removeHandler(handler);
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String line = "proclens: " + r.getLevel().getName().toLowerCase() + ": " + formatMessage(r);
                if (r.getThrown() != null) line += " (" + r.getThrown() + ")";
                return line + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }
}
