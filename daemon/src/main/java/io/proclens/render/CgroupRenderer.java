package io.proclens.render;

import io.proclens.cache.ConcurrentSnapshotCache;
import io.proclens.cgroup.Caller;
import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.MemoryAndCpuReader;
import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.DeviceIo;
import io.proclens.cgroup.MemoryStats;
import io.proclens.sys.Pidfds;
import io.proclens.cgroup.Processes;
import io.proclens.cgroup.TaskCounts;
import io.proclens.fs.FsException;
import io.proclens.fs.Renderer;
import io.proclens.fs.Snapshots;
import io.proclens.fs.VirtualFile;
import io.proclens.load.LoadAverages;
import io.proclens.load.Loadavg;
import io.proclens.view.CpuListView;
import io.proclens.view.CpuinfoView;
import io.proclens.view.DiskstatsView;
import io.proclens.view.LoadavgView;
import io.proclens.view.MeminfoView;
import io.proclens.view.SysinfoView;
import io.proclens.view.PressureView;
import io.proclens.view.SlabinfoView;
import io.proclens.view.StatTaskLines;
import io.proclens.view.StatView;
import io.proclens.view.SwapsView;
import io.proclens.view.UptimeView;
import io.proclens.view.VmstatView;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Which view serves which file, and where its inputs come from: the caller's cgroup (through its pid
 * namespace's init, so every process of a container sees the same numbers) and the host's own file.
 *
 * <p>When the caller's numbers cannot be read (a cgroup removed mid-read, a controller missing), the
 * answer is the host's file: logged once per file and reason, and counted.
 */
