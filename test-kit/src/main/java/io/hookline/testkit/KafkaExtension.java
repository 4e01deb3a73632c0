package io.hookline.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tests the JVM's shared Kafka cluster (started on first use, Testcontainers or embedded) as a
 * {@link TestKafka}: injected into fields of that type (static ones before {@code @BeforeAll}) and resolved as a
 * parameter of constructors, lifecycle methods and tests. One {@code TestKafka}, with one topic prefix, per
 * top-level test class; its topics are deleted after the class unless the system property
 * {@code hookline.testkit.keepTopics} is {@code true}. If no cluster can be started, the tests fail.
 */
public final class KafkaExtension
        implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionSupport.injectFields(context.getRequiredTestClass(), null, TestKafka.class, () -> testKafka(context));
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) {
        ExtensionSupport.injectFields(testInstance.getClass(), testInstance, TestKafka.class,
                () -> testKafka(context));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return testKafka(extensionContext);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!ExtensionSupport.isTopLevelClassContext(context) || Boolean.getBoolean("hookline.testkit.keepTopics")) {
            return;
        }
        TestKafka kafka = context.getStore(NAMESPACE).get(TestKafka.class, TestKafka.class);
        if (kafka != null) {
            try {
                kafka.deleteTopics();
            } catch (RuntimeException e) {
                LOG.warn("Could not delete the topics of {}", kafka, e);
            }
        }
    }

    static TestKafka testKafka(ExtensionContext context) {
        ExtensionContext owner = ExtensionSupport.classContext(context);
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(TestKafka.class, key -> {
            TestKafka kafka = new TestKafka(SharedInfrastructure.kafka().bootstrapServers(),
                    "t" + ExtensionSupport.randomSuffix(8));
            LOG.info("{} uses {}", owner.getRequiredTestClass().getSimpleName(), kafka);
            return kafka;
        }, TestKafka.class);
    }
}
