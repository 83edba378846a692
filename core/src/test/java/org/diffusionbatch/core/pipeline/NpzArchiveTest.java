package org.diffusionbatch.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace reader on .npy bytes written by hand as numpy's format 1.0 defines them. */
class NpzArchiveTest {
  /** magic, version 1.0, header length, the header dict padded with spaces and a newline, then data. */
  private static byte[] npy(String descr, String shape, byte[] data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int headerLength = 128 - 10;
    String header = dict + " ".repeat(headerLength - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + headerLength + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
    b.putShort((short) headerLength).put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    return b.array();
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  @Test
  void archiveOfFloatAndIntegerArraysReadsShapesAndValuesInCOrder(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry("latents.npy"));
      out.write(npy("<f4", "(2, 3)", floats(1, 2, 3, 4, 5, -0.5f)));
      out.putNextEntry(new ZipEntry("cfg.npy"));
      out.write(npy("<i8", "()", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array()));
      out.putNextEntry(new ZipEntry("empty.npy"));
      out.write(npy("<f4", "(1, 0)", new byte[0]));
    }
    Path file = Files.write(dir.resolve("trace.npz"), zip.toByteArray());
    Map<String, NpzArchive.Array> arrays = NpzArchive.read(file);
    assertEquals(java.util.List.of("latents", "cfg", "empty"), java.util.List.copyOf(arrays.keySet()));
    assertArrayEquals(new long[] {2, 3}, arrays.get("latents").shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, -0.5f}, arrays.get("latents").floats());
    assertArrayEquals(new long[0], arrays.get("cfg").shape());
    assertArrayEquals(new int[] {1}, arrays.get("cfg").ints());
    assertEquals(0, arrays.get("empty").size());
  }

  @Test
  void unknownTypeAndFortranOrderAreRefusedByName() {
    String type = assertThrows(IllegalArgumentException.class,
        () -> NpzArchive.npy(npy("<c8", "(1,)", new byte[8]), "x.npy")).getMessage();
    assertTrue(type.contains("<c8"), type);
    byte[] fortran = npy("<f4", "(1,)", floats(1));
    byte[] flipped = new String(fortran, StandardCharsets.ISO_8859_1).replace("False", "True ")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NpzArchive.npy(flipped, "f.npy")).getMessage()
        .contains("Fortran"));
  }
}
