package io.hookline.common.config;

/**
 * A configuration value is missing or invalid. The message is one line that names the environment variable,
 * so start-up can print it as is and exit.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String variable;

    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
