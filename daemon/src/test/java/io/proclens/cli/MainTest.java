package io.proclens.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The subcommands Main adds by name, only the one asked for. */
class MainTest {
    @Test
    void everySubcommandIsListedUnderItsOwnName() {
        Main.SUBCOMMANDS.forEach((name, command) -> assertEquals(name,
                command.get().getClass().getAnnotation(CommandLine.Command.class).name(), name));
        assertEquals(12, Main.SUBCOMMANDS.size());
    }
}
