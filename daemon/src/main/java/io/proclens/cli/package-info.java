/**
 * The {@code proclens} command line (picocli): {@code mount} and the worker's {@code serve}, {@code upgrade},
 * {@code options}, {@code stats}, {@code check}, {@code remount}, {@code docker-flags}, {@code webhook},
 * {@code version}; the checks before mounting ({@link io.proclens.cli.Preflight}) and one-line user errors
 * ({@link io.proclens.cli.UserError}). Wires the other packages together; holds no logic of its own worth a test
 * without them.
 */
package io.proclens.cli;
