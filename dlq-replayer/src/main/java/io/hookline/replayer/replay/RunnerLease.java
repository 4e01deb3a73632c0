package io.hookline.replayer.replay;

import io.hookline.database.ServiceDatabase;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one replayer instance at a time the one that writes replays: a PostgreSQL session advisory lock held on a
 * connection of its own. A second instance (a rolling update, a scaled deployment) serves the API and records jobs
 * but writes nothing until the holder stops or dies (PostgreSQL releases the lock with the session). Without it, a
 * starting instance would check the letters another instance is writing right now and could write them again.
 */
final class RunnerLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunnerLease.class);
    /** Arbitrary, fixed: "hookline replay runner". The lock is per database, so per schema the key differs. */
    private static final long KEY_BASE = 0x686b6c5f72706c00L;

    private final ServiceDatabase database;
    private final long key;
    private Handle handle;

    RunnerLease(ServiceDatabase database, String schema) {
        this.database = database;
        this.key = KEY_BASE ^ schema.hashCode();
    }

    /** Takes the lease if free; true if this instance holds it (now or already). */
    synchronized boolean tryAcquire() {
        if (handle != null) {
            return true;
        }
        Handle h = null;
        try {
            h = database.jdbi().open();
            boolean got = h.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", key)
                    .mapTo(Boolean.class).one();
            if (got) {
                handle = h;
                LOG.info("this instance now writes replays (advisory lock {})", key);
                return true;
            }
            h.close();
            return false;
        } catch (RuntimeException e) {
            if (h != null) {
                h.close();
            }
            LOG.warn("cannot take the replay lease: {}", e.toString());
            return false;
        }
    }

    /** Whether the lease's session is still alive (if not, PostgreSQL has released the lock). */
    synchronized boolean isHeld() {
        if (handle == null) {
            return false;
        }
        try {
            if (handle.getConnection().isValid(2)) {
                return true;
            }
        } catch (java.sql.SQLException e) {
            // treated as lost below
        }
        LOG.warn("lost the replay lease (database session ended)");
        closeQuietly();
        return false;
    }

    @Override
    public synchronized void close() {
        if (handle != null) {
            try {
                handle.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", key).mapTo(Boolean.class).one();
            } catch (RuntimeException e) {
                LOG.debug("unlock failed: {}", e.toString());
            }
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            handle.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the lease connection failed: {}", e.toString());
        }
        handle = null;
    }
}
