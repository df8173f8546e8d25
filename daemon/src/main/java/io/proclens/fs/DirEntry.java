package io.proclens.fs;

/** One name in a directory listing. */
public record DirEntry(String name, NodeAttr attr) {
}
