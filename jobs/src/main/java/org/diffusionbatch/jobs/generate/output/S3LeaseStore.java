package org.diffusionbatch.jobs.generate.output;

import java.net.URI;
import org.diffusionbatch.core.storage.ObjectStorage;

/**
 * A lease in an S3 object, written with conditional puts ({@code If-None-Match: *} to create,
 * {@code If-Match: <ETag>} to replace). Whether the store honours them (AWS S3 since 2024, MinIO, R2 do;
 * S3Proxy 2.6 and some older stores ignore them) is probed once, after this run's first create:
 * a second {@code If-None-Match: *} put of the same bytes must be refused.
 */
public final class S3LeaseStore implements LeaseStore {
  private final ObjectStorage storage;
  private final URI uri;
  private Boolean conditionsHonoured;

  public S3LeaseStore(ObjectStorage storage, URI uri) {
    this.storage = storage;
    this.uri = uri;
  }

  @Override
  public Stored read() {
    ObjectStorage.StoredObject object = storage.getIfExists(uri);
    return object == null ? null : new Stored(object.bytes(), object.eTag());
  }

  @Override
  public Write create(byte[] content) {
    String eTag = storage.putIfAbsent(uri, content);
    if (eTag == null) {
      conditionsHonoured = true;
      return null;
    }
    if (conditionsHonoured == null) {
      // The same bytes again: an honouring store refuses (412), an ignoring one rewrites them unchanged.
      String again = storage.putIfAbsent(uri, content);
      conditionsHonoured = again == null;
      if (!conditionsHonoured) {
        eTag = again;
      }
    }
    return new Write(eTag, conditionsHonoured);
  }

  @Override
  public Write replace(byte[] content, String version) {
    Stored current = read();
    if (current == null || !current.version().equals(version)) {
      return null; // checked here too, for stores that ignore If-Match
    }
    String eTag = storage.putIfMatch(uri, content, version);
    return eTag == null ? null : new Write(eTag, Boolean.TRUE.equals(conditionsHonoured));
  }

  @Override
  public void delete() {
    storage.delete(uri);
  }

  @Override
  public String location() {
    return uri.toString();
  }

  @Override
  public void close() {
    storage.close();
  }

  /** Null until the first create; then whether the store refused a second If-None-Match put. */
  public Boolean conditionsHonoured() {
    return conditionsHonoured;
  }
}
