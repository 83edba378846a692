package org.diffusionbatch.core.model;

/** A model cannot be found, read or used; the message names the file or setting and what to do. */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
