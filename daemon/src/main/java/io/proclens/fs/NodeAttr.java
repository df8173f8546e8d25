package io.proclens.fs;

/** The attributes the kernel sees for a node; the permissions follow from the kind (dirs 0555, files 0444). */
public record NodeAttr(long ino, boolean directory, long size, int links) {
}