public final class CgroupRenderer implements Renderer, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CgroupRenderer.class.getName());
    private final Path root;
    private final MemoryAndCpuReader reader;
    private final Sources sources;
    /** Rendered snapshots by file, cgroup and options; a deleted cgroup's entries stop being asked for and go. */
    private final ConcurrentSnapshotCache<SnapshotKey, MemorySegment> snapshots = new ConcurrentSnapshotCache<>(1 << 16);

    /**
     * What a snapshot depends on: the file, the options, the cgroup, and for uptime the caller's pid namespace
     * init (its start time; 0 for the host's namespace, whose uptime is the host's).
     */
    record SnapshotKey(VirtualFile file, Options options, String cgroup, int reaperPid, long reaperStartTicks) {
    }
    private final long cacheTtlNanos;
    private final Callers callers;
    /** The highest value each cgroup's stat fields were shown with: a field never goes down between reads. */
    private final StatFloors statFloors = new StatFloors();
    private final AtomicReference<Options> options;
    /** Per-cgroup load averages while --enable-loadavg is on, else null. Changed only under the options' lock. */
    private volatile LoadAverages loadAverages;
    private final Object optionsLock = new Object();
    /** By {@link Fallback} ordinal. */
    private final LongAdder[] fallbacks = java.util.stream.Stream.generate(LongAdder::new)
            .limit(Fallback.values().length).toArray(LongAdder[]::new);
    private final Set<String> loggedFallbacks = ConcurrentHashMap.newKeySet();
    private final Topology topology;

    /**
     * @param root the filesystem root the host files are read under ("/" in production, a fixture in tests)
     */
    public CgroupRenderer(Path root, Sources sources, Options options, Duration cacheTtl) {
        this(root, sources, options, cacheTtl, cacheTtl);
    }

    /**
     * With the callers kept for another time than the snapshots (for benchmarks: snapshots never kept, callers
     * kept, is the cost of a cache miss alone).
     */
    public CgroupRenderer(Path root, Sources sources, Options options, Duration snapshotTtl, Duration callerTtl) {
        this.root = root;
        this.cacheTtlNanos = snapshotTtl.toNanos();
        this.callers = new Callers(sources.processes(), Pidfds.forProc(root.resolve("proc")), sources.layout(),
                callerTtl.toNanos(), 1 << 16, System::nanoTime, new BootTicks(root.resolve("proc")));
        this.sources = sources;
        this.reader = sources.memoryAndCpu();
        this.options = new AtomicReference<>(Options.DEFAULTS);
        options(options);
        this.topology = new Topology(reader, this.options::get, this::read,
                cgroup -> MeminfoView.render(read(VirtualFile.MEMINFO.hostPath()), reader.memory(cgroup),
                        this.options.get().swapEnabled()));
    }

    public Options options() {
        return options.get();
    }

    /**
     * Takes effect from the next read from offset 0 on; a pass under way keeps what it showed. Turning loadavg on
     * starts the sampler (the averages start from 0, as the kernel's do at boot); turning it off stops it.
     */
    public void options(Options changed) {
        synchronized (optionsLock) {
            if (changed.enableLoadavg() && loadAverages == null) {
                LoadAverages sampler = new LoadAverages(sources.tasks()::count);
                sampler.start();
                loadAverages = sampler;
            } else if (!changed.enableLoadavg() && loadAverages != null) {
                loadAverages.close();
                loadAverages = null;
            }
            options.set(changed);
        }
    }

    @Override
    public void close() {
        options(new Options(options().enableCfs(), false, options().swapEnabled()));
    }

    /**
     * The snapshot of {@code file} for the caller: the cached one of its cgroup while younger than the cache's
     * time to live, else rendered now. What a snapshot depends on is all in its key: the file, the cgroup, the
     * options, and for uptime the caller's pid namespace init.
     */
    @Override
    public MemorySegment render(VirtualFile file, int callerPid) throws FsException {
        Callers.Resolved resolved;
        try {
            resolved = callers.resolve(callerPid);
        } catch (RuntimeException e) {
            return snapshot(fallBack(Fallback.CALLER_UNRESOLVABLE, file, "caller " + callerPid + " not resolvable", e,
                    hostFile(file)));
        }
        try {
            return snapshots.getOrRender(snapshotKey(file, resolved, options.get()), cacheTtlNanos, resolved,
                    renderSnapshot);
        } catch (UncheckedFsException e) {
            throw e.failure;
        }
    }

    /**
     * What sysinfo(2) should tell the process {@code callerPid} ({@link SysinfoView}): its cgroup's meminfo, its pid
     * namespace's uptime, loadavg (the cgroup's with --enable-loadavg, else the host's) and its cgroup's task count,
     * rendered now. Empty when any of it cannot be had for the caller's own cgroup: no host numbers stand in, the
     * caller gets the kernel's answer instead.
     */
    public Optional<SysinfoView.Numbers> sysinfo(int callerPid) {
        try {
            Callers.Resolved resolved = callers.resolve(callerPid);
            Options now = options.get();
            Caller caller = resolved.caller();
            Cgroup cgroup = resolved.cgroup();
            // Kept as long as a snapshot is: a program calling it in a loop must not count the cgroup's tasks each time.
            SysinfoKey key = new SysinfoKey(cgroup.key(), caller.ownPidNamespace() ? caller.reaperPid() : 0,
                    caller.ownPidNamespace() ? caller.reaperStartTicks() : 0, now);
            long at = System.nanoTime();
            TimedSysinfo kept = sysinfos.get(key);
            if (kept != null && at - kept.at() < cacheTtlNanos) return Optional.of(kept.numbers());
            String meminfo = MeminfoView.render(hostFile(VirtualFile.MEMINFO), reader.memory(cgroup), now.swapEnabled());
            String uptime = uptime(hostFile(VirtualFile.UPTIME), caller, cgroup, now);
            String loadavg = loadavg(hostFile(VirtualFile.LOADAVG), cgroup);
            SysinfoView.Numbers numbers = SysinfoView.compute(meminfo, uptime, loadavg,
                    sources.tasks().count(cgroup).total());
            if (cacheTtlNanos > 0) {
                if (sysinfos.size() >= 4096) sysinfos.values().removeIf(t -> at - t.at() >= cacheTtlNanos);
                sysinfos.put(key, new TimedSysinfo(at, numbers));
            }
            return Optional.of(numbers);
        } catch (FsException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private record SysinfoKey(String cgroup, int reaperPid, long reaperStartTicks, Options options) {
    }

    private record TimedSysinfo(long at, SysinfoView.Numbers numbers) {
    }

    private final ConcurrentHashMap<SysinfoKey, TimedSysinfo> sysinfos = new ConcurrentHashMap<>();

    @Override
    public int[] shownNodes(int callerPid) {
        try {
            return topology.nodes(callers.resolve(callerPid).cgroup()).toArray();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public String nodeFile(int node, String name, int callerPid) {
        try {
            return topology.render(callers.resolve(callerPid).cgroup(), node, name);
        } catch (RuntimeException e) {
            fallBack(Fallback.NODE_FILE_UNRENDERABLE,
                    "sys/devices/system/node/" + (node < 0 ? "" : "node" + node + "/") + name, "not renderable", e, "");
            return null;
        }
    }

    /** The caller's CPUs as cpuinfo and stat show them; null (the host's) when its cgroup cannot be read. */
    @Override
    public int[] shownCpus(int callerPid) {
        try {
            return cpus(callers.resolve(callerPid).cgroup(), options.get()).toArray();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Renders a key's snapshot for a caller; one function for all calls, so that a cache hit allocates nothing. */
    private final java.util.function.BiFunction<SnapshotKey, Callers.Resolved, MemorySegment> renderSnapshot =
            (key, resolved) -> snapshot(renderText(key.file(), resolved.caller(), resolved.cgroup(), key.options()));

    /**
     * Host files are read as ISO-8859-1 (one char per byte, never a decoding error) and written back so: bytes that
     * are not UTF-8 (a swap file's path in /proc/swaps) pass through unchanged instead of failing the read with EIO.
     * Views add ASCII only.
     */
    private static MemorySegment snapshot(String text) {
        return Snapshots.of(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The caller's key of {@code file}: made once per resolution and options, then reused. */
    private static SnapshotKey snapshotKey(VirtualFile file, Callers.Resolved resolved, Options now) {
        SnapshotKey key = resolved.snapshotKeys[file.ordinal()];
        if (key != null && key.options() == now) return key;
        Caller caller = resolved.caller();
        boolean ownInit = file == VirtualFile.UPTIME && caller.ownPidNamespace();
        key = new SnapshotKey(file, now, resolved.cgroup().key(), ownInit ? caller.reaperPid() : 0,
                ownInit ? caller.reaperStartTicks() : 0);
        resolved.snapshotKeys[file.ordinal()] = key;
        return key;
    }

    /** The file's text for the caller's cgroup; the host's file when the cgroup's numbers cannot be read. */
    private String renderText(VirtualFile file, Caller caller, Cgroup cgroup, Options now) {
        String host;
        try {
            host = hostFile(file);
        } catch (FsException e) {
            throw new UncheckedFsException(e);
        }
        try {
            return switch (file) {
                case MEMINFO -> MeminfoView.render(host, reader.memory(cgroup), now.swapEnabled());
                case CPUINFO -> CpuinfoView.render(host, cpus(cgroup, now));
                case CPU_ONLINE, CPU_POSSIBLE, CPU_PRESENT -> CpuListView.cpus(cpus(cgroup, now));
                case CPU_OFFLINE -> CpuListView.offline();
                case UPTIME -> uptime(host, caller, cgroup, now);
                case DISKSTATS -> sources.io().devices(cgroup).map(devices -> DiskstatsView.render(host, devices))
                        .orElseGet(() -> fallBack(Fallback.NO_IO_CONTROLLER, file, "no io controller", null, host));
                case SWAPS -> SwapsView.render(host, reader.memory(cgroup), now.swapEnabled());
                case SLABINFO -> SlabinfoView.render(host, sources.slab().slabinfo(cgroup));
                case LOADAVG -> loadavg(host, cgroup);
                case VMSTAT -> vmstat(host, cgroup);
                case PRESSURE_CPU, PRESSURE_IO, PRESSURE_MEMORY -> sources.pressure()
                        .read(cgroup, file.pressureResource()).map(PressureView::render)
                        .orElseGet(() -> fallBack(Fallback.NO_PSI_FILE, file, "no PSI file for the cgroup", null,
                                host));
                case STAT -> withTasks(StatView.render(host, cpus(cgroup, now),
                        sources.cpuTimes().times(cgroup).orElse(null), statFloors.of(cgroup)), cgroup);
            };
        } catch (RuntimeException e) {
            return fallBack(Fallback.CGROUP_UNREADABLE, file, "cgroup of pid " + caller.reaperPid() + " not readable",
                    e, host);
        }
    }

    /** Carries a checked failure out of the cache's render function. */
    private static final class UncheckedFsException extends RuntimeException {
        final FsException failure;

        UncheckedFsException(FsException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    private String vmstat(String host, Cgroup cgroup) {
        MemoryStats memory = reader.memory(cgroup);
        OptionalLong free = memory.limit() == MemoryStats.UNLIMITED ? OptionalLong.empty()
                : OptionalLong.of(memory.limit() - memory.usage());
        long[] ioKb;
        try {
            ioKb = sources.io().devices(cgroup).map(devices -> new long[] {
                    devices.stream().mapToLong(DeviceIo::readSectors).sum() / 2,
                    devices.stream().mapToLong(DeviceIo::writeSectors).sum() / 2}).orElse(null);
        } catch (RuntimeException e) {
            ioKb = null; // no io controller: pgpgin and pgpgout are 0, the rest is still the cgroup's
        }
        return VmstatView.render(host, reader.memoryCounters(cgroup), free, ioKb);
    }

    /** The cgroup's averages with --enable-loadavg; before its first sample, the tasks counted now. */
    private String loadavg(String host, Cgroup cgroup) {
        LoadAverages sampler = loadAverages;
        if (sampler == null) return LoadavgView.host(host);
        Loadavg averages = sampler.current(cgroup);
        TaskCounts counts = averages.samples() == 0 ? sources.tasks().count(cgroup) : averages.counts();
        return LoadavgView.render(averages, counts);
    }

    /**
     * stat with the cgroup's task lines, counted now (they are a moment's, not an average's); the CPU lines are worth
     * more than these two, so a cgroup whose tasks cannot be counted keeps them and the host's task lines.
     */
    private String withTasks(String stat, Cgroup cgroup) {
        try {
            return StatTaskLines.apply(stat, sources.tasks().count(cgroup));
        } catch (RuntimeException e) {
            fallBack(Fallback.TASKS_UNCOUNTABLE, VirtualFile.STAT, "tasks not countable", e, stat);
            return stat;
        }
    }

    private String uptime(String host, Caller caller, Cgroup cgroup, Options now) {
        if (!caller.ownPidNamespace()) return UptimeView.render(host, OptionalDouble.empty(), 0, 0);
        double hostUptime = UptimeView.hostUptimeSeconds(host);
        double since = hostUptime - caller.reaperStartTicks() / (double) Processes.USER_HZ;
        OptionalLong usage = reader.cpuUsageNanos(cgroup);
        return UptimeView.render(host, OptionalDouble.of(since), cpus(cgroup, now).size(),
                usage.isPresent() ? usage.getAsLong() / 1e9 : 0);
    }

    private CpuSet cpus(Cgroup cgroup, Options now) {
        return topology.cpus(cgroup, now);
    }

    /** The host's file instead of the caller's view: counted by kind, and logged once per file and reason. */
    private String fallBack(Fallback kind, VirtualFile file, String reason, RuntimeException cause, String host) {
        return fallBack(kind, file.path(), reason, cause, host);
    }

    /** As above for a file by its path below the mount (a NUMA node's, which has no {@link VirtualFile}). */
    private String fallBack(Fallback kind, String path, String reason, RuntimeException cause, String host) {
        fallbacks[kind.ordinal()].increment();
        String logged = cause == null ? reason : cause.getClass().getName();
        if (loggedFallbacks.add(path + ":" + logged)) {
            LOG.warning(path + ": " + reason + (cause == null ? "" : " (" + cause.getMessage() + ")")
                    + ", answering the host's file; logged once");
        }
        return host;
    }

    /** How many answers were the host's file because the caller's numbers could not be read. */
    public long fallbacks() {
        long total = 0;
        for (LongAdder kind : fallbacks) total += kind.sum();
        return total;
    }

    /** As {@link #fallbacks()}, of one kind. */
    public long fallbacks(Fallback kind) {
        return fallbacks[kind.ordinal()].sum();
    }

    /** Reads answered from a kept snapshot (see {@link ConcurrentSnapshotCache#hits()}). */
    public long snapshotCacheHits() {
        return snapshots.hits();
    }

    /** Snapshots rendered: the snapshot cache's misses. */
    public long snapshotRenders() {
        return snapshots.renders();
    }

    /** Rendered snapshots kept now (by file, cgroup and options); for diagnostics. */
    public int cachedSnapshots() {
        return snapshots.size();
    }

    /** Caller resolutions kept now (expired ones too, until their slot is reused); for diagnostics. */
    public int cachedCallers() {
        return callers.size();
    }

    /** Stat fields whose highest shown value is kept now (per cgroup); for diagnostics. */
    public int statFloors() {
        return statFloors.size();
    }

    /** Cgroups whose load averages are sampled now (0 without --enable-loadavg); for diagnostics. */
    public int loadavgCgroups() {
        LoadAverages sampler = loadAverages;
        return sampler == null ? 0 : sampler.tracked();
    }

    private String hostFile(VirtualFile file) throws FsException {
        try {
            return readHost(file.hostPath());
        } catch (IOException e) {
            throw new FsException(FsException.Failure.IO, file.hostPath() + ": " + e.getMessage());
        }
    }

    private String read(String hostPath) {
        try {
            return readHost(hostPath);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A host file as ISO-8859-1, one char per byte (see {@link #snapshot}). */
    private String readHost(String hostPath) throws IOException {
        return new String(Files.readAllBytes(resolve(hostPath)), StandardCharsets.ISO_8859_1);
    }

    private Path resolve(String hostPath) {
        return root.resolve(hostPath.substring(1));
    }
}
