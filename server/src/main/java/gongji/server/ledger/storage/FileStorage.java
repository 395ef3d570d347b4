package gongji.server.ledger.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link Storage} on a real directory: the one class that opens ledger files. */
public final class FileStorage implements Storage {
  private final Path dir;

  public FileStorage(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  public Path directory() {
    return dir;
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  @Override
  public AppendFile create(String name) throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new AppendFile() {
      private long size;

      @Override
      public void append(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        size += length;
      }

      @Override
      public void force() throws IOException {
        ch.force(false);
      }

      @Override
      public long size() {
        return size;
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  @Override
  public byte[] read(String name) throws IOException {
    return Files.readAllBytes(dir.resolve(name));
  }

  @Override
  public void truncate(String name, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE)) {
      ch.truncate(size);
      ch.force(true);
    }
  }

  @Override
  public void rename(String from, String to) throws IOException {
    try {
      Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the data directory " + dir + " does not support atomic renames", e);
    }
  }

  @Override
  public void delete(String name) throws IOException {
    Files.deleteIfExists(dir.resolve(name));
  }

  @Override
  public void syncDirectory() throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
