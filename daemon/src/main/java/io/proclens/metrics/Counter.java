package io.proclens.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A count that only goes up, incremented by any number of threads without a lock ({@link LongAdder}: threads that
 * collide get cells of their own, made once). A read concurrent with increments sees some of them; successive reads
 * never go down.
 */
public final class Counter {
    private final LongAdder count = new LongAdder();

    public void increment() {
        count.increment();
    }

    /** @param amount zero or more */
    public void add(long amount) {
        if (amount < 0) throw new IllegalArgumentException("a counter only goes up: " + amount);
        count.add(amount);
    }

    public long value() {
        return count.sum();
    }
}
