package org.diffusionbatch.jobs.prompts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ids and seeds that are the same on every read of the same input, so a resumed run makes the
 * same images as a single run.
 *
 * <ul>
 *   <li>prompt_id (when the row has none) = the first 16 hex digits of
 *       sha-256("{file}:{line}:{prompt}"), where file is the path relative to {@code --prompts}
 *       and line the 0-based row position within that file.
 *   <li>seed (when the row has none) = the first 8 bytes of sha-256("{base seed}:{prompt_id}"),
 *       big-endian, masked to 63 bits (non-negative, like torch's manual_seed range).
 * </ul>
 */
public final class StableIds {
  private StableIds() {}

  public static String promptId(String file, long position, String prompt) {
    byte[] digest = sha256(file + ":" + position + ":" + (prompt == null ? "" : prompt));
    return HexFormat.of().formatHex(digest, 0, 8);
  }

  public static long seed(long baseSeed, String promptId) {
    byte[] digest = sha256(baseSeed + ":" + promptId);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (digest[i] & 0xff);
    }
    return value & Long.MAX_VALUE;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** Hex sha-256 of bytes, the image_sha256 column. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
