package org.diffusionbatch.jobs.sweep;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;

/**
 * A cell's kept images on one PNG: a square-ish grid in sample order with each image's prompt under
 * it and the cell's settings on top. Every cell keeps the same sample rows, so sheets of two cells
 * compare image by image.
 */
final class ContactSheet {
  private ContactSheet() {}

  private static final int MIN_TILE = 160;
  private static final int MAX_TILE = 256;
  private static final int GAP = 8;
  private static final int CAPTION = 18;
  private static final int TITLE = 30;

  static byte[] render(Cell cell, List<Row> kept) {
    Headless.ensure();
    int columns = (int) Math.ceil(Math.sqrt(kept.size()));
    int rows = (kept.size() + columns - 1) / columns;
    int tile = Math.max(MIN_TILE, Math.min(MAX_TILE, Math.max(cell.width(), cell.height())));
    int width = GAP + columns * (tile + GAP);
    int height = TITLE + GAP + rows * (tile + CAPTION + GAP);
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(fit(g.getFontMetrics(), cell.label() + ", NFE " + cell.nfe(), width - 2 * GAP), GAP, 21);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics metrics = g.getFontMetrics();
      for (int i = 0; i < kept.size(); i++) {
        int x = GAP + (i % columns) * (tile + GAP);
        int y = TITLE + GAP + (i / columns) * (tile + CAPTION + GAP);
        BufferedImage image = decode(KeptImages.png(kept.get(i)));
        double scale = Math.min((double) tile / image.getWidth(), (double) tile / image.getHeight());
        int w = (int) Math.round(image.getWidth() * scale);
        int h = (int) Math.round(image.getHeight() * scale);
        g.drawImage(image, x + (tile - w) / 2, y + (tile - h) / 2, w, h, null);
        g.setColor(Color.DARK_GRAY);
        g.drawString(fit(metrics, KeptImages.prompt(kept.get(i)), tile), x, y + tile + 14);
      }
    } finally {
      g.dispose();
    }
    return png(sheet);
  }

  /** The text, cut with an ellipsis to fit the width. */
  static String fit(FontMetrics metrics, String text, int width) {
    if (metrics.stringWidth(text) <= width) {
      return text;
    }
    String cut = text;
    while (!cut.isEmpty() && metrics.stringWidth(cut + "…") > width) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "…";
  }

  private static BufferedImage decode(byte[] png) {
    try {
      return ImageIO.read(new ByteArrayInputStream(png));
    } catch (IOException e) {
      throw new UncheckedIOException("a kept image is not a readable PNG", e);
    }
  }

  static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
