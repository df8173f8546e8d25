package io.proclens.cgroup;

import static io.proclens.Hostile.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** Hostile text for the shared number parsers of the cgroup readers, CpuSet's list format and CpuQuota. */
class CgroupFilesFuzzTest {
    private static final Path FILE = Path.of("/sys/fs/cgroup/x/memory.max");
    private static final String MEMORY_STAT = """
            cache 1003520
            rss 1056768
            total_cache 1003520
            total_active_anon 1097728
            total_inactive_file 40960
            total_dirty 0
            """;

    @Provide
    Arbitrary<String> number() {
        return Hostile.text("0\n", "536870912\n", "9223372036854771712\n", "max\n", "123");
    }

    @Provide
    Arbitrary<String> flat() {
        return Hostile.text(MEMORY_STAT, "usage_usec 123456789\nuser_usec 100000000\nsystem_usec 23456789\n");
    }

    @Provide
    Arbitrary<String> cpuList() {
        return Hostile.text("0-3\n", "0,2-3,8\n", "2-3", "\n", "0-8191", "1,3,5-7,10-11\n");
    }

    /** Plain decimal digits after stripping, as the kernel writes a counter. */
    private static boolean isCounter(String s) {
        String t = s.strip();
        return !t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    @Property
    void aCounterIsItsDigitsOrMalformedNamingTheFile(@ForAll("number") String text) {
        Long value = outcome(() -> CgroupFiles.parseCounter(text, FILE), CgroupException.class, FILE.toString(), text);
        if (value == null) {
            boolean fits = isCounter(text) && new BigInteger(text.strip()).bitLength() < 64;
            assertTrue(!fits, () -> "a valid counter refused: " + Hostile.shown(text));
            return;
        }
        assertTrue(isCounter(text), () -> "accepted a non-counter " + Hostile.shown(text));
        assertEquals(new BigInteger(text.strip()), BigInteger.valueOf(value));
    }

    @Property
    void aLimitIsNonNegativeAndHugeOnesAreUnlimited(@ForAll("number") String text, @ForAll boolean allowMax) {
        Long value = outcome(() -> CgroupFiles.parseLimit(text, FILE, allowMax), CgroupException.class,
                FILE.toString(), text);
        if (value == null) return;
        assertTrue(value >= 0);
        if (value != MemoryStats.UNLIMITED) {
            assertTrue(value < CgroupFiles.UNLIMITED_THRESHOLD);
            assertEquals(new BigInteger(text.strip()), BigInteger.valueOf(value));
        } else {
            assertTrue(text.strip().equals("max") && allowMax
                    || isCounter(text) && new BigInteger(text.strip()).bitLength() > 62, Hostile.shown(text));
        }
    }

    @Property
    void aFlatKeyedFieldIsACounterOrMalformedNamingFileAndKey(@ForAll("flat") String text) {
        Map<String, String> fields = outcome(() -> CgroupFiles.flatKeyed(text), CgroupException.class, null, text);
        for (String key : new String[] {"total_cache", "total_active_anon", "total_dirty", "usage_usec", "user_usec",
                "absent_key"}) {
            Long value = outcome(() -> CgroupFiles.counterField(fields, key, 0, FILE), CgroupException.class, key, text);
            if (value != null) assertTrue(value >= 0);
        }
    }

    @Property
    void aCpuListIsCpusBelowTheLimitOrAnIllegalArgument(@ForAll("cpuList") String text) {
        CpuSet set = outcome(() -> CpuSet.parse(text), IllegalArgumentException.class, null, text);
        if (set == null) return;
        for (int cpu : set.toArray()) assertTrue(cpu >= 0 && cpu < CpuSet.MAX_CPUS);
        assertEquals(set, CpuSet.parse(set.toString()), "prints what it parses");
        assertTrue(set.toString().matches("([0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)?"), set::toString);
    }

    @Property
    void anyPositiveQuotaGivesOneToMaxCpus(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long quota,
                                           @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long period) {
        CpuQuota q = new CpuQuota(quota, period);
        assertTrue(q.wholeCpus() >= 1 && q.wholeCpus() <= CpuSet.MAX_CPUS);
        assertTrue(q.cpus() > 0 && Double.isFinite(q.cpus()));
    }
}
