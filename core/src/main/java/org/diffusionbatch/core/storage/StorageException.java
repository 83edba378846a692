package org.diffusionbatch.core.storage;

/** Reading or writing object storage failed; the message names the object, the cause and what to do. */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
