package io.hookline.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.SecureRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** What the Kafka and PostgreSQL extensions share: per-class scoping, field injection and unique names. */
final class ExtensionSupport {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private ExtensionSupport() {
    }

    /**
     * The context of the top-level test class: {@code @Nested} classes share their enclosing class's topics and
     * database, because their tests usually build on the same fixtures.
     */
    static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
            current = current.getParent().orElseThrow();
        }
        return current;
    }

    /** True for the context of a top-level test class, where per-class resources are created and released. */
    static boolean isTopLevelClassContext(ExtensionContext context) {
        return context.getTestMethod().isEmpty() && context.getTestClass().isPresent()
                && context.getParent().flatMap(ExtensionContext::getTestClass).isEmpty();
    }

    /** Sets every field of {@code type} declared in the class or its superclasses, static or not as asked. */
    static <T> void injectFields(Class<?> testClass, Object instance, Class<T> type, Supplier<T> value) {
        boolean statics = instance == null;
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() != type || Modifier.isStatic(field.getModifiers()) != statics) {
                    continue;
                }
                if (Modifier.isFinal(field.getModifiers())) {
                    throw new ExtensionConfigurationException(field + " cannot be injected: it is final");
                }
                try {
                    field.setAccessible(true);
                    field.set(instance, value.get());
                } catch (IllegalAccessException | RuntimeException e) {
                    if (e instanceof TestInfrastructureException t) {
                        throw t;
                    }
                    throw new ExtensionConfigurationException("Cannot inject " + field, e);
                }
            }
        }
    }

    static String randomSuffix(int length) {
        StringBuilder suffix = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            suffix.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return suffix.toString();
    }
}
