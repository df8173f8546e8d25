package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.proclens.it.ProcFiles.kb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Odd and hostile requests on a real mount: nothing can be written, every read is answered sanely. */
@ExtendWith(ServedMount.class)
class FuseOpsIT {
    /** The errnos a write may get: the mount is read-only, and every node is r-x or r-- for everyone. */
    static final Set<String> REFUSED = Set.of("EROFS", "EACCES");

    /**
     * Tries every writing system call on the files and directories given, printing "call path errno" for each: a
     * script so that the errno is exact (java.nio maps some to the same exception).
     */
    static final String WRITES = """
            import errno, os, sys
            def t(name, path, f):
                try:
                    f(); print(name, path, 'OK')
                except OSError as e:
                    print(name, path, errno.errorcode[e.errno])
            files, dirs = sys.argv[1].split(','), sys.argv[2].split(',')
            for p in files:
                print('read', p, 'OK' if os.read(os.open(p, os.O_RDONLY), 64) else 'EMPTY')  # the refusals below are for writing
                for flags, name in [(os.O_WRONLY, 'open-wronly'), (os.O_RDWR, 'open-rdwr'),
                                    (os.O_WRONLY | os.O_TRUNC, 'open-trunc'), (os.O_RDONLY | os.O_TRUNC, 'open-rdonly-trunc'),
                                    (os.O_WRONLY | os.O_APPEND, 'open-append'), (os.O_RDWR | os.O_CREAT, 'open-creat')]:
                    t(name, p, lambda: os.open(p, flags))
                t('chmod', p, lambda: os.chmod(p, 0o777))
                t('chown', p, lambda: os.chown(p, 1, 1))
                t('truncate', p, lambda: os.truncate(p, 0))
                t('truncate-grow', p, lambda: os.truncate(p, 1 << 20))
                t('utime-now', p, lambda: os.utime(p))
                t('utime', p, lambda: os.utime(p, (1, 1)))
                t('unlink', p, lambda: os.unlink(p))
                t('rename', p, lambda: os.rename(p, p + '.moved'))
                t('rename-over-dir', p, lambda: os.rename(p, os.path.dirname(p)))
                t('link', p, lambda: os.link(p, p + '.link'))
                for attr in ['user.x', 'trusted.x', 'security.x']:
                    t('setxattr-' + attr, p, lambda: os.setxattr(p, attr, b'1'))
                    t('removexattr-' + attr, p, lambda: os.removexattr(p, attr))
            for d in dirs:
                n = os.path.join(d, 'new')
                t('create', d, lambda: os.open(n, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                t('mkdir', d, lambda: os.mkdir(n))
                t('symlink', d, lambda: os.symlink('/etc/passwd', n))
                t('mknod-fifo', d, lambda: os.mknod(n, 0o600 | 0o010000))
                t('mknod-file', d, lambda: os.mknod(n, 0o600 | 0o100000))
                t('mknod-chr', d, lambda: os.mknod(n, 0o600 | 0o020000, os.makedev(1, 3)))
                t('unlink-missing', d, lambda: os.unlink(n))
                t('rmdir-missing', d, lambda: os.rmdir(n))
                t('chmod', d, lambda: os.chmod(d, 0o777))
                t('chown', d, lambda: os.chown(d, 1, 1))
                t('utime', d, lambda: os.utime(d, (1, 1)))
                for attr in ['user.x', 'trusted.x', 'security.x']:
                    t('setxattr-' + attr, d, lambda: os.setxattr(d, attr, b'1'))
                    t('removexattr-' + attr, d, lambda: os.removexattr(d, attr))
            """;

    /** The directories that are not the mountpoint: these can also be asked to go away or move. */
    static final String DIR_WRITES = """
            import errno, os, sys
            for d in sys.argv[1].split(','):
                for name, f in [('rmdir', lambda: os.rmdir(d)), ('rename', lambda: os.rename(d, d + '.moved')),
                                ('rename-into-self', lambda: os.rename(d, os.path.join(d, 'x')))]:
                    try:
                        f(); print(name, d, 'OK')
                    except OSError as e:
                        print(name, d, errno.errorcode[e.errno])
            """;

