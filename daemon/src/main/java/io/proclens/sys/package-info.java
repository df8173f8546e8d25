/**
 * Hand-written downcalls into libc for the few calls the hot path makes that the JDK's own file API would
 * allocate for (the generated bindings cover libfuse only). Depends on nothing else in proclens.
 */
package io.proclens.sys;
