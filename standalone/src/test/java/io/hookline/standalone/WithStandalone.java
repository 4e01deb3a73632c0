package io.hookline.standalone;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test class gets its own whole standalone, in-process on free ports, with an API client holding its admin key
 * and a local webhook receiver, in static fields of type {@link Standalone}, {@link HooklineApi} and
 * {@link io.hookline.testkit.WebhookReceiver}; see {@link StandaloneExtension}.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(StandaloneExtension.class)
@interface WithStandalone {
    /**
     * {@code NAME=value} settings that add to or override the free-port defaults of {@link InProcessStandalone},
     * e.g. a shorter circuit-breaker open time.
     */
    String[] settings() default {};
}
