package gongji.server.testing;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.util.List;

/** A storage that passes every call on: a test overrides the one it makes fail. */
public class ForwardingStorage implements Storage {
  private final Storage delegate;

  public ForwardingStorage(Storage delegate) {
    this.delegate = delegate;
  }

  @Override
  public List<String> list() throws IOException {
    return delegate.list();
  }

  @Override
  public AppendFile create(String name) throws IOException {
    return delegate.create(name);
  }

  @Override
  public byte[] read(String name) throws IOException {
    return delegate.read(name);
  }

  @Override
  public void truncate(String name, long size) throws IOException {
    delegate.truncate(name, size);
  }

  @Override
  public void rename(String from, String to) throws IOException {
    delegate.rename(from, to);
  }

  @Override
  public void delete(String name) throws IOException {
    delegate.delete(name);
  }

  @Override
  public void syncDirectory() throws IOException {
    delegate.syncDirectory();
  }

  /** A file that passes every call on: a test overrides the one it watches or makes fail. */
  public static class ForwardingAppendFile implements AppendFile {
    private final AppendFile delegate;

    public ForwardingAppendFile(AppendFile delegate) {
      this.delegate = delegate;
    }

    @Override
    public void append(byte[] bytes, int offset, int length) throws IOException {
      delegate.append(bytes, offset, length);
    }

    @Override
    public void force() throws IOException {
      delegate.force();
    }

    @Override
    public long size() {
      return delegate.size();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
