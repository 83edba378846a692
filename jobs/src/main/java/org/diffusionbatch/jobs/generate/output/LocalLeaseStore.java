package org.diffusionbatch.jobs.generate.output;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.diffusionbatch.jobs.prompts.StableIds;

/**
 * A lease in a local (or mounted) file. Creating is exclusive: the content goes to a temporary file
 * that is then hard-linked to the lease name, which fails if the name exists, so a reader never sees a
 * half-written lease; where hard links are not supported, the file is created with O_EXCL and written.
 * Replacing reads, compares and renames over, so it is not atomic against another replace.
 */
public final class LocalLeaseStore implements LeaseStore {
  private final Path file;

  public LocalLeaseStore(Path file) {
    this.file = file;
  }

  @Override
  public Stored read() throws IOException {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return new Stored(bytes, StableIds.sha256Hex(bytes));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public Write create(byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = temporary(content);
    try {
      Files.createLink(file, temp);
      return new Write(StableIds.sha256Hex(content), true);
    } catch (FileAlreadyExistsException e) {
      return null;
    } catch (UnsupportedOperationException | java.nio.file.FileSystemException noHardLinks) {
      if (noHardLinks instanceof FileAlreadyExistsException) {
        return null;
      }
      try {
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new Write(StableIds.sha256Hex(content), true);
      } catch (FileAlreadyExistsException e) {
        return null;
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public Write replace(byte[] content, String version) throws IOException {
    Stored current = read();
    if (current == null || !current.version().equals(version)) {
      return null;
    }
    Path temp = temporary(content);
    try {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    return new Write(StableIds.sha256Hex(content), false);
  }

  @Override
  public void delete() throws IOException {
    Files.deleteIfExists(file);
  }

  @Override
  public String location() {
    return file.toString();
  }

  /** A temporary file beside the lease ('.'-prefixed, so dataset readers skip it). */
  private Path temporary(byte[] content) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.write(temp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return temp;
  }
}
