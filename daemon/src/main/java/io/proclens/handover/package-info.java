/**
 * The holder and its workers: {@link io.proclens.handover.Supervisor} keeps the mounted {@code /dev/fuse}
 * descriptor and the connection's FUSE_INIT, starts workers and hands the descriptor over (SCM_RIGHTS,
 * {@link io.proclens.sys.FdChannel}) when one dies or an upgrade replaces it, asking the kernel to resend what
 * a dead worker had not answered. {@link io.proclens.handover.WorkerLink} is the worker's end.
 */
package io.proclens.handover;
