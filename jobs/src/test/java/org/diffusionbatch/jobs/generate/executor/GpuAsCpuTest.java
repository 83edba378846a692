package org.diffusionbatch.jobs.generate.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.junit.jupiter.api.Test;

/** diffusionbatch.testing.gpuAsCpu: off unless set; when on, one CPU model per assigned GPU address. */
class GpuAsCpuTest {
  /** Records the device each load asked for; loads nothing. */
  private static final class RecordingFactory implements ImageMakerFactory {
    final List<Integer> loads = new ArrayList<>();

    @Override
    public String key(Integer gpu) {
      return gpu == null ? "model|cpu" : "model|gpu" + gpu;
    }

    @Override
    public ImageMaker load(Integer gpu) {
      loads.add(gpu);
      return null;
    }
  }

  @Test
  void offUnlessTheDocumentedConfIsTrue() {
    assertFalse(GpuAsCpu.enabled(new SparkConf(false)));
    assertFalse(GpuAsCpu.enabled(new SparkConf(false).set("diffusionbatch.testing.gpuAsCpu", "false")));
    assertTrue(GpuAsCpu.enabled(new SparkConf(false).set("diffusionbatch.testing.gpuAsCpu", "true")));
    RecordingFactory factory = new RecordingFactory();
    assertSame(factory, GpuAsCpu.wrapIf(false, factory));
  }

  @Test
  void eachAssignedAddressGetsItsOwnModelLoadedOnTheCpu() {
    RecordingFactory real = new RecordingFactory();
    ImageMakerFactory standIn = GpuAsCpu.wrapIf(true, real);
    standIn.load(0);
    standIn.load(3);
    standIn.load(null);
    assertEquals(java.util.Arrays.asList(null, null, null), real.loads, "every load runs on the CPU");
    assertEquals("model|cpu|stand-in for gpu 0", standIn.key(0));
    assertNotEquals(standIn.key(0), standIn.key(1), "two stand-in GPUs in one executor are two models");
    assertEquals("model|cpu", standIn.key(null), "the driver's CPU check model is the plain CPU one");
  }
}
