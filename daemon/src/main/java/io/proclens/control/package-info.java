/**
 * The control socket of a running daemon ({@code /run/proclens/control<mountpoint>.sock}, root only, one line per
 * request): see and change the LXCFS switches without a restart, kept in {@code /run/proclens/options<mountpoint>}
 * for later workers of the mount, and the counts {@code proclens stats} prints. Uses {@code render}, and
 * {@code metrics} for the JVM's memory.
 */
package io.proclens.control;
