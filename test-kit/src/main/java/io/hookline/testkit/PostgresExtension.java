package io.hookline.testkit;

import java.util.Locale;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tests a fresh database on the JVM's shared PostgreSQL server (started on first use, Testcontainers or
 * embedded) as a {@link TestDatabase}: injected into fields of that type (static ones before {@code @BeforeAll})
 * and resolved as a parameter. One database per top-level test class, created with {@code CREATE DATABASE} on
 * first use and dropped after the class unless the system property {@code hookline.testkit.keepDatabases} is
 * {@code true}. If no server can be started, the tests fail.
 */
public final class PostgresExtension
        implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final int MAX_CLASS_NAME_CHARS = 40;

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionSupport.injectFields(context.getRequiredTestClass(), null, TestDatabase.class,
                () -> testDatabase(context));
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) {
        ExtensionSupport.injectFields(testInstance.getClass(), testInstance, TestDatabase.class,
                () -> testDatabase(context));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return testDatabase(extensionContext);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!ExtensionSupport.isTopLevelClassContext(context) || Boolean.getBoolean("hookline.testkit.keepDatabases")) {
            return;
        }
        TestDatabase database = context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
        if (database != null) {
            try {
                SharedInfrastructure.postgres().dropDatabase(database.name());
            } catch (RuntimeException e) {
                LOG.warn("Could not drop {}", database, e);
            }
        }
    }

    static TestDatabase testDatabase(ExtensionContext context) {
        ExtensionContext owner = ExtensionSupport.classContext(context);
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(TestDatabase.class, key -> {
            PostgresBackend postgres = SharedInfrastructure.postgres();
            String name = databaseName(owner.getRequiredTestClass());
            postgres.createDatabase(name);
            TestDatabase database = new TestDatabase(name, postgres.jdbcUrl(name), postgres.user(),
                    postgres.password());
            LOG.info("{} uses {}", owner.getRequiredTestClass().getSimpleName(), database);
            return database;
        }, TestDatabase.class);
    }

    /** Readable in logs and {@code psql}, unique per class, and a plain identifier (no quoting needed in SQL). */
    static String databaseName(Class<?> testClass) {
        String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
        if (base.length() > MAX_CLASS_NAME_CHARS) {
            base = base.substring(0, MAX_CLASS_NAME_CHARS);
        }
        return "t_" + base + "_" + ExtensionSupport.randomSuffix(8);
    }
}
