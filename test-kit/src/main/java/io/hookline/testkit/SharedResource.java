package io.hookline.testkit;

import java.util.function.Supplier;

/**
 * One lazily started server per JVM. A failed start is remembered and rethrown to every later caller, so that a
 * broken environment costs one start-up timeout, not one per test class.
 */
final class SharedResource<T extends AutoCloseable> {
    private final String name;
    private final Supplier<T> starter;
    private T value;
    private RuntimeException failure;

    SharedResource(String name, Supplier<T> starter) {
        this.name = name;
        this.starter = starter;
    }

    synchronized T get() {
        if (value != null) {
            return value;
        }
        if (failure != null) {
            throw new TestInfrastructureException("The shared test " + name + " failed to start earlier in this JVM: "
                    + failure.getMessage(), failure);
        }
        try {
            value = starter.get();
            return value;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    synchronized void close() throws Exception {
        if (value != null) {
            T closing = value;
            value = null;
            closing.close();
        }
    }
}
