package org.diffusionbatch.jobs.generate.output;

import java.io.IOException;

/**
 * Where a lease lives (a local file or an S3 object), with the writes a lease needs: create only if
 * absent, replace only if unchanged. {@code exclusive} in a {@link Write} says whether the store made
 * the condition atomic; when it did not, the lease reads back what is there after a pause.
 */
interface LeaseStore extends AutoCloseable {

  /** The content and a version token (an ETag, a hash), or null when there is no lease. */
  Stored read() throws IOException;

  /** Writes the content if there is no lease; null when there is one. */
  Write create(byte[] content) throws IOException;

  /** Replaces the lease if its version is still {@code version}; null when it changed. */
  Write replace(byte[] content, String version) throws IOException;

  void delete() throws IOException;

  /** Where the lease lives, for messages. */
  String location();

  /** Releases the store's connections, if any. */
  @Override
  default void close() {}

  record Stored(byte[] bytes, String version) {}

  record Write(String version, boolean exclusive) {}
}
