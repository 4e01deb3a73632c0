package io.hookline.testkit;

/** Neither Testcontainers nor the embedded servers could provide what a test asked for. */
public final class TestInfrastructureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TestInfrastructureException(String message, Throwable cause) {
        super(message, cause);
    }
}
