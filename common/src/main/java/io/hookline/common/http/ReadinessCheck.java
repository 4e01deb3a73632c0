package io.hookline.common.http;

/** One condition {@code /readyz} reports; a service is ready when all of its checks are. */
public interface ReadinessCheck {
    String name();

    boolean isReady();

    static ReadinessCheck of(String name, java.util.function.BooleanSupplier check) {
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isReady() {
                return check.getAsBoolean();
            }
        };
    }
}