    /**
     * Reads a directory with getdents64 after lseek to each offset given (an entry index for proclens), printing
     * "offset: names" or "offset: ERRNO"; then reads it whole 1 entry per call ("small: names").
     */
    static final String READDIR = """
            import ctypes, errno, os, struct, sys
            libc = ctypes.CDLL(None, use_errno=True)
            SYS_getdents64 = 217 if os.uname().machine == 'x86_64' else 61
            def names(fd, size, calls):
                out, buf = [], ctypes.create_string_buffer(size)
                for _ in range(calls):
                    n = libc.syscall(SYS_getdents64, fd, buf, size)
                    if n < 0:
                        return errno.errorcode[ctypes.get_errno()]
                    if n == 0:
                        break
                    raw, pos = buf.raw[:n], 0
                    while pos < n:
                        reclen = struct.unpack_from('H', raw, pos + 16)[0]
                        out.append(raw[pos + 19:pos + reclen].split(b'\\0')[0].decode())
                        pos += reclen
                return ' '.join(out)
            d = sys.argv[1]
            fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
            for off in [int(x) for x in sys.argv[2].split(',')]:
                try:
                    os.lseek(fd, off, os.SEEK_SET)
                except OSError as e:
                    print(str(off) + ': ' + errno.errorcode[e.errno]); continue
                print(str(off) + ': ' + names(fd, 32768, 1000))
            os.lseek(fd, 0, os.SEEK_SET)
            print('small: ' + names(fd, 48, 1000))
            os.lseek(fd, 0, os.SEEK_SET)
            print('tiny: ' + names(fd, 8, 1))
            """;

