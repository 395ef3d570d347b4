package gongji.server.ledger.storage;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The files of a ledger's data directory, behind the few operations the journal and snapshots
 * need. {@link FileStorage} is the real disk; tests use a simulated disk that loses what was not
 * forced, tears the last write or flips bits when they simulate a crash.
 */
public interface Storage {

  /** The names of the files in the directory, in no particular order. */
  List<String> list() throws IOException;

  /** Creates a new, empty file for appending (fails if it exists). Sync the directory to make it durable. */
  AppendFile create(String name) throws IOException;

  /** The whole content of a file. */
  byte[] read(String name) throws IOException;

  /** Cuts a file to {@code size} bytes and forces it. */
  void truncate(String name, long size) throws IOException;

  /** Atomically replaces {@code to} with {@code from}. Sync the directory to make it durable. */
  void rename(String from, String to) throws IOException;

  void delete(String name) throws IOException;

  /** Makes creations, renames and deletions in the directory durable. */
  void syncDirectory() throws IOException;

  /** A file open for appending. */
  interface AppendFile extends Closeable {
    /** Appends bytes; not durable until {@link #force}. */
    void append(byte[] bytes, int offset, int length) throws IOException;

    /** Makes everything appended so far durable. */
    void force() throws IOException;

    /** Bytes appended so far, forced or not. */
    long size();
  }
}
