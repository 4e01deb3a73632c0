package io.hookline.common.http;

import java.util.HashMap;
import java.util.Map;

/**
 * HTTP/1.1 pipelining requires responses in request order, but handlers finish in any order (a fast 404 can
 * overtake a publish still waiting for Kafka). Each request takes a ticket; a finished response is written only
 * when every earlier ticket has been written. One instance per connection, used from its event loop only.
 */
final class ResponseSequencer {
    private long nextTicket;
    private long nextToWrite;
    private final Map<Long, Runnable> finished = new HashMap<>();

    long take() {
        return nextTicket++;
    }

    /** Writes this response now if it is next, then any finished responses queued behind it. */
    void finish(long ticket, Runnable write) {
        if (ticket != nextToWrite) {
            finished.put(ticket, write);
            return;
        }
        // The usual case (one request at a time on the connection): written at once, nothing boxed or queued.
        nextToWrite++;
        write.run();
        if (finished.isEmpty()) {
            return;
        }
        Runnable next;
        while ((next = finished.remove(nextToWrite)) != null) {
            nextToWrite++;
            next.run();
        }
    }
}
