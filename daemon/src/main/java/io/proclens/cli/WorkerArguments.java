package io.proclens.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code proclens serve}'s arguments, read without picocli. Only the holder writes them ({@link ServingOptions#asArguments},
 * the worker's number and socket, the mountpoint), so the worker needs no help, usage or error texts; and picocli is
 * the largest part of a JVM's start here: its classes are too old a class file version for the JDK's AOT cache, so
 * every start reads and interprets them (a third of a serving JVM's start samples). The options are the same
 * {@code @Option} fields picocli fills, found by their names, so the two cannot drift apart.
 */
final class WorkerArguments {
    private WorkerArguments() {
    }

    /** @throws IllegalArgumentException an argument the holder would never write */
    static ServeCommand parse(List<String> args) {
        ServeCommand serve = new ServeCommand();
        serve.serving = new ServingOptions();
        applyDefaults(serve);
        applyDefaults(serve.serving);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-")) {
                serve.serving.mountpoint = Path.of(arg);
                continue;
            }
            Object owner = serve;
            Field field = optionNamed(ServeCommand.class, arg);
            if (field == null) {
                owner = serve.serving;
                field = optionNamed(ServingOptions.class, arg);
            }
            if (field == null) throw new IllegalArgumentException("unknown worker argument " + arg);
            if (field.getType() == boolean.class) {
                set(field, owner, true);
            } else if (i + 1 < args.size()) {
                set(field, owner, convert(field, args.get(++i)));
            } else {
                throw new IllegalArgumentException("worker argument " + arg + " has no value");
            }
        }
        if (serve.holder == null) throw new IllegalArgumentException("no --holder");
        return serve;
    }

    /** What picocli's annotations say for "no defaultValue given". */
    private static final String NO_DEFAULT = "__no_default_value__";

    /** The defaults picocli would give: annotation defaultValues (fields with an initializer keep theirs). */
    private static void applyDefaults(Object owner) {
        for (Field field : owner.getClass().getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            Parameters parameters = field.getAnnotation(Parameters.class);
            String value = option != null ? option.defaultValue() : parameters != null ? parameters.defaultValue() : null;
            if (value != null && !value.equals(NO_DEFAULT)) set(field, owner, convert(field, value));
        }
    }

    private static Field optionNamed(Class<?> type, String name) {
        for (Field field : type.getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option != null && List.of(option.names()).contains(name)) return field;
        }
        return null;
    }

    /** As picocli converts: the option's own converter if it names one, else by the field's type. */
    private static Object convert(Field field, String text) {
        Option option = field.getAnnotation(Option.class);
        if (option != null && option.converter().length > 0) {
            try {
                var constructor = option.converter()[0].getDeclaredConstructor();
                constructor.setAccessible(true);
                return constructor.newInstance().convert(text);
            } catch (Exception e) {
                throw new IllegalArgumentException("worker argument " + option.names()[0] + " " + text + ": "
                        + e.getMessage(), e);
            }
        }
        Class<?> type = field.getType();
        if (type == int.class) return Integer.parseInt(text);
        if (type == long.class) return Long.parseLong(text);
        if (type == Path.class) return Path.of(text);
        if (type == String.class) return text;
        throw new IllegalArgumentException("a worker option of type " + type.getSimpleName());
    }

    private static void set(Field field, Object owner, Object value) {
        try {
            field.setAccessible(true);
            field.set(owner, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
