package io.proclens.cli;

/** Something the user can fix; printed as one line, exit status 1. */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message, null, false, false);
    }
}
