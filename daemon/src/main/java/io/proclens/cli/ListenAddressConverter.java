package io.proclens.cli;

import io.proclens.metrics.ListenAddress;
import picocli.CommandLine;

/** {@code --metrics ADDRESS}: a bad one is the user's error at start, in picocli's words, never a worker's crash. */
final class ListenAddressConverter implements CommandLine.ITypeConverter<ListenAddress> {
    @Override
    public ListenAddress convert(String value) {
        try {
            ListenAddress address = ListenAddress.parse(value);
            address.resolve(); // an unknown host, or another machine's address
            return address;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
