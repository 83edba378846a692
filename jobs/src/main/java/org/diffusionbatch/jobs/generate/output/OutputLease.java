package org.diffusionbatch.jobs.generate.output;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per output: a run holds {@code <output>/_lease.json} from before its first write until
 * it ends. The lease names the run, host, pid and start, and expires {@code ttl} after its last
 * renewal; a daemon thread renews it every {@code ttl / 3}. Another run finds it and stops (exit 2),
 * unless it has expired (its run died) or the user breaks it. Where a write could not be made
 * exclusive (a takeover of a local file, an S3 store that ignores conditional puts) the run reads the
 * lease back after {@code settle} and goes on only if it is still its own; each renewal checks again,
 * and a run that finds its lease taken stops writing.
 */
public final class OutputLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputLease.class);

  public static final String FILE_NAME = "_lease.json";

  private final LeaseStore store;
  private final Duration ttl;
  private LeaseHolder holder;
  private Thread keeper;
  private volatile boolean released;

  private OutputLease(LeaseStore store, Duration ttl, LeaseHolder holder) {
    this.store = store;
    this.ttl = ttl;
    this.holder = holder;
  }

  /** The lease is held by another live run (or its expiry is still ahead). */
  static final class HeldException extends ConfigurationException {
    final LeaseHolder holder;

    HeldException(String output, LeaseHolder holder) {
      super("--output " + output + " is being written by " + holder.describe() + "; two runs must not write one output."
          + " Wait for that run to finish; if it is dead, run again after its lease expires, or pass --break-lease to take over now");
      this.holder = holder;
    }
  }

  /**
   * Takes the lease for {@code runId} or throws {@link HeldException} naming the holder.
   *
   * @param breakLease take over a lease that has not expired (the user says its run is dead)
   */
  public static OutputLease acquire(LeaseStore store, String output, String runId, Duration ttl, Duration settle, boolean breakLease)
      throws IOException {
    LeaseHolder mine = LeaseHolder.forThisProcess(runId, Instant.now(), ttl);
    for (int attempt = 0; attempt < 5; attempt++) {
      LeaseStore.Stored current = store.read();
      LeaseStore.Write write;
      if (current == null) {
        write = store.create(mine.toJson());
      } else {
        LeaseHolder other = LeaseHolder.parse(current.bytes());
        if (other == null && attempt == 0) {
          sleep(settle); // an unreadable lease may be one being written: look again before taking it
          continue;
        }
        if (other != null && !other.expired(Instant.now()) && !breakLease) {
          LeaseHolder holder = settledHolder(store, other, settle);
          if (holder == null) {
            continue; // it was displaced and is gone: try again
          }
          throw new HeldException(output, holder);
        }
        LOG.warn("taking over the lease on {} from {}: {}", output, other == null ? "an unreadable lease" : other.describe(),
            breakLease ? "--break-lease" : "it expired");
        write = store.replace(mine.toJson(), current.version());
      }
      if (write == null) {
        continue; // another run wrote first: read what it wrote
      }
      if (!write.exclusive()) {
        sleep(settle);
        LeaseStore.Stored back = store.read();
        LeaseHolder now = back == null ? null : LeaseHolder.parse(back.bytes());
        if (!mine.sameLease(now)) {
          LeaseHolder holder = now == null ? null : settledHolder(store, now, settle);
          if (holder != null) {
            throw new HeldException(output, holder);
          }
          continue;
        }
        return new OutputLease(store, ttl, mine);
      }
      return new OutputLease(store, ttl, mine);
    }
    throw new ConfigurationException("--output " + output + ": could not take the lease " + store.location()
        + " after 5 attempts; other runs keep changing it");
  }

  /**
   * The live holder to name in a refusal. A lease taken moments ago (never renewed, started within
   * two settle periods) may still be displaced by a run that started at the same time, on a store
   * that ignores conditional writes: look again after one settle period and name whoever holds it
   * then. Null when by then nobody holds a live lease.
   */
  private static LeaseHolder settledHolder(LeaseStore store, LeaseHolder seen, Duration settle) throws IOException {
    boolean fresh = seen.renewedAt().equals(seen.startedAt())
        && Instant.parse(seen.startedAt()).isAfter(Instant.now().minus(settle.multipliedBy(2)));
    if (!fresh) {
      return seen;
    }
    sleep(settle);
    LeaseStore.Stored again = store.read();
    LeaseHolder holder = again == null ? null : LeaseHolder.parse(again.bytes());
    return holder == null || holder.expired(Instant.now()) ? null : holder;
  }

  /** Renews every ttl/3 until released; {@code onLost} hears once if the lease was taken or could not be renewed in time. */
  public void keepAlive(Consumer<String> onLost) {
    keeper = new Thread(() -> {
      long interval = Math.max(100, ttl.toMillis() / 3);
      while (!released) {
        try {
          Thread.sleep(interval);
        } catch (InterruptedException stop) {
          return;
        }
        String lost = renewOnce();
        if (lost != null && !released) {
          onLost.accept(lost);
          return;
        }
      }
    }, "diffusionbatch-lease");
    keeper.setDaemon(true);
    keeper.start();
  }

  /** Renews once; returns why the lease is lost, or null. A failed renewal is retried until the lease would expire. */
  synchronized String renewOnce() {
    if (released) {
      return null;
    }
    try {
      LeaseStore.Stored current = store.read();
      LeaseHolder now = current == null ? null : LeaseHolder.parse(current.bytes());
      if (!holder.sameLease(now)) {
        return "its lease " + store.location() + (now == null ? " was removed" : " is now held by " + now.describe());
      }
      LeaseHolder renewed = holder.renewed(Instant.now(), ttl);
      LeaseStore.Write write = store.replace(renewed.toJson(), current.version());
      if (write == null) {
        return "its lease " + store.location() + " was changed by another run";
      }
      holder = renewed;
      return null;
    } catch (IOException | RuntimeException e) {
      if (holder.expired(Instant.now())) {
        return "its lease " + store.location() + " could not be renewed before it expired: " + e.getMessage();
      }
      LOG.warn("could not renew the lease {} (will retry): {}", store.location(), e.toString());
      return null;
    }
  }

  LeaseHolder holder() {
    return holder;
  }

  /** Stops renewing and removes the lease if it is still this run's. */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    if (keeper != null) {
      keeper.interrupt();
    }
    try {
      LeaseStore.Stored current = store.read();
      if (current != null && holder.sameLease(LeaseHolder.parse(current.bytes()))) {
        store.delete();
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not remove the lease {}; it expires at {}: {}", store.location(), holder.expiresAt(), e.toString());
    } finally {
      store.close();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while taking the output lease", e);
    }
  }
}
