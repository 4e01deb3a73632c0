package io.hookline.common.http;

/** Ends a request with a problem document; thrown anywhere below a route handler. */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Problem problem;
    private final Integer retryAfterSeconds;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, Integer retryAfterSeconds) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Problem problem() {
        return problem;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ProblemException badRequest(String detail, String field) {
        return new ProblemException(Problem.of(400, "bad-request", "Bad request", detail, field));
    }

    public static ProblemException malformedJson(String detail) {
        return new ProblemException(Problem.of(400, "malformed-json", "Malformed JSON", detail, null));
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", detail, null));
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(Problem.of(403, "forbidden", "Forbidden", detail, null));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "not-found", "Not found", detail, null));
    }

    public static ProblemException methodNotAllowed(String detail) {
        return new ProblemException(Problem.of(405, "method-not-allowed", "Method not allowed", detail, null));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "conflict", "Conflict", detail, null));
    }

    public static ProblemException preconditionFailed(String detail) {
        return new ProblemException(Problem.of(412, "precondition-failed", "Precondition failed", detail, null));
    }

    public static ProblemException payloadTooLarge(String detail) {
        return new ProblemException(Problem.of(413, "payload-too-large", "Payload too large", detail, null));
    }

    public static ProblemException unsupportedMediaType(String detail) {
        return new ProblemException(Problem.of(415, "unsupported-media-type", "Unsupported media type", detail, null));
    }

    public static ProblemException unprocessable(String detail, String field) {
        return new ProblemException(Problem.of(422, "invalid-field", "Unprocessable content", detail, field));
    }

    public static ProblemException tooManyRequests(String detail, int retryAfterSeconds) {
        return new ProblemException(Problem.of(429, "too-many-requests", "Too many requests", detail, null),
                retryAfterSeconds);
    }

    public static ProblemException unavailable(String detail, int retryAfterSeconds) {
        return new ProblemException(Problem.of(503, "unavailable", "Service unavailable", detail, null),
                retryAfterSeconds);
    }
}
