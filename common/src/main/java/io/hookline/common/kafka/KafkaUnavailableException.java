package io.hookline.common.kafka;

/** Kafka could not be reached or did not answer in time: an outage, not a bad request. */
public final class KafkaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