    /** mmap(2) of a file, shared and private, and a touch of its first byte; "how outcome" per line. */
    static final String MMAP = """
            import ctypes, errno, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            libc.mmap.restype = ctypes.c_void_p
            libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
            fd = os.open(sys.argv[1], os.O_RDONLY)
            flags = {'shared': 1, 'private': 2}[sys.argv[2]]
            address = libc.mmap(None, 4096, 1, flags, fd, 0)
            if address in (None, ctypes.c_void_p(-1).value):
                print('mmap', sys.argv[2], errno.errorcode[ctypes.get_errno()])
            else:
                print('mmap', sys.argv[2], 'mapped', flush=True)
                print('first byte', ctypes.string_at(address, 1))
            """;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
        org.junit.jupiter.api.Assumptions.assumeTrue(Host.hasCommand("python3"), "needs python3");
        // the mount's temp dir (ServedMount) is traversable by everyone: refusals are the mount's own
    }

    @Test
    void everyWriteIsRefusedAndNothingChanges(Daemon daemon) throws Exception {
        String before = tree(daemon);
        List<String> files = List.of(daemon.file("proc/meminfo").toString(), daemon.file("proc/cpuinfo").toString(),
                daemon.file("sys/devices/system/cpu/online").toString());
        List<String> dirs = List.of(daemon.mountpoint.toString(), daemon.file("proc").toString(),
                daemon.file("sys/devices/system/cpu").toString());

        // as root, and as nobody: the refusal must not depend on who asks
        List<List<String>> callers = new ArrayList<>(List.of(List.of("python3")));
        if (Files.isExecutable(Path.of("/usr/bin/python3")) && Host.hasCommand("setpriv")) {
            callers.add(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3"));
        }
        for (List<String> as : callers) {
            List<String> results = new ArrayList<>();
            results.addAll(script(as, WRITES, String.join(",", files), String.join(",", dirs)));
            results.addAll(script(as, DIR_WRITES, String.join(",", dirs.subList(1, dirs.size()))));
            assertTrue(results.size() > 100, results.toString());
            for (String line : results) {
                String errno = line.substring(line.lastIndexOf(' ') + 1);
                if (line.startsWith("read ")) assertEquals("OK", errno, "as " + as + ": " + line);
                else assertTrue(REFUSED.contains(errno), "as " + as + ": " + line + "\nall: " + results);
            }
        }

        // java.nio, and a shell's redirection: the reason reaches the caller
        Path meminfo = daemon.file("proc/meminfo");
        List<ThrowingRunnable> writes = List.of(
                () -> Files.writeString(meminfo, "x"),
                () -> Files.writeString(meminfo, "x", StandardOpenOption.APPEND),
                () -> Files.newByteChannel(meminfo, StandardOpenOption.READ, StandardOpenOption.WRITE).close(),
                () -> Files.createFile(daemon.file("proc/new")),
                () -> Files.createDirectory(daemon.file("proc/new")),
                () -> Files.createSymbolicLink(daemon.file("proc/new"), meminfo),
                () -> Files.createLink(daemon.file("proc/new"), meminfo),
                () -> Files.delete(meminfo),
                () -> Files.delete(daemon.file("sys/devices/system/cpu")),
                () -> Files.move(meminfo, daemon.file("proc/moved")),
                () -> Files.move(meminfo, daemon.file("sys/moved")),
                () -> Files.setPosixFilePermissions(meminfo, PosixFilePermissions.fromString("rw-rw-rw-")),
                () -> Files.setLastModifiedTime(meminfo, FileTime.fromMillis(0)),
                () -> Files.setAttribute(meminfo, "posix:group",
                        meminfo.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup")));
        for (ThrowingRunnable write : writes) {
            FileSystemException refused = assertThrows(FileSystemException.class, write::run);
            assertTrue(Set.of("Read-only file system", "Permission denied").contains(refused.getReason()),
                    refused.toString());
        }
        for (String command : List.of("echo x > " + meminfo, "echo x >> " + meminfo, "truncate -s 0 " + meminfo,
                "touch " + meminfo, "mkfifo " + daemon.file("proc/fifo"))) {
            Host.Result result = Host.run("sh", "-c", command);
            assertNotEquals(0, result.status(), command);
            assertTrue(result.output().contains("Read-only file system"), command + ": " + result.output());
        }

        assertEquals(before, tree(daemon), "the tree changed");
        assertTrue(kb(Files.readString(meminfo), "MemTotal") > 0);
    }

    @Test
    void readsPastTheEndHugeDirectSeekingAndMapped(Daemon daemon) throws Exception {
        for (String name : List.of("proc/meminfo", "proc/cpuinfo", "proc/stat", "sys/devices/system/cpu/online")) {
            Path file = daemon.file(name);
            try (FileChannel channel = FileChannel.open(file)) {
                // one read of 16 MiB returns the whole file, the next one the end
                ByteBuffer huge = ByteBuffer.allocateDirect(16 << 20);
                int whole = channel.read(huge);
                assertTrue(whole > 0 && whole < 1 << 20, name + ": " + whole);
                byte[] content = new byte[whole];
                huge.flip().get(content);
                assertEquals('\n', content[whole - 1], name);
                assertEquals(-1, channel.read(ByteBuffer.allocate(4096)), name);

                // past the end, far past the end: 0 bytes
                for (long offset : new long[]{whole, whole + 1L, 1 << 20, 1L << 40, 1L << 62}) {
                    assertEquals(-1, channel.read(ByteBuffer.allocate(4096), offset), name + " at " + offset);
                }
                // reads past offset 0 continue the rendering the read at 0 made
                for (long offset : new long[]{1, whole / 2, whole - 1}) {
                    channel.position(offset);
                    ByteBuffer rest = ByteBuffer.allocate(whole);
                    int read = channel.read(rest);
                    assertArrayEquals(java.util.Arrays.copyOfRange(content, (int) offset, whole),
                            java.util.Arrays.copyOf(rest.array(), read), name + " from " + offset);
                }
                // 1-byte reads from 0 add up to one whole rendering: the first renders anew, the others continue it
                channel.position(0);
                ByteBuffer one = ByteBuffer.allocate(1);
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                while (channel.read(one.clear()) == 1) bytes.write(one.get(0));
                String again = bytes.toString(StandardCharsets.US_ASCII);
                String first = new String(content, StandardCharsets.US_ASCII);
                assertEquals(first.lines().map(l -> l.split(":")[0]).toList(),
                        again.lines().map(l -> l.split(":")[0]).toList(), name + " byte by byte");
                assertTrue(again.endsWith("\n"), name + " byte by byte: " + again);
            }
        }

        // O_DIRECT: works (every read of ours is direct I/O already); a block-aligned buffer as Java wants
        Path meminfo = daemon.file("proc/meminfo");
        try (FileChannel direct = FileChannel.open(meminfo, StandardOpenOption.READ,
                com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            int block = (int) Files.getFileStore(meminfo).getBlockSize();
            ByteBuffer aligned = ByteBuffer.allocateDirect(64 * block + block).alignedSlice(block);
            aligned.limit(64 * block);
            int read = direct.read(aligned);
            String text = StandardCharsets.US_ASCII.decode(aligned.flip()).toString();
            assertTrue(read > 0 && text.startsWith("MemTotal:") && text.endsWith("\n"), text);
        }

        // mmap: ours (proc/meminfo, and online, which stands in for the host's) as /proc refuses it when shared;
        // private maps, but touching faults (SIGBUS): its pages would come from the shared page cache, which our
        // reads refuse to fill. A mirrored host file (cpu0/topology) is the host's and may map. Never a hang.
        List<String> outcomes = new ArrayList<>();
        for (String name : List.of("proc/meminfo", "sys/devices/system/cpu/online", "sys/devices/system/cpu/cpu0/topology/core_id")) {
            for (String mode : List.of("shared", "private")) {
                Process process = new ProcessBuilder("python3", "-c", MMAP, daemon.file(name).toString(), mode)
                        .redirectErrorStream(true).start();
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "mmap " + mode + " of " + name + " hung");
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                outcomes.add(name + " " + mode + ": exit " + process.exitValue() + " " + out.replace('\n', ';'));
                assertTrue(out.startsWith("mmap " + mode), out);
                if (name.startsWith("proc/") || name.endsWith("/online")) {
                    if (mode.equals("shared")) assertEquals("mmap shared ENODEV", out, name);
                    else assertEquals(128 + 7, process.exitValue(), name + " private: SIGBUS on touching, got " + out);
                }
            }
        }
        // and via java.nio: FileChannel.map of the mirrored file
        try (FileChannel channel = FileChannel.open(daemon.file("sys/devices/system/cpu/online"))) {
            try {
                channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
                outcomes.add("FileChannel.map: mapped");
            } catch (java.io.IOException e) {
                outcomes.add("FileChannel.map: " + e.getMessage());
            }
        }
        System.out.println("FuseOpsIT mmap outcomes: " + outcomes);
        // after all of it, it still serves
        assertTrue(kb(Files.readString(meminfo), "MemTotal") > 0, daemon.output());
    }

    @Test
    void readdirAtOddOffsetsAndWithSmallBuffers(Daemon daemon) throws Exception {
        for (String name : List.of("", "proc", "sys/devices/system/cpu")) {
            Path dir = name.isEmpty() ? daemon.mountpoint : daemon.file(name);
            List<String> listed = Host.lines(Host.run("ls", "-f", dir.toString()).output());
            assertEquals(List.of(".", ".."), listed.subList(0, 2), name + ": " + listed);
            String pythonList = Host.run("python3", "-c",
                    "import os, sys; print(' '.join(sorted(os.listdir(sys.argv[1]))))", dir.toString()).output();
            assertEquals(String.join(" ", listed.subList(2, listed.size()).stream().sorted().toList()),
                    pythonList.strip(), name + ": python listed '" + pythonList + "'; ls -f again: "
                            + Host.run("ls", "-f", dir.toString()).output() + "; daemon: " + daemon.output());

            int n = listed.size();
            List<Long> offsets = List.of(0L, 1L, 2L, 3L, n - 1L, (long) n, n + 1L, 1000L, 1L << 31, 1L << 62,
                    Long.MAX_VALUE, -1L);
            List<String> out = Host.lines(Host.run("python3", "-c", READDIR, dir.toString(),
                    String.join(",", offsets.stream().map(String::valueOf).toList())).output());
            assertEquals(offsets.size() + 2, out.size(), String.join("\n", out));
            for (int i = 0; i < offsets.size(); i++) {
                long offset = offsets.get(i);
                String expected = offset < 0 ? "EINVAL"
                        : String.join(" ", listed.subList((int) Math.min(offset, n), n));
                assertEquals(offset + ": " + expected, out.get(i), name + " at offset " + offset);
            }
            assertEquals("small: " + String.join(" ", listed), out.get(offsets.size()), name + " 48-byte buffer");
            assertEquals("tiny: EINVAL", out.get(offsets.size() + 1), name + " 8-byte buffer");
        }
    }

    @Test
    void aThousandOpensLeftByAKilledReaderAreReleased(Daemon daemon) throws Exception {
        long worker = daemon.servingPid();
        assertTrue(worker > 0, daemon.output());
        Files.readString(daemon.file("proc/meminfo")); // warm: the first read opens what the worker keeps open
        long fdsBefore = fds(worker);
        for (int round = 0; round < 3; round++) {
            Process reader = new ProcessBuilder("python3", "-c", """
                    import os, sys, time
                    names = ['proc/meminfo', 'proc/stat', 'proc/cpuinfo', 'proc/uptime', 'sys/devices/system/cpu/online']
                    fds = [os.open(os.path.join(sys.argv[1], names[i % len(names)]), os.O_RDONLY) for i in range(1000)]
                    for fd in fds[::10]:
                        os.read(fd, 10)
                    print('ready', len(fds), flush=True)
                    time.sleep(600)
                    """, daemon.mountpoint.toString()).redirectErrorStream(true).start();
            try {
                String ready = new BufferedReader(new InputStreamReader(reader.getInputStream())).readLine();
                assertEquals("ready 1000", ready);
                // the worker holds no descriptor per open file: handles are table slots; at most one pidfd per reader
                assertEquals(fdsBefore, fds(worker), "worker fds with 1000 files open");
                assertTrue(pidfds(worker) < 10 + round, "pidfds: one per reader thread, not per file: " + pidfds(worker));
            } finally {
                reader.destroyForcibly(); // SIGKILL: the kernel releases what it left open
                reader.waitFor();
            }
            assertTrue(kb(Files.readString(daemon.file("proc/meminfo")), "MemTotal") > 0);
        }
        assertEquals(fdsBefore, fds(worker), "worker fds after");
        assertEquals(worker, daemon.servingPid(), "the same process serves");
        assertTrue(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false), daemon.output());
        assertFalse(daemon.output().contains("SEVERE"), daemon.output());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Every node with its mode, owner, size and times: what any write would change. */
    private static String tree(Daemon daemon) throws Exception {
        Host.Result result = Host.run("find", daemon.mountpoint.toString(), "-printf", "%p %m %U %G %s %T@ %C@ %y %l\n");
        assertEquals(0, result.status(), result.output());
        return result.output();
    }

    private static List<String> script(List<String> as, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(as);
        command.addAll(List.of("-c", script));
        command.addAll(List.of(args));
        Host.Result result = Host.run(command);
        assertEquals(0, result.status(), result.output());
        return Host.lines(result.output());
    }

    /** The process's descriptors but its pidfds (one per cached reader process, closed once that entry goes). */
    private static long fds(long pid) throws Exception {
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return list.filter(fd -> !isPidfd(fd)).count();
        }
    }

    private static long pidfds(long pid) throws Exception {
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return list.filter(FuseOpsIT::isPidfd).count();
        }
    }

    private static boolean isPidfd(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().equals("anon_inode:[pidfd]");
        } catch (IOException e) {
            return false; // closed while listed
        }
    }
}
