package io.hookline.common.net;

/** A webhook destination Hookline must not call; the message is the reason, fit for a 422 detail. */
public final class DestinationRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DestinationRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
