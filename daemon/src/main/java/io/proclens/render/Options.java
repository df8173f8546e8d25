package io.proclens.render;


/**
 * The switches that change what the files show, named as LXCFS names them. Immutable: a change at run time
 * replaces the whole record.
 *
 * @param enableCfs     CPU counts (cpuinfo, stat, online) also limited by the CFS quota: ceil(quota / period)
 * @param enableLoadavg loadavg per cgroup (sampled every 5 s) instead of the host's
 * @param swapEnabled   false is LXCFS's --disable-swap: no swap shown in meminfo and swaps
 */
public record Options(boolean enableCfs, boolean enableLoadavg, boolean swapEnabled) {
    public static final Options DEFAULTS = new Options(false, false, true);

    /** "enable-cfs=false enable-loadavg=false disable-swap=false", the form `proclens options` prints. */
    @Override
    public String toString() {
        return "enable-cfs=" + enableCfs + " enable-loadavg=" + enableLoadavg + " disable-swap=" + !swapEnabled;
    }
}
