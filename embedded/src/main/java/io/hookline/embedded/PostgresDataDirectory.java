package io.hookline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a PostgreSQL data directory startable after its previous owner died without stopping the server. The
 * embedded server's JVM is the only owner of its data directory, so once no live process holds the directory's
 * lock file, a postmaster still running on it is an orphan and gets stopped, and a {@code postmaster.pid} naming
 * any other process is stale and gets deleted.
 */
final class PostgresDataDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDataDirectory.class);

    /** The file zonky's EmbeddedPostgres locks for as long as its JVM runs the server. */
    static final String OWNER_LOCK = "epg-lock";
    static final String PID_FILE = "postmaster.pid";
    private static final Duration FAST_SHUTDOWN_WAIT = Duration.ofSeconds(60);
    private static final Duration KILL_WAIT = Duration.ofSeconds(15);

    private final Path directory;

    PostgresDataDirectory(Path directory) {
        this.directory = directory;
    }

    /** Clears what a dead owner left behind; fails if a live process owns the directory. */
    void prepareForStart() {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create PostgreSQL data directory " + directory, e);
        }
        ensureNoLiveOwner();
        stopOrphanedPostmaster();
        discardUnstartedCluster();
    }

    /**
     * Stops a postmaster that runs on this directory, if any, without looking at the owner lock: used after a
     * failed start in this JVM, which may have left a server running that nothing else would stop.
     */
    void stopOrphanedPostmaster() {
        Path pidFile = directory.resolve(PID_FILE);
        Optional<PidFile> pid = PidFile.read(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = pid.get().pid() > 0
                ? ProcessHandle.of(pid.get().pid()).filter(ProcessHandle::isAlive)
                : Optional.empty();
        if (process.isPresent() && isPostmasterOfThisDirectory(process.get(), pid.get())) {
            stop(process.get());
        } else {
            LOG.warn("Deleting stale {} in {}: process {} is not a postmaster of this directory",
                    PID_FILE, directory, pid.get().pid());
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete stale " + pidFile, e);
        }
    }

    private void ensureNoLiveOwner() {
        Path lockFile = directory.resolve(OWNER_LOCK);
        if (!Files.exists(lockFile)) {
            // A running server always has it; creating it here would make initdb refuse a fresh directory.
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new EmbeddedPostgresException("PostgreSQL data directory " + directory
                        + " is in use by another running process (it holds " + lockFile + ")");
            }
        } catch (OverlappingFileLockException e) {
            throw new EmbeddedPostgresException("PostgreSQL data directory " + directory
                    + " is already in use by a server in this JVM", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check the owner lock " + lockFile, e);
        }
    }

    private boolean isPostmasterOfThisDirectory(ProcessHandle process, PidFile pid) {
        Optional<String> command = process.info().command();
        if (command.isEmpty()) {
            // Without its command line we cannot tell a postmaster from a process that reused its pid, and
            // signalling a stranger is worse than failing.
            throw new EmbeddedPostgresException(directory.resolve(PID_FILE) + " names live process " + pid.pid()
                    + " whose command is unknown; stop it if it is a PostgreSQL server, else delete the file");
        }
        String name = Path.of(command.get()).getFileName().toString();
        if (!name.equals("postgres") && !name.equals("postgres.exe")) {
            return false;
        }
        if (!sameDirectory(pid.dataDirectory())) {
            return false;
        }
        Optional<String[]> arguments = process.info().arguments();
        return arguments.isEmpty() || List.of(arguments.get()).stream().anyMatch(this::sameDirectory);
    }

    private boolean sameDirectory(String path) {
        try {
            Path candidate = Path.of(path);
            return candidate.isAbsolute() && Files.isDirectory(candidate) && Files.isSameFile(candidate, directory);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void stop(ProcessHandle postmaster) {
        LOG.warn("Stopping orphaned PostgreSQL server (pid {}) left running on {} by a previous owner",
                postmaster.pid(), directory);
        requestFastShutdown(postmaster);
        if (awaitExit(postmaster, FAST_SHUTDOWN_WAIT)) {
            LOG.info("Orphaned PostgreSQL server (pid {}) stopped", postmaster.pid());
            return;
        }
        LOG.warn("Orphaned PostgreSQL server (pid {}) did not stop within {} s, killing it; it will run crash "
                + "recovery on the next start", postmaster.pid(), FAST_SHUTDOWN_WAIT.toSeconds());
        postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
        postmaster.destroyForcibly();
        if (!awaitExit(postmaster, KILL_WAIT)) {
            throw new EmbeddedPostgresException("Cannot stop orphaned PostgreSQL server (pid " + postmaster.pid()
                    + ") running on " + directory);
        }
    }

    /**
     * SIGINT is PostgreSQL's fast shutdown: it disconnects sessions and checkpoints. Java can only send SIGTERM,
     * which waits for every session to end on its own, so prefer the {@code kill} command where there is one.
     */
    private static void requestFastShutdown(ProcessHandle postmaster) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(postmaster.pid()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return;
            }
            kill.destroyForcibly();
        } catch (IOException e) {
            LOG.debug("No kill command, falling back to SIGTERM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedPostgresException("Interrupted while stopping an orphaned PostgreSQL server", e);
        }
        postmaster.destroy();
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedPostgresException("Interrupted while stopping an orphaned PostgreSQL server", e);
        }
    }

    /**
     * A cluster whose server never started holds no data, but may be a half-written initdb (its owner was killed
     * during the first start) that would never start. {@code postmaster.opts} is written by every server start and
     * never by initdb, so its absence next to initdb's files marks such a cluster; it is cleared for a fresh initdb.
     */
    private void discardUnstartedCluster() {
        boolean initdbStarted = Files.exists(directory.resolve("PG_VERSION"))
                || Files.exists(directory.resolve("postgresql.conf"));
        if (!initdbStarted || Files.exists(directory.resolve("postmaster.opts"))) {
            return;
        }
        LOG.warn("PostgreSQL data directory {} was initialised but its server never started; re-initialising it",
                directory);
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                deleteRecursively(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clear unstarted PostgreSQL data directory " + directory, e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The first two lines of {@code postmaster.pid}: the postmaster's pid and its data directory. */
    private record PidFile(long pid, String dataDirectory) {
        static Optional<PidFile> read(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
            try {
                long pid = Long.parseLong(lines.get(0).trim());
                return Optional.of(new PidFile(pid, lines.size() > 1 ? lines.get(1).trim() : ""));
            } catch (RuntimeException e) {
                LOG.warn("Ignoring unreadable {} ({}); deleting it", file, e.toString());
                return Optional.of(new PidFile(-1, ""));
            }
        }
    }
}
