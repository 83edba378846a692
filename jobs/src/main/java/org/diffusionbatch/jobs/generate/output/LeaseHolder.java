package org.diffusionbatch.jobs.generate.output;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The content of {@code <output>/_lease.json}: which run holds the output, where it runs, since when,
 * and until when the lease holds unless renewed. {@code token} tells this run's lease from any other,
 * even one with the same run id.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record LeaseHolder(
    @JsonProperty("run_id") String runId,
    @JsonProperty("host") String host,
    @JsonProperty("pid") long pid,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("renewed_at") String renewedAt,
    @JsonProperty("expires_at") String expiresAt,
    @JsonProperty("token") String token) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Looked up once: a host name lookup can take seconds where DNS is slow. */
  private static final String HOST = hostName();

  static LeaseHolder forThisProcess(String runId, Instant now, Duration ttl) {
    String stamp = now.toString();
    return new LeaseHolder(runId, HOST, ProcessHandle.current().pid(), stamp, stamp, now.plus(ttl).toString(),
        UUID.randomUUID().toString());
  }

  LeaseHolder renewed(Instant now, Duration ttl) {
    return new LeaseHolder(runId, host, pid, startedAt, now.toString(), now.plus(ttl).toString(), token);
  }

  boolean expired(Instant now) {
    return !now.isBefore(Instant.parse(expiresAt));
  }

  boolean sameLease(LeaseHolder other) {
    return other != null && token.equals(other.token);
  }

  /** "run R (host H, pid P, started S, lease expires E)". */
  String describe() {
    return "run " + runId + " (host " + host + ", pid " + pid + ", started " + startedAt + ", lease expires " + expiresAt + ")";
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the lease as JSON", e);
    }
  }

  /** The holder a lease file names, or null when its content is not a lease (empty while being written, or damaged). */
  static LeaseHolder parse(byte[] json) {
    try {
      LeaseHolder holder = JSON.readValue(json, LeaseHolder.class);
      return holder.runId() == null || holder.expiresAt() == null || holder.token() == null ? null : holder;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env != null ? env : "unknown-host";
    }
  }
}
