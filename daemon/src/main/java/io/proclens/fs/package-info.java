/**
 * The virtual tree the FUSE session serves: the directories and files at LXCFS's paths
 * ({@link io.proclens.fs.VirtualFile}), the host directory mirrored beside them ({@link io.proclens.fs.HostMirror}),
 * and open files ({@link io.proclens.fs.HandleTable}) with the kernel's seq_file semantics: a read at offset 0
 * renders anew through the {@link io.proclens.fs.Renderer}, other offsets continue that rendering.
 * {@link io.proclens.fs.ProcFs} is the {@link io.proclens.fs.Filesystem} the session asks; it knows nothing of
 * FUSE or cgroups.
 */
package io.proclens.fs;
