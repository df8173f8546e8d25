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
        description = "Serves a cgroup-aware /proc over FUSE: every container reads its own limits.")
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The subcommands by name, in the order help lists them. */
    static final java.util.Map<String, java.util.function.Supplier<Object>> SUBCOMMANDS = subcommands();

    private static java.util.Map<String, java.util.function.Supplier<Object>> subcommands() {
        var commands = new java.util.LinkedHashMap<String, java.util.function.Supplier<Object>>();
        commands.put("mount", MountCommand::new);
        commands.put("options", OptionsCommand::new);
        commands.put("stats", StatsCommand::new);
        commands.put("check", CheckCommand::new);
        commands.put("remount", RemountCommand::new);
        commands.put("docker-flags", DockerFlagsCommand::new);
        commands.put("seccomp-profile", SeccompProfileCommand::new);
        commands.put("upgrade", UpgradeCommand::new);
        commands.put("webhook", WebhookCommand::new);
        commands.put("version", VersionCommand::new);
        commands.put("serve", ServeCommand::new);
        commands.put("oci-sysinfo", OciSysinfoCommand::new);
        return commands;
    }

    public static void main(String[] args) {
        configureLogging();
        if (args.length > 0 && args[0].equals("serve")) System.exit(serve(java.util.List.of(args).subList(1, args.length)));
        CommandLine commandLine = new CommandLine(new Main());
        // picocli reads every command's annotations when it is added: only the one asked for, when one is (a quarter
        // of the time from launching `mount` to its first served read went to building the other nine).
        var asked = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (asked != null) {
            commandLine.addSubcommand(args[0], asked.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> commandLine.addSubcommand(name, command.get()));
        }
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

    /** A worker, started by the holder: its arguments without picocli ({@link WorkerArguments}). */
    private static int serve(java.util.List<String> args) {
        try {
            return WorkerArguments.parse(args).call();
        } catch (UserError e) {
            System.err.println("proclens: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Set by a daemon that starts itself in the background and logs to a file. */
    static final String LOG_TIMESTAMPS = "PROCLENS_LOG_TIMESTAMPS";

    /**
     * One line per record, readable in a terminal, a journal or `docker logs`. Under systemd (JOURNAL_STREAM set) each
     * line starts with its syslog priority, "<4>", which the journal takes as the level; in a log file of our own
     * each line starts with the time.
     */
    static void configureLogging() {
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) root.removeHandler(handler);
        ConsoleHandler handler = new ConsoleHandler();
        boolean journal = System.getenv("JOURNAL_STREAM") != null;
        boolean timestamps = System.getenv(LOG_TIMESTAMPS) != null;
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String line = "proclens: " + r.getLevel().getName().toLowerCase() + ": " + formatMessage(r);
                if (r.getThrown() != null) line += " (" + r.getThrown() + ")";
                if (journal) line = "<" + syslogPriority(r.getLevel()) + ">" + line;
                else if (timestamps) line = r.getInstant() + " " + line;
                return line + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** sd-daemon(3)'s prefixes: err, warning, info, debug. */
    static int syslogPriority(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) return 3;
        if (level.intValue() >= Level.WARNING.intValue()) return 4;
        if (level.intValue() >= Level.INFO.intValue()) return 6;
        return 7;
    }
}
