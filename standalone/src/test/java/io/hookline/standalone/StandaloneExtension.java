package io.hookline.standalone;

import io.hookline.testkit.WebhookReceiver;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one standalone per top-level test class before {@code @BeforeAll} (in a fresh data directory, with the
 * {@link WithStandalone#settings()}), and a receiver, and injects them and an API client into the class's static
 * fields of those types; closes the receiver and the standalone and deletes the data directory after the class.
 * {@code @Nested} classes share their enclosing class's standalone through its fields.
 */
final class StandaloneExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(StandaloneExtension.class);

    /** What one test class runs against, closed in the reverse order of its start. */
    private record Fixture(Path dataDir, Standalone hookline, HooklineApi api, WebhookReceiver receiver)
            implements AutoCloseable {
        static Fixture start(Map<String, String> settings) throws IOException {
            Path dataDir = Files.createTempDirectory("hookline-standalone-it-");
            Standalone hookline = null;
            try {
                hookline = InProcessStandalone.start(dataDir, settings);
                return new Fixture(dataDir, hookline, new HooklineApi(hookline.adminKey()), WebhookReceiver.start());
            } catch (RuntimeException e) {
                if (hookline != null) {
                    hookline.close();
                }
                deleteQuietly(dataDir);
                throw e;
            }
        }

        Map<Class<?>, Object> byType() {
            return Map.of(Standalone.class, hookline, HooklineApi.class, api, WebhookReceiver.class, receiver);
        }

        @Override
        public void close() {
            try {
                receiver.close();
            } finally {
                hookline.close();
                deleteQuietly(dataDir);
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (isNested(context)) {
            return;
        }
        Class<?> testClass = context.getRequiredTestClass();
        Fixture fixture = Fixture.start(settings(testClass));
        // Stored before injecting, so that afterAll closes it even if a field cannot take it.
        context.getStore(NAMESPACE).put(Fixture.class, fixture);
        injectStaticFields(testClass, fixture.byType());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Fixture fixture = context.getStore(NAMESPACE).remove(Fixture.class, Fixture.class);
        if (fixture != null) {
            fixture.close();
        }
    }

    private static boolean isNested(ExtensionContext context) {
        return context.getParent().flatMap(ExtensionContext::getTestClass).isPresent();
    }

    private static Map<String, String> settings(Class<?> testClass) {
        Map<String, String> settings = new HashMap<>();
        WithStandalone annotation = AnnotationSupport.findAnnotation(testClass, WithStandalone.class).orElseThrow();
        for (String setting : annotation.settings()) {
            int equals = setting.indexOf('=');
            if (equals <= 0) {
                throw new ExtensionConfigurationException("@WithStandalone setting " + setting + " is not NAME=value");
            }
            settings.put(setting.substring(0, equals), setting.substring(equals + 1));
        }
        return settings;
    }

    private static void injectStaticFields(Class<?> testClass, Map<Class<?>, Object> values) {
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                Object value = values.get(field.getType());
                if (value == null || !Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                if (Modifier.isFinal(field.getModifiers())) {
                    throw new ExtensionConfigurationException(field + " cannot be injected: it is final");
                }
                try {
                    field.setAccessible(true);
                    field.set(null, value);
                } catch (IllegalAccessException e) {
                    throw new ExtensionConfigurationException("Cannot inject " + field, e);
                }
            }
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete {}", directory, e);
        }
    }
}
