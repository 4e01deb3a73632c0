package io.hookline.bench.load;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Sends HTTP requests with at most {@code concurrency} in flight, either flat out (closed loop: a request leaves as
 * soon as one completes) or at a target rate (open loop: request i is due at start + i/rate, and its latency is
 * measured from when it was due, so a stall is charged to every request it delayed instead of being hidden by the
 * sender waiting — no coordinated omission).
 */
public final class HttpLoad {

    /** Told about every completed request, from the client's threads. */
    public interface Listener {
        void completed(int index, HttpResponse<byte[]> response, long startNanos, long endNanos);
    }

    public record Result(int sent, long elapsedNanos, LatencySummary latency, Map<Integer, Long> statuses,
                         long errors, String firstError) {
        public long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }
    }

    private final HttpClient client;
    private final int concurrency;
    private final double ratePerSecond;

    public HttpLoad(HttpClient client, int concurrency, double ratePerSecond) {
        this.client = client;
        this.concurrency = concurrency;
        this.ratePerSecond = ratePerSecond;
    }

    /**
     * Sends up to {@code requests} requests (fewer if {@code maxDuration} is not zero and passes first) and waits for
     * every answer.
     */
    public Result run(int requests, Duration maxDuration, IntFunction<HttpRequest> request, Listener listener)
            throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        LatencyRecorder latencies = new LatencyRecorder(requests);
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        LongAdder errors = new LongAdder();
        String[] firstError = new String[1];
        AtomicLong lastEnd = new AtomicLong();
        long begin = System.nanoTime();
        long deadline = maxDuration.isZero() ? Long.MAX_VALUE : begin + maxDuration.toNanos();
        double interval = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        int sent = 0;
        for (int i = 0; i < requests; i++) {
            long due = interval > 0 ? begin + (long) (i * interval) : 0;
            if (interval > 0) {
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            slots.acquire();
            long start = interval > 0 ? due : System.nanoTime();
            int index = i;
            sent++;
            client.sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                long end = System.nanoTime();
                try {
                    latencies.record(end - start);
                    if (error != null) {
                        errors.increment();
                        synchronized (firstError) {
                            if (firstError[0] == null) {
                                firstError[0] = error.toString();
                            }
                        }
                    } else {
                        statuses.computeIfAbsent(response.statusCode(), s -> new LongAdder()).increment();
                        listener.completed(index, response, start, end);
                    }
                    lastEnd.accumulateAndGet(end, Math::max);
                } finally {
                    slots.release();
                }
            });
        }
        slots.acquire(concurrency);
        slots.release(concurrency);
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, n) -> counts.put(status, n.sum()));
        long elapsed = sent == 0 ? 0 : lastEnd.get() - begin;
        return new Result(sent, elapsed, latencies.summary(), counts, errors.sum(), firstError[0]);
    }
}
